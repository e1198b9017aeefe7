"""Public history of one record, and the site-wide recent changes."""

from django.shortcuts import render

from ..kinds import KIND_LABELS, record_title
from ..public_history import recent_changes, record_history
from .records import get_public_record

RECENT_LIMIT = 100


def record_history_view(request, kind, pk):
    record = get_public_record(kind, pk)
    context = {
        "record": record, "kind": kind, "kind_label": KIND_LABELS[kind], "title": record_title(record),
        "versions": record_history(kind, record),
    }
    return render(request, "policies/history.html", context)


def changes(request):
    changes = recent_changes(limit=RECENT_LIMIT)
    return render(request, "policies/changes.html", {"changes": changes})
