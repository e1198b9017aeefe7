"""The home page: what changed lately, open gaps, counts, a search box."""

from django.shortcuts import render

from ..asof import public_linked
from ..listings import public_gaps
from ..models import Agency, Company, Contract, Source, Statement
from ..public_history import recent_changes


def home(request):
    # Queries: 5 counts, companies (1), gaps with replies (2), recent changes (one per kind).
    context = {
        "companies": Company.objects.public().order_by("name")[:12],
        "gaps": public_gaps()[:5],
        "changes": recent_changes(limit=8),
        "counts": [
            ("companies", Company.objects.public().count()),
            ("agencies", public_linked(Agency).count()),
            ("contracts", public_linked(Contract).count()),  # the ones a visitor can open
            ("statements", public_linked(Statement).count()),
            ("sources", Source.objects.public().count()),
        ],
    }
    return render(request, "policies/home.html", context)
