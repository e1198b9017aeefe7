"""The agency page: who sells what to it, totals by vendor family, through resellers."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Func, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from ..asof import public_linked
from ..models import Agency, CompanyRelationship, Contract, ContractProduct, Product, RelationshipKind
from ..timeline import public_citations
from .paging import paginate

FAMILY_KINDS = (RelationshipKind.SUBSIDIARY, RelationshipKind.DIVISION)
NOT_REPORTED = "Maker not reported"


@dataclass
class VendorTotal:
    name: str
    company: object = None
    totals: dict = field(default_factory=lambda: defaultdict(Decimal))
    members: set = field(default_factory=set)
    intermediaries: set = field(default_factory=set)
    contracts: list = field(default_factory=list)

    @property
    def total_items(self):
        return sorted(self.totals.items())


def family_roots():
    """child id -> top parent, through published subsidiary/division links (1 query)."""
    parents = {
        link.child_id: link.parent
        for link in CompanyRelationship.objects.public()
        .filter(kind__in=FAMILY_KINDS, parent__editorial_status__in=("published", "retracted"))
        .select_related("parent")
    }

    def root(company):
        seen = set()
        while company.pk in parents and company.pk not in seen:
            seen.add(company.pk)
            company = parents[company.pk]
        return company

    return root


def vendor_totals(contracts):
    """Contracts grouped by the vendor's corporate family (resellers credited to the maker)."""
    root = family_roots()
    groups = {}
    for c in contracts:
        vendor = c.vendor if c.vendor and c.vendor.is_public else None
        top = root(vendor) if vendor else None
        key = top.pk if top else None
        group = groups.setdefault(key, VendorTotal(top.name if top else NOT_REPORTED, top))
        if vendor and top and vendor.pk != top.pk:
            group.members.add(vendor.name)
        if c.intermediary and c.intermediary.is_public:
            group.intermediaries.add(c.intermediary.name)
        if c.amount is not None:
            group.totals[c.currency] += c.amount
        group.contracts.append(c)
    return sorted(groups.values(), key=lambda g: (g.company is None, -sum(g.totals.values())))


def agency(request, slug):
    obj = get_object_or_404(Agency.objects.public().select_related("parent"), slug=slug)
    # Queries: agency (1), sub-agencies (1), contracts with agency/vendor/intermediary (1),
    # products (1), citations with sources (1), family links (1), gaps (1) + their replies (1).
    children = list(obj.children.public())
    contracts = list(
        public_linked(Contract)
        .filter(agency__in=[obj, *children])
        .select_related("agency", "vendor", "intermediary")
        .prefetch_related(
            # Only public products whose maker is public too (the product's page is then found).
            Prefetch(
                "contractproduct_set",
                queryset=ContractProduct.objects.filter(product__in=public_linked(Product))
                .select_related("product"),
            ),
            public_citations(),
        )
        .order_by("started_on", "pk")
    )
    context = {"agency": obj, "children": children, "contracts": contracts,
               "vendors": vendor_totals(contracts), "gaps": _gaps_about([obj, *children])}
    return render(request, "policies/agency.html", context)


def agency_list(request):
    """Public agencies by name, each with its public contracts and its sub-agencies' (2 queries a page)."""
    contracts = (
        public_linked(Contract)
        .filter(Q(agency=OuterRef("pk")) | Q(agency__parent=OuterRef("pk")))
        .order_by()
        .values(n=Func(F("pk"), function="COUNT"))
    )
    agencies = (
        Agency.objects.public()
        .select_related("parent")
        .annotate(contract_count=Coalesce(Subquery(contracts), Value(0)))
        .order_by("name", "pk")
    )
    return render(request, "policies/agencies.html", {"page": paginate(request, agencies)})


def _gaps_about(agencies):
    """Public gaps whose evidence includes a public contract or usage figure of these agencies."""
    from django.contrib.contenttypes.models import ContentType

    from ..listings import attach_public_replies, public_gaps
    from ..models import GapEvidence, Observation

    types = ContentType.objects.get_for_models(Contract, Observation)
    evidence = GapEvidence.objects.filter(
        Q(content_type=types[Contract],
          object_id__in=public_linked(Contract).filter(agency__in=agencies).values("pk"))
        | Q(content_type=types[Observation],
            object_id__in=public_linked(Observation).filter(agency__in=agencies).values("pk"))
    )
    gaps = list(public_gaps().filter(pk__in=evidence.values("gap_id")).prefetch_related(None))
    return attach_public_replies(gaps, evidence.values("gap_id"))
