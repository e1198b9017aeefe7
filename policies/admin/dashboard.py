"""The admin index's work lists: drafts waiting for review, overdue right-of-reply requests."""

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from .. import roles
from ..models.base import Citable
from .gaps import days_overdue, overdue_replies

LIMIT = 25


@dataclass
class Waiting:
    record: object
    kind: str
    url: str
    updated_at: object
    citations: int | None  # None: the kind needs none

    @property
    def ready(self):
        return self.citations is None or self.citations > 0


def waiting_for_review(limit=LIMIT):
    """Drafts of every publishable kind, most recently edited first (one query per kind)."""
    rows = []
    for model in roles.publishable_models():
        drafts = model.objects.drafts().order_by("-updated_at")
        if issubclass(model, Citable):
            drafts = drafts.annotate(citation_count=Count("citations", distinct=True))
        for record in drafts[:limit]:
            rows.append(_waiting(model, record))
    rows.sort(key=lambda row: row.updated_at, reverse=True)
    return rows[:limit]


def _waiting(model, record):
    opts = model._meta
    return Waiting(
        record=record,
        kind=str(opts.verbose_name).capitalize(),
        url=reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]),
        updated_at=record.updated_at,
        citations=getattr(record, "citation_count", None),
    )


def overdue(limit=LIMIT):
    replies = overdue_replies().select_related("company", "content_type")[:limit]
    return [
        {
            "reply": reply,
            "days": days_overdue(reply),
            "url": reverse("admin:policies_rightofreply_change", args=[reply.pk]),
        }
        for reply in replies
    ]
