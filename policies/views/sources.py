"""The source page: the document, its archive copy, and every public record citing it."""

from collections import defaultdict

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, render

from ..kinds import KIND_LABELS, kind_of, record_title, record_url
from ..listings import public_ids
from ..models import EmployeeAction, Source


def _public(record, visible):
    """Public itself (embargo lifted) and everything it points at public (`visible`)."""
    if record is None or not getattr(record, "is_public", True):
        return False
    if isinstance(record, EmployeeAction) and record.is_embargoed:
        return False
    return (type(record), record.pk) in visible


def source(request, pk):
    obj = get_object_or_404(Source.objects.public(), pk=pk)
    # Queries: source (1), citations (1), one per kind of citing record.
    citations = list(obj.citations.select_related("content_type").order_by("content_type_id", "object_id"))
    prefetch_related_objects(citations, "record")
    visible = public_ids(c.record for c in citations)  # one more query per kind
    grouped = defaultdict(list)
    for c in citations:
        if _public(c.record, visible):
            kind = kind_of(c.record)
            grouped[KIND_LABELS.get(kind, kind)].append(
                {"title": record_title(c.record), "url": record_url(kind, c.record.pk),
                 "quote": c.quote, "locator": c.locator}
            )
    return render(request, "policies/source.html", {"source": obj, "cited_by": sorted(grouped.items())})
