"""Query functions for the public gap page, the company page and the directory.

The public site (policies/views/gaps.py, policies/listings.py) already shows a gap's
clauses, evidence and replies; these add what comes from the gap analysis:

- `gap_detail_data(gap, as_of=None)`: the commitment wording as it stood when the gap
  began, the signals that support the gap, and its status changes over time;
- `supporting_signals(gaps)`: the signals behind each gap, for company pages (1 query);
- `order_by_open_gaps(companies)`: the directory sorted by open gaps.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from .. import models as m
from ..lib.precompiled import INT, precompiled
from ..models import CommitmentClause, Gap, Signal, SignalStatus
from ..models.base import PUBLIC_STATUSES
from ..models.gaps import OPEN_GAP_STATUSES
from .rules import RULES

RULE_TITLES = {fn.__name__: fn.title for fn in RULES}
SUPPORTING = (SignalStatus.CONFIRMED, SignalStatus.MERGED)


@dataclass
class StatusChange:
    date: object  # datetime the tracker recorded it
    status: str
    label: str
    reason: str  # the gap's public status_reason at that time
    attribution: str  # "Editorial team" or "Tracker (automated)", never a name


@dataclass
class SupportingSignal:
    rule: str
    rule_title: str
    summary: str
    first_date: object
    last_date: object


def supporting_signals(gap=None, company=None):
    """{gap id: [SupportingSignal, ...]} oldest first, of one gap or of all the gaps of
    `company`: one query, whether there are gaps or not. Only signals the public may read
    (`signal_public_q`); compiled once per process (lib/precompiled.py).
    """
    if company is not None:
        rows = _company_signal_rows(company=company.pk)
    else:
        rows = _gap_signal_rows(gap=gap.pk)
    out = defaultdict(list)
    for s in rows:
        out[s["gap_id"]].append(
            SupportingSignal(s["rule"], RULE_TITLES.get(s["rule"], s["rule"]), s["summary"],
                             s["first_date"], s["last_date"])
        )
    return out


def _signal_rows():
    return (
        Signal.objects.filter(status__in=SUPPORTING).filter(signal_public_q())
        .order_by("first_date", "pk")
        .values("gap_id", "rule", "summary", "first_date", "last_date")
    )


def signal_public_q():
    """A Q on signals the public may read: the commitment it names and every record it
    rests on are public now.

    A signal's summary quotes its evidence (an employee action's title, a statement's
    words), and its rule's title alone tells that such evidence exists: evidence embargoed
    or pulled back to draft after triage must not reach the public through it (the gap
    page showed it, and the company page named its rule). Its summary also quotes its own
    commitment, which a merge can make another than the gap's.
    """
    from django.db.models import Exists, OuterRef

    from ..asof import public_linked, public_record_q
    from ..models import SignalEvidence

    evidence = SignalEvidence.objects.filter(signal_id=OuterRef("pk"))
    hidden = evidence.exclude(public_record_q(EVIDENCE_MODELS))
    public_commitment = public_linked(m.Commitment).filter(pk=OuterRef("commitment_id"))
    commitment = Q(commitment__isnull=True) | Exists(public_commitment)
    return commitment & ~Exists(hidden)


# What the rules cite as evidence (rules.py): a signal resting on any other kind of record
# is left out by `signal_public_q` until it is listed here.
EVIDENCE_MODELS = (
    m.PolicyVersion, m.Contract, m.CompanyRelationship, m.Product, m.Statement, m.Observation,
    m.EmployeeAction, m.RightOfReply,
)


@precompiled(company=INT)
def _company_signal_rows(*, company):
    return _signal_rows().filter(gap__company_id=company)


@precompiled(gap=INT)
def _gap_signal_rows(*, gap):
    return _signal_rows().filter(gap_id=gap)


def status_changes(gap, as_of=None):
    """The gap's status over record time, from its history: one entry per change while public."""
    rows = Gap.history.filter(id=gap.pk, editorial_status__in=PUBLIC_STATUSES)
    if as_of is not None:
        rows = rows.filter(history_date__lte=as_of)
    labels = dict(Gap._meta.get_field("status").choices)
    out, last = [], None
    for h in rows.order_by("history_date", "history_id").values(
        "history_date", "status", "status_reason", "public_attribution"
    ):
        if h["status"] != last:
            out.append(StatusChange(h["history_date"], h["status"], labels.get(h["status"], h["status"]),
                                    h["status_reason"], h["public_attribution"]))
            last = h["status"]
    return out


def clause_as_it_stood(gap, on=None):
    """The commitment's public wording in force on `on` (event time; default: when the gap began).

    The gap "began" at the earliest date of its supporting signals; without signals, the
    latest wording is returned.
    """
    if on is None:
        on = Signal.objects.filter(gap=gap, status__in=SUPPORTING, first_date__isnull=False).order_by(
            "first_date"
        ).values_list("first_date", flat=True).first()
    clauses = CommitmentClause.objects.filter(
        commitment_id=gap.commitment_id, version__editorial_status__in=PUBLIC_STATUSES
    ).select_related("version").order_by("version__effective_on")
    chosen = None
    for clause in clauses:
        if on is None or clause.version.effective_on <= on or chosen is None:
            chosen = clause
    return chosen


def gap_detail_data(gap, as_of=None):
    """What the gap analysis adds to the gap page (4 queries)."""
    return {
        "clause_as_it_stood": clause_as_it_stood(gap),
        "signals": supporting_signals(gap=gap)[gap.pk],
        "status_changes": status_changes(gap, as_of),
        "is_open": gap.status in OPEN_GAP_STATUSES,
    }


def order_by_open_gaps(companies):
    """Companies, most open public gaps first (annotates `open_gaps` unless already there)."""
    if "open_gaps" not in companies.query.annotations:
        companies = companies.annotate(
            open_gaps=Count("gaps", filter=Q(gaps__status__in=OPEN_GAP_STATUSES,
                                             gaps__editorial_status__in=PUBLIC_STATUSES))
        )
    return companies.order_by("-open_gaps", "name")
