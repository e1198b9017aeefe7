"""The editorial workflow: publish, retract and un-publish, each one atomic write.

Records start as drafts. Only users with the `publish_<model>` permission (the
Reviewers group) may move them. A citable record cannot be published without at
least one citation; publishing it also publishes the draft sources it cites and
the draft right-of-reply entries attached to it, so a public record never points
at an invisible source.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .asof import status_links
from .models import Citation, EditorialStatus, RightOfReply, Source
from .models.base import PUBLIC_STATUSES, Citable
from .roles import can_publish


class EditorialError(Exception):
    """The record cannot make this move; the message says why, in words for staff."""


def missing_for_publication(record):
    """What stops `record` from being published, as sentences (empty when nothing does)."""
    if isinstance(record, Citable) and not _citations(record).exists():
        name = record._meta.verbose_name
        return [f"This {name} has no citation: add at least one source in “Citations” and save."]
    return []


def hidden_behind(record, depth=3):
    """The records `record` points at that are not public (a draft agency, a company taken
    back to draft), as sentences: while any is, the site and the exports leave `record`
    out even once it is published (asof.linked_public_q)."""
    found = []
    for field in status_links(type(record)):
        linked = getattr(record, field.name)
        if linked is None:
            continue
        if linked.editorial_status not in PUBLIC_STATUSES:
            status = linked.get_editorial_status_display().lower()
            found.append(f"its {field.verbose_name} “{linked}” is {status}")
        elif depth > 1:
            found += [f"{hidden} (through its {field.verbose_name} “{linked}”)"
                      for hidden in hidden_behind(linked, depth - 1)]
    return found


def publish(record, *, user, reason):
    with transaction.atomic():
        record = _locked(record, user, reason)
        if record.editorial_status == EditorialStatus.PUBLISHED:
            raise EditorialError("It is already published.")
        missing = missing_for_publication(record)
        if missing:
            raise EditorialError(" ".join(missing))
        record.editorial_status = EditorialStatus.PUBLISHED
        record.published_at = record.published_at or timezone.now()
        _save(record, user, reason)
        _publish_dependants(record, user, reason)
    return record


def retract(record, *, user, reason, correction_note):
    """Withdraw a published record. It stays visible as a correction, with the note."""
    if not (correction_note or "").strip():
        raise EditorialError("A retraction needs a public correction note.")
    with transaction.atomic():
        record = _locked(record, user, reason)
        if record.editorial_status != EditorialStatus.PUBLISHED:
            raise EditorialError("Only a published record can be retracted.")
        record.editorial_status = EditorialStatus.RETRACTED
        record.correction_note = correction_note.strip()
        _save(record, user, reason)
    return record


def unpublish(record, *, user, reason):
    """Take a record back to draft (it leaves the public site; its history stays)."""
    with transaction.atomic():
        record = _locked(record, user, reason)
        if record.editorial_status == EditorialStatus.DRAFT:
            raise EditorialError("It is already a draft.")
        record.editorial_status = EditorialStatus.DRAFT
        _save(record, user, reason)
    return record


def _locked(record, user, reason):
    if not can_publish(user, type(record)):
        raise PermissionDenied("Only reviewers can publish, retract or un-publish.")
    if not (reason or "").strip():
        raise EditorialError("Give a reason for this change.")
    return type(record).objects.select_for_update().get(pk=record.pk)


def _save(record, user, reason):
    record._change_reason = reason.strip()
    record._history_user = user
    record.save()


def _citations(record):
    ct = ContentType.objects.get_for_model(record)
    return Citation.objects.filter(content_type=ct, object_id=record.pk)


def _publish_dependants(record, user, reason):
    why = f"Published with {record._meta.verbose_name} “{record}”: {reason.strip()}"
    sources = Source.objects.filter(
        pk__in=_citations(record).values("source_id"), editorial_status=EditorialStatus.DRAFT
    )
    replies = RightOfReply.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        editorial_status=EditorialStatus.DRAFT,
    )
    for dependant in [*sources.select_for_update(), *replies.select_for_update()]:
        dependant.editorial_status = EditorialStatus.PUBLISHED
        dependant.published_at = timezone.now()
        _save(dependant, user, why)
