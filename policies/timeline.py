"""One merged timeline of a company's words and deeds, in event-time order.

`company_timeline(company, when=None)` is the only way the site (company page,
chart, feeds) builds it. It runs a fixed number of queries whatever the data:

1. policy versions of the company's policies   (+1 policy, +1 its company, +1 citations with sources)
2. commitment clauses that changed              (+1 commitment, +1 policy, +1 company, +1 version)
3. statements                                   (+1 citations)
4. employee actions (embargoes respected)       (+1 citations)
5. contracts as vendor or intermediary          (+1 agency, +1 vendor, +1 intermediary, +1 citations)
6. observations                                 (+1 agency, +1 citations)

Related rows are attached with `prefetch_related_objects`, which works both on
live rows and on the instances `Model.history.as_of()` returns.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, prefetch_related_objects

from .asof import public_snapshot, snapshot
from .kinds import record_title, record_url
from .lib.event_dates import EventDate
from .models import (
    ClauseChange,
    CommitmentClause,
    Contract,
    EmployeeAction,
    Observation,
    PolicyVersion,
    Statement,
)
from .models.base import PUBLIC_STATUSES
from .models.sources import Citation

WORDS = "words"
DEEDS = "deeds"
VOICES = "voices"


@dataclass
class Entry:
    date: EventDate
    kind: str
    label: str
    side: str  # words (policy, statements), deeds (contracts, usage), voices (employees)
    record: object
    title: str
    text: str = ""
    url: str = ""
    citations: list = field(default_factory=list)
    claim_status: str = ""
    change: str = ""


def public_citations():
    """Citations whose source is public, with the source: the one citation prefetch."""
    qs = Citation.objects.filter(source__editorial_status__in=PUBLIC_STATUSES).select_related("source")
    return Prefetch("citations", queryset=qs)


def _claim(record):
    return record.get_claim_status_display() if hasattr(record, "claim_status") else ""


def _version_entries(company, when):
    versions = list(public_snapshot(PolicyVersion, when).filter(policy__company_id=company.pk))
    prefetch_related_objects(versions, "policy__company", public_citations())
    return [
        Entry(
            date=v.effective, kind="policyversion", label="Policy version", side=WORDS, record=v,
            title=f"{v.policy.title}: version in force {v.effective}",
            text=v.change_summary, url=v.get_absolute_url(), citations=list(v.citations.all()),
        )
        for v in versions
        if v.policy.is_public
    ]


def _clause_entries(company, when):
    clauses = list(
        snapshot(CommitmentClause, when)
        .filter(version__policy__company_id=company.pk)
        .filter(version__editorial_status__in=PUBLIC_STATUSES)
        .exclude(change=ClauseChange.UNCHANGED)
    )
    prefetch_related_objects(clauses, "commitment__policy__company", "version")
    return [
        Entry(
            date=c.version.effective, kind="commitmentclause", label="Commitment",
            side=WORDS, record=c,
            title=f"Commitment {c.get_change_display().lower()}: {c.commitment.title}",
            text=c.text, url=c.commitment.get_absolute_url() if c.commitment.is_public else "",
            change=c.change,
        )
        for c in clauses
        if c.commitment.is_public
    ]


def _statement_entries(company, when):
    statements = list(public_snapshot(Statement, when).filter(company_id=company.pk))
    prefetch_related_objects(statements, public_citations())
    return [
        Entry(
            date=s.made, kind="statement", label=f"Statement ({s.get_kind_display().lower()})",
            side=WORDS, record=s, title=f"{s.speaker}{', ' + s.speaker_role if s.speaker_role else ''}",
            text=s.quote, url=record_url("statement", s.pk), citations=list(s.citations.all()),
            claim_status=_claim(s),
        )
        for s in statements
    ]


def _employee_entries(company, when):
    actions = list(public_snapshot(EmployeeAction, when).filter(company_id=company.pk))
    prefetch_related_objects(actions, public_citations())
    return [
        Entry(
            date=a.started if a.started else a.reported, kind="employeeaction",
            label=a.get_kind_display(), side=VOICES, record=a, title=a.title, text=a.description,
            url=record_url("employeeaction", a.pk), citations=list(a.citations.all()),
            claim_status=_claim(a),
        )
        for a in actions
    ]


def _contract_entries(company, when):
    contracts = list(
        public_snapshot(Contract, when).filter(Q(vendor_id=company.pk) | Q(intermediary_id=company.pk))
    )
    prefetch_related_objects(contracts, "agency", "vendor", "intermediary", public_citations())
    return [
        Entry(
            date=c.started, kind="contract", label="Contract", side=DEEDS, record=c,
            title=c.title, text=c.description, url=record_url("contract", c.pk),
            citations=list(c.citations.all()), claim_status=_claim(c),
        )
        for c in contracts
    ]


def _observation_entries(company, when):
    observations = list(public_snapshot(Observation, when).filter(company_id=company.pk))
    prefetch_related_objects(observations, "agency", public_citations())
    return [
        Entry(
            date=o.observed, kind="observation", label="Observation", side=DEEDS, record=o,
            title=record_title(o), text=o.note, url=record_url("observation", o.pk),
            citations=list(o.citations.all()), claim_status=_claim(o),
        )
        for o in observations
    ]


BUILDERS = (
    _version_entries,
    _clause_entries,
    _statement_entries,
    _employee_entries,
    _contract_entries,
    _observation_entries,
)


def company_timeline(company, when=None):
    """Every public timeline entry of `company` (as recorded at `when`), oldest first."""
    entries = [entry for build in BUILDERS for entry in build(company, when)]
    return sorted(entries, key=_order)


def _order(entry):
    date = entry.date.date
    return (date is None, date.toordinal() if date else 0, entry.kind, entry.record.pk)
