"""Query functions for the public listings, one per listing, shared by pages and feeds."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .asof import linked_public_q, public_linked, public_snapshot
from .lib.precompiled import DATETIME, INT, precompiled
from .models import Company, Gap, RightOfReply
from .models.gaps import OPEN_GAP_STATUSES
from .search import matching

SEVERITY_ORDER = Case(
    When(severity="high", then=Value(0)), When(severity="medium", then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)


def _public_replies():
    return RightOfReply.objects.public().order_by("-asked_on")


def public_replies():
    return Prefetch("replies", queryset=_public_replies())


def attach_public_replies(gaps, gap_ids):
    """Each gap's public replies, newest first, where `gap.replies.all()` reads them.

    `gap_ids` (a subquery) decides what is fetched, not the gaps found, so this is one
    query whether `gaps` holds many gaps or none.
    """
    gap_type = ContentType.objects.get_for_model(Gap)
    return _with_replies(gaps, _public_replies().filter(content_type=gap_type, object_id__in=gap_ids))


def _with_replies(gaps, replies):
    """Each reply (newest first) where its gap's `gap.replies.all()` reads it."""
    found = defaultdict(list)
    for reply in replies:
        found[reply.object_id].append(reply)
    for gap in gaps:
        gap._prefetched_objects_cache = {"replies": found.get(gap.pk, [])}  # as prefetch_related leaves it
    return gaps


def _ordered_gaps(company_id, when):
    """Public gaps whose company, commitment and the commitment's policy are public too: a
    published gap about a commitment still in draft would print the draft's title."""
    qs = public_snapshot(Gap, when).filter(linked_public_q(Gap))
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    return qs.annotate(
        is_closed=Case(When(status__in=OPEN_GAP_STATUSES, then=Value(0)), default=Value(1),
                       output_field=IntegerField()),
        severity_rank=SEVERITY_ORDER,
    ).order_by("is_closed", "severity_rank", "-created_at")


def public_gaps(company=None, when=None):
    """Public gaps, open ones first, then by severity and recency (as recorded at `when`).

    Queries: the gaps with company and commitment (1), their public replies (1).
    """
    from django.db.models import prefetch_related_objects

    qs = _ordered_gaps(company.pk if company is not None else None, when)
    if when is None:
        return qs.select_related("company", "commitment").prefetch_related(public_replies())
    gaps = list(qs)
    prefetch_related_objects(gaps, "company", "commitment", public_replies())
    return gaps


def company_gaps(company, when=None):
    """The company page's gaps: `public_gaps` of one company, in a fixed number of queries.

    Related rows are fetched by the company, not by the gaps found, so the count does not
    depend on how many gaps the company has, none included: 2 queries now (the gaps with
    their commitments, their public replies), 3 as of a date (the gaps, the commitments,
    the replies). Their supporting signals: `gaps.pages.supporting_signals(company=...)`.
    Compiled once per process (lib/precompiled.py).
    """
    as_of = when is not None
    gaps = _company_gap_rows(as_of, company=company.pk, when=when)
    if as_of:
        commitments = {c.pk: c for c in _company_commitments(company=company.pk)}
    for gap in gaps:
        gap.company = company
        if as_of:
            gap.commitment = commitments.get(gap.commitment_id)
    gap_type = ContentType.objects.get_for_model(Gap).pk
    return _with_replies(gaps, _company_gap_replies(company=company.pk, gap_type=gap_type))


@precompiled(company=INT, when=DATETIME)
def _company_gap_rows(as_of, *, company, when):
    qs = _ordered_gaps(company, when if as_of else None)
    return qs if as_of else qs.select_related("commitment")


@precompiled(company=INT)
def _company_commitments(*, company):
    from .models import Commitment

    return Commitment.objects.filter(policy__company_id=company)


@precompiled(company=INT, gap_type=INT)
def _company_gap_replies(*, company, gap_type):
    """A variable, the content type's id: a database flushed and loaded again (tests, a
    restore) numbers content types anew, and the SQL compiled before must follow."""
    return _public_replies().filter(
        content_type_id=gap_type,
        object_id__in=Gap.objects.filter(company_id=company).values("pk"),
    )


def open_gap_count():
    return Gap.objects.public().filter(status__in=OPEN_GAP_STATUSES).count()


DIRECTORY_ORDERS = {"name": ("name",), "gaps": ("-open_gaps", "name")}


def company_directory(q="", topic=None, agency=None, open_gaps=False, order="name"):
    """Public companies for the directory, filtered; annotated with their open-gap count.

    The count is a correlated subquery (an index lookup on the gaps' company_id), so
    PostgreSQL computes it only for the rows of the page shown (sort=name) and the
    paginator's COUNT(*) leaves it out; nothing joins every company to every gap.
    """
    qs = Company.objects.public()
    if q:
        qs = matching(qs, q)
    if topic is not None or agency is not None:
        qs = Company.objects.filter(id__in=_related_to(qs, topic, agency).values("id"))
    if open_gaps:
        qs = qs.filter(Exists(_open_gaps()))
    counts = _open_gaps().order_by().values("company_id").annotate(n=Count("pk")).values("n")
    qs = qs.annotate(open_gaps=Coalesce(Subquery(counts), Value(0)))
    return qs.order_by(*DIRECTORY_ORDERS[order])


def _open_gaps():
    """The public open gaps of the company of the outer query (the public rule, as listed)."""
    return public_linked(Gap).filter(company_id=OuterRef("pk"), status__in=OPEN_GAP_STATUSES)


def _related_to(qs, topic, agency):
    """Companies tied to `topic` or `agency` through public records only: a draft contract
    or statement must not show, by the companies a filter lists, that it exists."""
    from .models import Commitment, Contract, Product, Statement

    if topic is not None:
        commitments = public_linked(Commitment).filter(topics=topic).values("policy__company_id")
        statements = public_linked(Statement).filter(topics=topic).values("company_id")
        products = public_linked(Product).filter(capabilities__topics=topic).values("company_id")
        qs = qs.filter(Q(pk__in=commitments) | Q(pk__in=statements) | Q(pk__in=products))
    if agency is not None:
        contracts = public_linked(Contract).filter(agency=agency)
        qs = qs.filter(
            Q(pk__in=contracts.values("vendor_id")) | Q(pk__in=contracts.values("intermediary_id"))
        )
    return qs


def public_ids(records):
    """{(model, pk)} of those of `records` (any kinds) the public may see: one query per kind."""
    by_model = defaultdict(set)
    for record in records:
        if record is not None:
            by_model[type(record)].add(record.pk)
    out = set()
    for model, pks in by_model.items():
        if not hasattr(model, "editorial_status"):
            out |= {(model, pk) for pk in pks}
            continue
        out |= {(model, pk) for pk in public_linked(model).filter(pk__in=pks).values_list("pk", flat=True)}
    return out

