"""Search across companies, policies, statements, contracts and sources.

`search_queryset(queryset, text)` filters any searchable queryset; `search(text)`
returns ranked hits across kinds. Every caller (search page, company directory,
anything else) goes through these. PostgreSQL: full-text search with ranking over
the same `SearchVector` expression the GIN indexes of migration
`0003_search_indexes` are built on. SQLite: every term must appear (icontains) in
one of the fields.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from .kinds import KIND_LABELS, record_url
from .models import Company, Contract, Policy, Source, Statement

CONFIG = "english"
MAX_TERMS = 12

# model -> the fields searched (the GIN index expression uses the same order)
SEARCH_FIELDS = {
    Company: ("name", "summary"),
    Policy: ("title", "summary"),
    Statement: ("speaker", "quote"),
    Contract: ("title", "description", "award_id"),
    Source: ("title", "publisher"),
}


def search_vector(model):
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*SEARCH_FIELDS[model], config=CONFIG)


def terms(text):
    """At most MAX_TERMS words; NUL bytes dropped (PostgreSQL text cannot hold them)."""
    return (text or "").replace("\x00", " ").split()[:MAX_TERMS]


def search_queryset(queryset, text):
    """`queryset` narrowed to rows matching `text`, best first (ranked on PostgreSQL)."""
    words = terms(text)
    if not words:
        return queryset.none()
    model = queryset.model
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(" ".join(words), config=CONFIG, search_type="websearch")
        vector = search_vector(model)
        return (
            queryset.annotate(search_rank=SearchRank(vector, query))
            .alias(search_document=vector)
            .filter(search_document=query)
            .order_by("-search_rank", "pk")
        )
    for word in words:
        queryset = queryset.filter(_any_field_contains(model, word))
    return queryset.order_by("pk")


def _any_field_contains(model, word):
    q = Q()
    for name in SEARCH_FIELDS[model]:
        q |= Q(**{f"{name}__icontains": word})
    return q


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: str
    rank: float


def _hit(obj):
    kind = obj._meta.model_name
    if isinstance(obj, Company):
        title, url, text = obj.name, obj.get_absolute_url(), obj.summary
    elif isinstance(obj, Policy):
        title, url, text = f"{obj.company.name}: {obj.title}", obj.get_absolute_url(), obj.summary
    elif isinstance(obj, Statement):
        title = f"{obj.company.name}: {obj.speaker}, {obj.made}"
        url, text = record_url(kind, obj.pk), obj.quote
    elif isinstance(obj, Contract):
        title, url, text = obj.title, record_url(kind, obj.pk), obj.description
    else:
        title, url, text = obj.title, obj.get_absolute_url(), obj.publisher
    snippet = text if len(text) <= 240 else text[:237].rsplit(" ", 1)[0] + "…"
    return Hit(KIND_LABELS[kind], title, url, snippet, float(getattr(obj, "search_rank", 0) or 0))


SEARCHED = (
    lambda: Company.objects.public(),
    lambda: Policy.objects.public().filter(company__editorial_status__in=("published", "retracted"))
    .select_related("company"),
    lambda: Statement.objects.public().select_related("company"),
    lambda: Contract.objects.public(),
    lambda: Source.objects.public(),
)


def search(text, limit=20):
    """Hits of every kind, best first: one query per kind."""
    hits = []
    for base in SEARCHED:
        hits += [_hit(obj) for obj in search_queryset(base(), text)[:limit]]
    return sorted(hits, key=lambda h: -h.rank)[: limit * 2]
