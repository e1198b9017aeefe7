"""The editorial workflow: publish, retract and un-publish, each one atomic write.

Records start as drafts. Only users with the `publish_<model>` permission (the
Reviewers group) may move them. A citable record cannot be published without at
least one citation; publishing it also publishes the draft sources it cites and
the draft right-of-reply entries attached to it, so a public record never points
at an invisible source.
"""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from .asof import status_links
from .models import Citation, EditorialStatus, RightOfReply, Source
from .models.base import PUBLIC_STATUSES, Citable
from .roles import can_publish


class EditorialError(Exception):
    """The record cannot make this move; the message says why, in words for staff."""


class ChangedSinceSeen(EditorialError):
    """What publishing would make public changed after the reviewer was shown it."""


CHANGED_SINCE_SEEN = (
    "It changed after you were shown it (the record, its citations, or the draft sources or "
    "replies published with it): look at it again, then publish it again."
)


def publication_fingerprint(record, lock=False):
    """A short digest of everything publishing `record` makes public as it stands: the
    record, its citations, and the draft sources and right-of-reply entries published with
    it (each as id and revision). A reviewer's confirmation carries it; `publish` refuses
    when it no longer matches, so nothing is published that the reviewer was not shown.
    `lock` locks the rows read (inside the publishing transaction)."""
    sources, replies = _dependants(record)
    parts = [("record", record.pk, record.revision)]
    for name, queryset in (("citation", _citations(record)), ("source", sources), ("reply", replies)):
        if lock:
            queryset = queryset.select_for_update()
        parts += [(name, pk, revision) for pk, revision in queryset.values_list("pk", "revision")]
    return hashlib.sha256(repr(sorted(parts)).encode()).hexdigest()[:20]


def published_with(record):
    """The draft sources and right-of-reply entries publishing `record` would publish too,
    named for staff ("source “Example report”")."""
    sources, replies = _dependants(record)
    return [f"{d._meta.verbose_name} “{Truncator(str(d)).words(12)}”" for d in [*sources, *replies]]


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


def publish(record, *, user, reason, fingerprint=None):
    """Publish `record` and its draft dependants; with `fingerprint` (publication_fingerprint
    as the reviewer was shown it), refuse with ChangedSinceSeen if anything changed since."""
    with transaction.atomic():
        record = _locked(record, user, reason)
        if record.editorial_status == EditorialStatus.PUBLISHED:
            raise EditorialError("It is already published.")
        if fingerprint is not None and publication_fingerprint(record, lock=True) != fingerprint:
            raise ChangedSinceSeen(CHANGED_SINCE_SEEN)
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


def _dependants(record):
    """(draft sources it cites, its draft right-of-reply entries): published with `record`."""
    sources = Source.objects.filter(
        pk__in=_citations(record).values("source_id"), editorial_status=EditorialStatus.DRAFT
    )
    replies = RightOfReply.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        editorial_status=EditorialStatus.DRAFT,
    )
    return sources, replies


def _publish_dependants(record, user, reason):
    why = f"Published with {record._meta.verbose_name} “{record}”: {reason.strip()}"
    sources, replies = _dependants(record)
    for dependant in [*sources.select_for_update(), *replies.select_for_update()]:
        dependant.editorial_status = EditorialStatus.PUBLISHED
        dependant.published_at = timezone.now()
        _save(dependant, user, why)
