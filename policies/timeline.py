"""One merged timeline of a company's words and deeds, in event-time order, a page at a time.

`timeline_page(company, when=None, number=1)` is the only way the site builds it.
Page 1 holds the latest entries; higher numbers go back in time; within a page the
entries read oldest first. Its cost does not grow with the company's record:

1. counts of each kind                          (one UNION of six COUNTs)
2. the page's (kind, id, date) keys             (one UNION ordered by event date, LIMIT/OFFSET)
3. the page's records, by id, kind by kind, each joined with its related rows
   (policy versions, changed clauses, statements, employee actions, contracts, observations)
4. the citations of all of them, with their sources (one query)
A kind with no record on the page runs no query.

As of a date (`?as_of=`), the instances `Model.history.as_of()` returns keep no joined
rows, so related rows are attached by `prefetch_related_objects` instead (+1 query each).

Each of these queries is built and compiled once per process (`lib/precompiled.py`): the
company, the moment and the ids are its variables, so a request only binds values and
runs SQL the database has prepared (`lib/prepared.py`).
"""

import math
from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from .asof import linked_public_q, public_snapshot, snapshot
from .kinds import record_title, record_url
from .lib.event_dates import EventDate
from .lib.precompiled import DATETIME, IDS, INT, precompiled
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
PER_PAGE = 50


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


# Timestamps every record keeps for the tracker's own use, which the public pages' entries,
# citations and chart never show. Parsing them was a tenth of the timeline's time (378 a
# page on the median company), so the page's queries leave them out (`unshown`).
BOOKKEEPING = ("created_at", "updated_at", "published_at")


def unshown(model, *related):
    """The bookkeeping columns of `model` and of the rows its `related` paths join, for defer()."""
    joined = {"": model}  # every model the query reads, by its prefix
    for path in related:
        target, prefix = model, ""
        for part in path.split("__"):
            target, prefix = target._meta.get_field(part).related_model, f"{prefix}{part}__"
            joined[prefix] = target
    return [
        prefix + name
        for prefix, target in joined.items()
        for name in BOOKKEEPING
        if name in {f.name for f in target._meta.concrete_fields}
    ]


def _public_citations():
    citations = Citation.objects.filter(source__editorial_status__in=PUBLIC_STATUSES).select_related("source")
    return citations.defer(*unshown(Citation, "source"))


def public_citations():
    """Citations whose source is public, with the source: the one citation prefetch."""
    return Prefetch("citations", queryset=_public_citations())


def _claim(record):
    return record.get_claim_status_display() if hasattr(record, "claim_status") else ""


# Each kind: its public records of a company (a queryset), and the event day they sort by.

def _public(model, when):
    """The public records of `model` then, leaving out those that point at a draft (a
    contract with a draft agency or reseller, say): the exports' rule, and the site's."""
    return public_snapshot(model, when).filter(linked_public_q(model))


def versions_of(company_id, when=None):
    return _public(PolicyVersion, when).filter(policy__company_id=company_id)


def _clauses_of(company_id, when):
    return (
        snapshot(CommitmentClause, when)
        .filter(version__policy__company_id=company_id)
        .filter(linked_public_q(CommitmentClause))  # its version, commitment, policy, company
        .exclude(change=ClauseChange.UNCHANGED)
    )


def statements_of(company_id, when=None):
    return _public(Statement, when).filter(company_id=company_id)


def _actions_of(company_id, when):
    return _public(EmployeeAction, when).filter(company_id=company_id)


def contracts_of(company_id, when=None):
    return _public(Contract, when).filter(Q(vendor_id=company_id) | Q(intermediary_id=company_id))


def observations_of(company_id, when=None):
    return _public(Observation, when).filter(company_id=company_id)


# Each kind: its entries, built from a few records already fetched with their related rows.

def with_related(records, *related):
    """The records with their related rows joined into the same query (select_related),
    less their bookkeeping timestamps; `history.as_of()` instances keep no joined rows, so
    `fetch` attaches those by one more query per relation."""
    if hasattr(records.model, "instance_type"):
        return records
    return records.select_related(*related).defer(*unshown(records.model, *related))


def fetch(rows, as_of, *related):
    """`rows` (a list) with their related rows attached, when they are `as_of` instances."""
    if as_of:
        prefetch_related_objects(rows, *related)
    return rows


def attach_citations(entries):
    """Each entry's public citations with their sources, for entries of any kinds (1 query)."""
    from django.contrib.contenttypes.models import ContentType

    by_kind = {}
    for entry in entries:
        entry.citations = []
        by_kind.setdefault(entry.kind, {})[entry.record.pk] = entry
    if not by_kind:
        return entries
    types = ContentType.objects.get_for_models(*(type(e.record) for e in entries), for_concrete_models=False)
    kind_of_type = {types[type(e.record)].pk: e.kind for e in entries}
    cited = [(types[type(e.record)].pk, e.record.pk) for e in entries]
    for citation in citation_rows(cited):
        by_kind[kind_of_type[citation.content_type_id]][citation.object_id].citations.append(citation)
    return entries


PAIR = 1 << 40  # (content type, object id) as one number, below 2**63 for content type ids under 2**23


def citation_rows(cited):
    """Public citations, with their sources, of the records named by (content type id, id)."""
    cited = sorted(set(cited))
    if any(pk >= PAIR or pk < 0 for _, pk in cited):  # beyond what one number can hold: the ORM's OR
        match = Q()
        for type_id, pk in cited:
            match |= Q(content_type_id=type_id, object_id=pk)
        return list(_public_citations().filter(match)) if cited else []
    return _citation_rows(
        types=sorted({t for t, _ in cited}),
        ids=sorted({pk for _, pk in cited}),
        pairs=sorted({t * PAIR + pk for t, pk in cited}),
    )


@precompiled(types=IDS, ids=IDS, pairs=IDS)
def _citation_rows(*, types, ids, pairs):
    """The first two lists let the (content type, object id) index narrow the search; the
    pairs keep only the records asked for, not another kind's record with the same id."""
    return (
        _public_citations()
        .filter(content_type_id__any=types, object_id__any=ids)
        .alias(pair=ExpressionWrapper(  # a big integer: Django binds a plain one as int4 on PostgreSQL
            F("content_type_id") * Value(PAIR, output_field=BigIntegerField()) + F("object_id"),
            output_field=BigIntegerField(),
        ))
        .filter(pair__any=pairs)
    )


def version_entries(versions):
    return [
        Entry(
            date=v.effective, kind="policyversion", label="Policy version", side=WORDS, record=v,
            title=f"{v.policy.title}: version in force {v.effective}",
            text=v.change_summary, url=v.get_absolute_url(),
        )
        for v in versions
    ]


def _clause_entries(clauses):
    return [
        Entry(
            date=c.version.effective, kind="commitmentclause", label="Commitment",
            side=WORDS, record=c,
            title=f"Commitment {c.get_change_display().lower()}: {c.commitment.title}",
            text=c.text, url=c.commitment.get_absolute_url(), change=c.change,
        )
        for c in clauses
    ]


def statement_entries(statements):
    return [
        Entry(
            date=s.made, kind="statement", label=f"Statement ({s.get_kind_display().lower()})",
            side=WORDS, record=s, title=f"{s.speaker}{', ' + s.speaker_role if s.speaker_role else ''}",
            text=s.quote, url=record_url("statement", s.pk), claim_status=_claim(s),
        )
        for s in statements
    ]


def _action_entries(actions):
    return [
        Entry(
            date=a.started if a.started else a.reported, kind="employeeaction",
            label=a.get_kind_display(), side=VOICES, record=a, title=a.title, text=a.description,
            url=record_url("employeeaction", a.pk), claim_status=_claim(a),
        )
        for a in actions
    ]


def _contract_entries(contracts):
    return [
        Entry(
            date=c.started, kind="contract", label="Contract", side=DEEDS, record=c,
            title=c.title, text=c.description, url=record_url("contract", c.pk), claim_status=_claim(c),
        )
        for c in contracts
    ]


def _observation_entries(observations):
    return [
        Entry(
            date=o.observed, kind="observation", label="Observation", side=DEEDS, record=o,
            title=record_title(o), text=o.note, url=record_url("observation", o.pk), claim_status=_claim(o),
        )
        for o in observations
    ]


@dataclass(frozen=True)
class Kind:
    records: object  # (company id, when) -> queryset
    day: object  # expression for the event day
    entries: object  # [record with its related rows] -> [Entry]
    related: tuple = ()  # what its entries show of other records


KINDS = {
    "policyversion": Kind(versions_of, F("effective_on"), version_entries, ("policy__company",)),
    "commitmentclause": Kind(
        _clauses_of, F("version__effective_on"), _clause_entries, ("commitment__policy__company", "version")
    ),
    "statement": Kind(statements_of, F("made_on"), statement_entries),
    "employeeaction": Kind(_actions_of, Coalesce("started_on", "reported_on"), _action_entries),
    "contract": Kind(contracts_of, F("started_on"), _contract_entries, ("agency", "vendor", "intermediary")),
    "observation": Kind(observations_of, F("observed_on"), _observation_entries, ("agency",)),
}

# The timeline's queries, compiled once per process (lib/precompiled.py). `as_of` is part of
# the shape: the records then come from the history tables, `when` being the moment.


@precompiled(company=INT, when=DATETIME)
def _count_rows(as_of, *, company, when):
    when = when if as_of else None
    parts = [
        kind.records(company, when).order_by()
        .annotate(entry_kind=Value(name, output_field=CharField()))
        .values("entry_kind").annotate(n=Count("id")).values_list("entry_kind", "n")
        for name, kind in KINDS.items()
    ]
    return parts[0].union(*parts[1:], all=True)


def timeline_counts(company, when=None):
    """How many public entries of each kind the company has (one query)."""
    counts = dict.fromkeys(KINDS, 0)
    counts.update(_count_rows(when is not None, company=company.pk, when=when))
    return counts


@precompiled(company=INT, when=DATETIME)
def _key_rows(as_of, start, stop, *, company, when):
    """(kind, id, undated, day) of the entries from `start` to `stop`, latest first: one UNION."""
    when = when if as_of else None
    parts = [
        kind.records(company, when).order_by()
        .annotate(entry_kind=Value(name, output_field=CharField()), day=kind.day)
        .annotate(undated=Case(When(day__isnull=True, then=Value(1)), default=Value(0),
                               output_field=IntegerField()))
        .values_list("entry_kind", "id", "undated", "day")
        for name, kind in KINDS.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("-undated", "-day", "-entry_kind", "-id")[start:stop]


@precompiled(company=INT, when=DATETIME, ids=IDS)
def _kind_rows(as_of, name, *, company, when, ids):
    """The records of one kind with these ids, with their related rows."""
    kind = KINDS[name]
    return with_related(kind.records(company, when if as_of else None).filter(id__any=ids), *kind.related)


def kind_records(name, company_id, when, ids):
    """Records of kind `name` (a key of KINDS) of the company, by id, with their related rows."""
    rows = _kind_rows(when is not None, name, company=company_id, when=when, ids=ids)
    return fetch(rows, when is not None, *KINDS[name].related)


@dataclass
class TimelinePage:
    entries: list  # oldest first
    number: int  # 1 is the latest page
    num_pages: int
    total: int
    counts: dict
    per_page: int = PER_PAGE

    @property
    def has_earlier(self):
        return self.number < self.num_pages

    @property
    def has_later(self):
        return self.number > 1

    @property
    def earlier_number(self):
        return self.number + 1

    @property
    def later_number(self):
        return self.number - 1

    @property
    def first_position(self):
        """Position of the page's oldest entry in the whole timeline, 1 being the oldest."""
        return max(1, self.total - self.number * self.per_page + 1)

    @property
    def earlier_count(self):
        return self.first_position - 1

    @property
    def last_position(self):
        return self.total - (self.number - 1) * self.per_page


def timeline_page(company, when=None, number=1, per_page=PER_PAGE):
    """Page `number` of the company's timeline (1 = latest; past the end = the earliest page)."""
    counts = timeline_counts(company, when)
    total = sum(counts.values())
    num_pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), num_pages)
    start = (number - 1) * per_page
    keys = _key_rows(when is not None, start, start + per_page, company=company.pk, when=when)
    entries = _entries(company, when, keys)
    return TimelinePage(entries, number, num_pages, total, counts, per_page)


def _entries(company, when, keys):
    ids = {}
    for kind, pk, _undated, _day in keys:
        ids.setdefault(kind, []).append(pk)
    entries = []
    for name, pks in ids.items():
        entries.extend(KINDS[name].entries(kind_records(name, company.pk, when, pks)))
    attach_citations([e for e in entries if e.kind != "commitmentclause"])  # clauses show their version's
    return sorted(entries, key=_order)


def _order(entry):
    date = entry.date.date
    return (date is None, date.toordinal() if date else 0, entry.kind, entry.record.pk)
