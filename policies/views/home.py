"""The home page: what changed lately, open gaps, counts, a search box."""

from django.shortcuts import render

from .. import counts
from ..listings import public_gaps
from ..models import Company
from ..public_history import recent_changes


def home(request):
    # Queries: the counts (1, kept by policies.counts), companies (1), gaps with replies (2),
    # recent changes (one per kind).
    context = {
        "companies": Company.objects.public().order_by("name")[:12],
        "gaps": public_gaps()[:5],
        "changes": recent_changes(limit=8),
        "counts": counts.read(),
    }
    return render(request, "policies/home.html", context)
