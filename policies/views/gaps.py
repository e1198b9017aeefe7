"""Gap pages: the commitment, the evidence in time order, the company's responses."""

from collections import defaultdict

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import render

from ..asof import as_of_from, linked_public_q, public_snapshot, snapshot
from ..gaps.pages import gap_detail_data
from ..kinds import KIND_LABELS, kind_of, record_title, record_url
from ..listings import public_gaps, public_ids, public_replies
from ..models import CommitmentClause, EmployeeAction, Gap, GapEvidence
from ..models.base import PUBLIC_STATUSES
from ..timeline import public_citations
from .paging import paginate

EVENT_FIELDS = ("made", "started", "observed", "effective", "published", "reported")


def event_date_of(record):
    """The record's event date (an EventDate), whichever field it keeps it in."""
    for name in EVENT_FIELDS:
        value = getattr(record, name, None)
        if value:
            return value
    return None


def gap_list(request):
    page = paginate(request, public_gaps())
    return render(request, "policies/gaps.html", {"page": page})


def _gap(slug, when):
    found = (
        public_snapshot(Gap, when)
        .filter(linked_public_q(Gap), slug=slug)
        .first()
    )
    if found is None:
        raise Http404("No such published gap.")
    prefetch_related_objects([found], "company", "commitment__policy", public_citations(), public_replies())
    return found


def _is_public(record):
    if isinstance(record, EmployeeAction) and record.is_embargoed:
        return False
    return getattr(record, "is_public", True)


def _evidence(gap):
    """Public evidence records, oldest first, with citations.

    Queries: evidence rows (1), one per kind of evidence record, one citations query per kind.
    """
    rows = list(GapEvidence.objects.filter(gap_id=gap.pk).select_related("content_type"))
    prefetch_related_objects(rows, "record")
    visible = public_ids(row.record for row in rows)
    rows = [row for row in rows if row.record is not None and (type(row.record), row.record.pk) in visible]
    by_model = defaultdict(list)
    for row in rows:
        if _is_public(row.record):
            by_model[type(row.record)].append(row.record)
    for records in by_model.values():
        prefetch_related_objects(records, public_citations())
    items = []
    for row in rows:
        record = row.record
        if record is None or not _is_public(record):
            continue
        kind = kind_of(record)
        items.append({
            "record": record, "kind": kind, "label": KIND_LABELS[kind], "title": record_title(record),
            "note": row.note,
            "date": event_date_of(record), "url": record_url(kind, record.pk),
            "citations": list(record.citations.all()),
        })
    return sorted(items, key=lambda i: (i["date"] is None, i["date"].date if i["date"] else None))


def _clauses(gap, when):
    clauses = list(
        snapshot(CommitmentClause, when).filter(
            commitment_id=gap.commitment_id, version__editorial_status__in=PUBLIC_STATUSES
        ).order_by("version__effective_on")
    )
    prefetch_related_objects(clauses, "version")
    return clauses


def gap(request, slug):
    when = as_of_from(request)
    obj = _gap(slug, when)
    context = {
        "gap": obj, "as_of": when, "company": obj.company, "commitment": obj.commitment,
        "clauses": _clauses(obj, when), "evidence": _evidence(obj), "replies": list(obj.replies.all()),
        **gap_detail_data(obj, as_of=when),
    }
    return render(request, "policies/gap.html", context)
