"""Record pages and permalinks: /records/<kind>/<pk>/ never changes, even when slugs do.

Kinds with a page of their own (company, policy, gap, ...) redirect there; the
others (statements, employee actions, contracts, observations, products, ...)
are shown here with their facts, sources, right of reply, "cite this" and history.
"""

from django.http import Http404
from django.shortcuts import redirect, render

from ..asof import public_linked
from ..citing import cite
from ..kinds import KIND_LABELS, model_for, record_title
from ..lib.event_dates import EventDate
from ..listings import public_replies
from ..models.base import PUBLIC_STATUSES
from ..public_history import PUBLIC_FIELDS
from ..timeline import public_citations

OWN_PAGES = {"company", "agency", "policy", "policyversion", "commitment", "gap", "source"}
RELATED = {
    "statement": ("company", "agency"),
    "employeeaction": ("company", "agency"),
    "contract": ("agency", "vendor", "intermediary"),
    "observation": ("company", "agency", "contract"),
    "product": ("company",),
    "rightofreply": ("company",),
    "companyrelationship": ("parent", "child"),
}
HIDDEN_FACTS = {"editorial_status", "correction_note", "claim_status"}


def facts(kind, record):
    """(label, value) pairs from the public field whitelist; event dates at their precision."""
    out = []
    for name in PUBLIC_FIELDS[kind]:
        if name in HIDDEN_FACTS or name.endswith("_precision"):
            continue
        value = getattr(record, name)
        if name.endswith("_on") and hasattr(record, name.replace("_on", "_precision")):
            value = EventDate(value, getattr(record, name.replace("_on", "_precision"))) if value else None
        elif record._meta.get_field(name).choices:
            value = getattr(record, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        if value in (None, ""):
            continue
        out.append((str(record._meta.get_field(name).verbose_name).capitalize(), value))
    return out


def _related(kind, record):
    links = []
    for name in RELATED.get(kind, ()):
        other = getattr(record, name)
        if other is not None and getattr(other, "is_public", True):
            label = str(record._meta.get_field(name).verbose_name).capitalize()
            links.append((label, other))
    return links


def get_public_record(kind, pk):
    """The public record of `kind` with its related rows, citations and replies, or 404."""
    model = model_for(kind)
    qs = public_linked(model).filter(pk=pk)
    if hasattr(model, "citations"):  # rights of reply cite nothing
        qs = qs.prefetch_related(public_citations())
    if RELATED.get(kind):
        qs = qs.select_related(*RELATED[kind])
    if hasattr(model, "replies"):
        qs = qs.prefetch_related(public_replies())
    record = qs.first()
    if record is None:
        raise Http404("No such public record.")
    return record


def record(request, kind, pk):
    if kind in OWN_PAGES:
        record_obj = get_public_record(kind, pk)
        return redirect(record_obj.get_absolute_url())
    record_obj = get_public_record(kind, pk)
    context = {
        "record": record_obj, "kind": kind, "kind_label": KIND_LABELS[kind],
        "title": record_title(record_obj), "facts": facts(kind, record_obj),
        "related": _related(kind, record_obj),
        "citations": list(record_obj.citations.all()) if hasattr(record_obj, "citations") else [],
        "replies": list(record_obj.replies.all()) if hasattr(record_obj, "replies") else None,
        "cite": cite(kind, record_obj), "retracted": record_obj.editorial_status == PUBLIC_STATUSES[1],
    }
    return render(request, "policies/record.html", context)
