"""Undo a deletion: put a deleted record back, as a draft, with the rows deleted with it.

A deletion leaves a history row ("-") for the record and for every row that went with
it: its citations and right-of-reply entries (generic relations) and the rows that
cascade from it (topic links). They share the deletion's reason and user and were
written within moments of each other. Restoring saves those versions again under their
own ids, each with a new history row "Restored after deletion: <reason>", and puts a
publishable record back as a draft: publishing it again is a reviewer's explicit act.

Nothing is restored when something the record points at is gone too (its company, a
cited source) or another record took one of its unique values (a slug): the staff member
is told which, restores or changes that first, and nothing is half-written.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef

from .models import EditorialStatus

WINDOW = dt.timedelta(minutes=1)  # the rows of one deletion are written within moments


class RestoreError(Exception):
    """Why the record cannot be restored, in words for staff."""


@dataclass
class Deletion:
    model: type
    row: object  # the record's "-" history row: its last version
    children: list = field(default_factory=list)  # "-" rows deleted with it

    def kinds(self):
        """{verbose name plural: count} of the rows that come back with the record."""
        counts = {}
        for row in self.children:
            name = row.instance._meta.verbose_name_plural
            counts[name] = counts.get(name, 0) + 1
        return counts


def deleted(model):
    """The latest "-" history row of each record of `model` that no longer exists, newest first."""
    history = model.history.model
    later = history.objects.filter(id=OuterRef("id"), history_date__gt=OuterRef("history_date"))
    return (
        history.objects.filter(history_type="-")
        .exclude(id__in=model._default_manager.values("pk"))
        .exclude(Exists(later))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def find(model, pk):
    """The Deletion of record `pk` of `model`, or None when it exists or was never deleted."""
    row = model.history.model.objects.filter(id=pk).order_by("-history_date", "-history_id").first()
    if row is None or row.history_type != "-" or model._default_manager.filter(pk=pk).exists():
        return None
    return Deletion(model, row, _children(model, row))


def _children(model, row):
    same = {
        "history_type": "-",
        "history_date__range": (row.history_date - WINDOW, row.history_date + WINDOW),
        "history_change_reason": row.history_change_reason,
        "history_user_id": row.history_user_id,
    }
    found = []
    for rel in model._meta.related_objects:
        related = rel.related_model
        if rel.many_to_many or rel.on_delete is not models.CASCADE or not hasattr(related, "history"):
            continue
        found += _gone(related, {rel.field.attname: row.id, **same})
    content_type = ContentType.objects.get_for_model(model)
    for relation in model._meta.private_fields:
        if isinstance(relation, GenericRelation) and hasattr(relation.related_model, "history"):
            lookup = {
                f"{relation.content_type_field_name}_id": content_type.pk,
                relation.object_id_field_name: row.id,
            }
            found += _gone(relation.related_model, {**lookup, **same})
    return found


def _gone(model, lookup):
    """The latest such "-" row of each row of `model` that no longer exists."""
    rows = model.history.model.objects.filter(**lookup).order_by("id", "-history_date", "-history_id")
    existing = set(model._default_manager.filter(pk__in=rows.values("id")).values_list("pk", flat=True))
    latest = {}
    for row in rows:
        if row.id not in existing:
            latest.setdefault(row.id, row)
    return list(latest.values())


def restore(deletion, *, user, reason):
    """Save the record and the rows deleted with it again; return the restored record."""
    reason = (reason or "").strip()
    if not reason:
        raise RestoreError("Give a reason for this change.")
    record = _version(deletion.row, user, reason)
    children = [_version(row, user, reason) for row in deletion.children]
    restoring = {(type(record), record.pk)} | {(type(c), c.pk) for c in children}
    problems = [p for obj in [record, *children] for p in _missing_targets(obj, restoring)]
    if problems:
        raise RestoreError("It cannot be restored yet: " + "; ".join(dict.fromkeys(problems)) + ".")
    try:
        with transaction.atomic():
            for obj in [record, *children]:
                obj.save(force_insert=True)
    except IntegrityError:
        raise RestoreError(
            "It cannot be restored: another record now has one of its unique values (a slug, a "
            "key or an identifier). Change or remove that record first."
        ) from None
    return record


def _version(row, user, reason):
    obj = row.instance
    obj.revision = row.revision + 1
    if hasattr(obj, "editorial_status") and obj.editorial_status != EditorialStatus.DRAFT:
        obj.editorial_status = EditorialStatus.DRAFT
        obj.published_at = None
    obj._change_reason = f"Restored after deletion: {reason}"
    obj._history_user = user
    return obj


def _missing_targets(obj, restoring):
    """What `obj` points at that no longer exists (and is not being restored with it)."""
    missing = []
    for f in obj._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey):
            continue
        value = getattr(obj, f.attname)
        if value is None or (f.related_model, value) in restoring:
            continue
        if not f.related_model._base_manager.filter(pk=value).exists():
            missing.append(f"its {f.verbose_name} ({f.related_model._meta.verbose_name} {value}) was deleted")
    for relation in obj._meta.private_fields:  # a generic foreign key (a citation's record)
        if isinstance(relation, GenericRelation) or not hasattr(relation, "fk_field"):
            continue
        content_type_id = getattr(obj, f"{relation.ct_field}_id")
        object_id = getattr(obj, relation.fk_field)
        if content_type_id is None or object_id is None:
            continue
        target = ContentType.objects.get_for_id(content_type_id).model_class()
        if (target, object_id) not in restoring and not target._base_manager.filter(pk=object_id).exists():
            missing.append(f"the {target._meta.verbose_name} {object_id} it belongs to was deleted")
    return missing
