"""Query functions for the public listings, one per listing, shared by pages and feeds."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .asof import public_snapshot
from .models import Company, Gap, RightOfReply
from .models.gaps import OPEN_GAP_STATUSES
from .search import matching

SEVERITY_ORDER = Case(
    When(severity="high", then=Value(0)), When(severity="medium", then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)


def public_replies():
    return Prefetch("replies", queryset=RightOfReply.objects.public().order_by("-asked_on"))


def public_gaps(company=None, when=None):
    """Public gaps, open ones first, then by severity and recency (as recorded at `when`).

    Queries: the gaps with company and commitment (1), their public replies (1).
    """
    from django.db.models import prefetch_related_objects

    qs = public_snapshot(Gap, when).filter(company__editorial_status__in=("published", "retracted"))
    if company is not None:
        qs = qs.filter(company_id=company.pk)
    qs = qs.annotate(
        is_closed=Case(When(status__in=OPEN_GAP_STATUSES, then=Value(0)), default=Value(1),
                       output_field=IntegerField()),
        severity_rank=SEVERITY_ORDER,
    ).order_by("is_closed", "severity_rank", "-created_at")
    if when is None:
        return qs.select_related("company", "commitment").prefetch_related(public_replies())
    gaps = list(qs)
    prefetch_related_objects(gaps, "company", "commitment", public_replies())
    return gaps


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
    """The public open gaps of the company of the outer query."""
    return Gap.objects.filter(
        company_id=OuterRef("pk"), status__in=OPEN_GAP_STATUSES,
        editorial_status__in=("published", "retracted"),
    )


def _related_to(qs, topic, agency):
    if topic is not None:
        qs = qs.filter(
            Q(policies__commitments__topics=topic) | Q(statements__topics=topic)
            | Q(products__capabilities__topics=topic)
        )
    if agency is not None:
        qs = qs.filter(Q(contracts__agency=agency) | Q(intermediated_contracts__agency=agency))
    return qs
