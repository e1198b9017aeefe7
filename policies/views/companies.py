"""The company directory and the company page, where words meet deeds."""

import re

from django.core.exceptions import BadRequest
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from ..asof import as_of_from, linked_public_q, public_snapshot, snapshot
from ..chart import build_chart
from ..gaps.pages import supporting_signals
from ..lib.precompiled import DATETIME, IDS, INT, TEXT, precompiled
from ..listings import DIRECTORY_ORDERS, company_directory, company_gaps
from ..models import (
    Agency,
    Commitment,
    CommitmentClause,
    Company,
    CompanyAlias,
    CompanyRelationship,
    Product,
    ProductCapability,
    Topic,
)
from ..models.base import PUBLIC_STATUSES
from ..timeline import fetch, timeline_page, with_related
from .paging import paginate

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
LATEST_STATEMENTS = 5  # under "What it says"; the rest are in the timeline


def _optional(model, request, name):
    """The object named by ?<name>=<slug>, None when absent; 400 when unknown."""
    slug = request.GET.get(name, "").strip()
    if not slug:
        return None
    records = model.objects.public() if hasattr(model.objects, "public") else model.objects.all()
    obj = records.filter(slug=slug).first() if SLUG.fullmatch(slug) else None  # a draft is unknown
    if obj is None:
        raise BadRequest(f"Unknown {name}.")
    return obj


def directory(request):
    topic = _optional(Topic, request, "topic")
    agency = _optional(Agency, request, "agency")
    q = request.GET.get("q", "").strip()[:200]
    open_gaps = request.GET.get("open_gaps") == "1"
    order = request.GET.get("sort", "name")
    if order not in DIRECTORY_ORDERS:
        raise BadRequest("Unknown sort order; use sort=name or sort=gaps.")
    companies = company_directory(q=q, topic=topic, agency=agency, open_gaps=open_gaps, order=order)
    page = paginate(request, companies)
    context = {
        "page": page, "q": q, "topic": topic, "agency": agency, "open_gaps": open_gaps, "sort": order,
        "topics": Topic.objects.all(),
        "agencies": _agency_options(agency),
    }
    return render(request, "policies/companies.html", context)


def _agency_options(selected):
    """(slug, label, selected) of every public agency, for the <select>: rows, not instances,
    since a deployment lists hundreds of agencies on every directory page."""
    chosen = selected.slug if selected is not None else None
    rows = Agency.objects.public().order_by("name").values_list("slug", "name", "abbreviation")
    return [(slug, f"{name} ({short})" if short else name, slug == chosen) for slug, name, short in rows]


def _gaps_with_signals(company, when):
    """The company's public gaps, open first, each with the signals that support it.

    3 queries now, 4 as of a date, whether the company has gaps or not.
    """
    gaps = company_gaps(company, when)
    signals = supporting_signals(company=company)
    for gap in gaps:
        gap.supporting = signals.get(gap.pk, [])
    return gaps


# The page's queries, compiled once per process (lib/precompiled.py); `as_of` is part of the
# shape (the rows then come from the history tables), `when` the moment.

def _company(slug, when):
    found = _company_rows(when is not None, slug=slug, when=when) if SLUG.fullmatch(slug) else []
    if found:
        return found[0]
    if when is None:
        raise Http404("No company by that name.")
    raise Http404("The tracker had not published this company on that date.")


@precompiled(slug=TEXT, when=DATETIME)
def _company_rows(as_of, *, slug, when):
    return public_snapshot(Company, when if as_of else None).filter(slug=slug)[:1]


@precompiled(company=INT, when=DATETIME)
def _aliases(as_of, *, company, when):
    return snapshot(CompanyAlias, when if as_of else None).filter(company_id=company).order_by("value")


@precompiled(company=INT)
def _family(*, company):
    """Published corporate links either way, with both companies (1 query)."""
    return (
        CompanyRelationship.objects.public()
        .filter(Q(parent_id=company) | Q(child_id=company))
        .filter(parent__editorial_status__in=PUBLIC_STATUSES, child__editorial_status__in=PUBLIC_STATUSES)
        .select_related("parent", "child")
    )


@precompiled(company=INT, when=DATETIME)
def _product_rows(as_of, *, company, when):
    return public_snapshot(Product, when if as_of else None).filter(company_id=company)


@precompiled(products=IDS)
def _capability_rows(*, products):
    capabilities = ProductCapability.objects.filter(product_id__any=products)
    return capabilities.select_related("capability").order_by("id")


def _products(company, when):
    """Products with their capabilities (2 queries)."""
    products = _product_rows(when is not None, company=company.pk, when=when)
    capabilities = {}
    for row in _capability_rows(products=[p.pk for p in products]):
        capabilities.setdefault(row.product_id, []).append(row)
    for p in products:  # where p.productcapability_set.all() reads them, as prefetch_related leaves them
        p._prefetched_objects_cache = {"productcapability_set": capabilities.get(p.pk, [])}
    return products


@precompiled(company=INT, when=DATETIME)
def _commitment_rows(as_of, *, company, when):
    public = public_snapshot(Commitment, when if as_of else None).filter(linked_public_q(Commitment))
    return public.filter(policy__company_id=company)  # not of a draft policy


@precompiled(commitments=IDS, when=DATETIME)
def _clause_rows(as_of, *, commitments, when):
    clauses = (
        snapshot(CommitmentClause, when if as_of else None)
        .filter(version__editorial_status__in=PUBLIC_STATUSES)
        .filter(commitment_id__any=commitments)
        .order_by("version__effective_on")
    )
    return with_related(clauses, *CLAUSE_RELATED)


CLAUSE_RELATED = ("version__policy__company",)


def _commitments(company, when):
    """Commitments with their latest public wording.

    2 queries (commitments; clauses with their versions, policies and companies);
    as of a date 5 (the clauses' versions, policies and companies by prefetch).
    """
    as_of = when is not None
    commitments = _commitment_rows(as_of, company=company.pk, when=when)
    clauses = _clause_rows(as_of, commitments=[c.pk for c in commitments], when=when)
    latest = {}
    for clause in fetch(clauses, as_of, *CLAUSE_RELATED):
        latest[clause.commitment_id] = clause
    for c in commitments:
        c.latest_clause = latest.get(c.pk)
    return commitments


def _timeline_page_number(request):
    """?page= of the company timeline: 1 (the latest) when absent; 400 unless a positive integer."""
    raw = request.GET.get("page", "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise BadRequest("page must be a whole number from 1 (the latest events).")
    return int(raw)


def _sources(entries, chart):
    """The public sources of what the page shows: its timeline entries and its chart figures."""
    found = {}
    for citation in (c for entry in entries for c in entry.citations):
        found.setdefault(citation.source.pk, citation.source)
    for source in chart.sources:
        found.setdefault(source.pk, source)
    return sorted(found.values(), key=lambda s: (s.publisher, s.title))


def company(request, slug):
    when = as_of_from(request)
    number = _timeline_page_number(request)
    obj = _company(slug, when)
    timeline = timeline_page(obj, when, number)
    chart = build_chart(obj, when, timeline.counts)
    statements = chart.statements[-LATEST_STATEMENTS:]
    context = {
        "company": obj,
        "as_of": when,
        "aliases": _aliases(when is not None, company=obj.pk, when=when),
        "family": _family(company=obj.pk),
        "products": _products(obj, when),
        "commitments": _commitments(obj, when),
        "gaps": _gaps_with_signals(obj, when),
        "timeline": timeline,
        "chart": chart,
        "statements": statements,
        "more_statements": timeline.counts["statement"] - len(statements),
        "sources": _sources(timeline.entries, chart),
    }
    return render(request, "policies/company.html", context)
