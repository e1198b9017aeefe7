"""Redaction: remove text from a record and from every copy of it in the record's history.

One atomic write: every existing history row of the record gets the field replaced
by REDACTED, the record's field is blanked and saved (a new history row whose reason
is "Redaction: <reason>"), and a Redaction row records which field, who and why,
never the text. Public history is built from history rows, so the text is gone there.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from .models import Redaction

REDACTED = "[redacted]"


def redactable_fields(model):
    """Free-text fields staff may redact: editable text columns."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and f.editable
        and not f.choices
        and not isinstance(f, (models.SlugField, models.URLField))
    ]


def can_redact(user):
    return user.has_perm("policies.add_redaction")


def redact(record, field_name, *, user, reason):
    """Blank `field_name` on `record` and in all its history; return the Redaction row."""
    if not can_redact(user):
        raise PermissionDenied("Only reviewers can redact.")
    if field_name not in {f.name for f in redactable_fields(type(record))}:
        raise ValidationError(f"“{field_name}” is not a text field that can be redacted.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the redaction.")
    with transaction.atomic():
        record = type(record)._default_manager.select_for_update().get(pk=record.pk)
        _scrub_history(record, field_name)
        field = record._meta.get_field(field_name)
        setattr(record, field_name, "" if field.blank else REDACTED)
        record._change_reason = f"Redaction: {reason}"
        record._history_user = user
        record.save()
        entry = Redaction(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            field_name=field_name,
            reason=reason,
            redacted_by=user,
        )
        entry._change_reason = f"Redaction: {reason}"
        entry._history_user = user
        entry.save()
    return entry


def _scrub_history(record, field_name):
    # Historical models are not themselves tracked, so update() is the right tool here.
    rows = record.history.exclude(**{field_name: ""})
    rows.update(**{field_name: REDACTED})
