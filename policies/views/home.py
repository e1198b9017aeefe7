"""The home page: what changed lately, open gaps, counts, a search box."""

from django.shortcuts import render

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
            ("agencies", Agency.objects.public().count()),
            ("contracts", Contract.objects.public().count()),
            ("statements", Statement.objects.public().count()),
            ("sources", Source.objects.public().count()),
        ],
    }
    return render(request, "policies/home.html", context)
