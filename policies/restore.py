"""Undo a deletion: put a deleted record back, as a draft, with the rows deleted with it.

A deletion through the admin (`admin.base.delete_with_reason`) writes a history row
("-") for the record and for every row that went with it: its citations and
right-of-reply entries (generic relations), the rows that cascade from it (topic links,
relationships) and theirs in turn. All of them carry the deletion's reason, user and one
and the same instant, which is how they are told apart from rows deleted on their own,
before or after. Restoring saves those versions again under their own ids, each with a
new history row "Restored after deletion: <reason>", and puts a publishable record back
as a draft: publishing it again is a reviewer's explicit act.

Nothing is restored when something the record itself points at is gone too (its
company) or another record took one of its unique values (a slug): the staff member is
told which, and nothing is written. A row deleted with it that points at something still
deleted (a citation of a deleted source, a relationship to another deleted company) is
left deleted, and the staff member is told: it can be restored from its own list later.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, models, transaction
from django.db.models import Max

from .models import EditorialStatus

MAX_DEPTH = 4  # rows of rows of rows of the record (a relationship's citations)


class RestoreError(Exception):
    """Why the record cannot be restored, in words for staff."""


@dataclass
class Deletion:
    model: type
    row: object  # the record's "-" history row: its last version
    children: list = field(default_factory=list)  # "-" rows of the same deletion, parents first
    detached: list = field(default_factory=list)  # (field, "~" row) of rows that lost a link to it

    def kinds(self):
        """"2 citations", "1 statement topic": the rows that were deleted with the record."""
        return _counted(row.instance_type for row in self.children)

    def relinks(self):
        """The same for the rows that get their link to the record back."""
        return _counted(row.instance_type for _, row in self.detached)


def _counted(models_):
    counts = {}
    for model in models_:
        counts[model] = counts.get(model, 0) + 1
    return [
        f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}"
        for model, n in counts.items()
    ]


def deleted(model):
    """The latest "-" history row of each record of `model` that no longer exists, newest first."""
    history = model.history.model
    latest = history.objects.values("id").annotate(last=Max("history_id")).values("last")
    return (
        history.objects.filter(history_type="-", history_id__in=latest)
        .exclude(id__in=model._default_manager.values("pk"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def find(model, pk):
    """The Deletion of record `pk` of `model`, or None when it exists or was never deleted."""
    row = model.history.model.objects.filter(id=pk).order_by("-history_date", "-history_id").first()
    if row is None or row.history_type != "-" or model._default_manager.filter(pk=pk).exists():
        return None
    children = {}
    for child in _children(model, row, depth=1) + _waiting(model, row):
        children.setdefault((child.instance_type, child.id), child)
    return Deletion(model, row, list(children.values()), _detached(model, row))


def _detached(model, row):
    """Rows the deletion only unlinked (SET_NULL, saved with history by delete_with_reason:
    a signal confirmed into a deleted gap), still exactly as the deletion left them."""
    found = []
    for rel in model._meta.related_objects:
        related = rel.related_model
        if rel.on_delete is not models.SET_NULL or not hasattr(related, "history"):
            continue
        history = related.history.model
        rows = history.objects.filter(
            history_type="~",
            history_date=row.history_date,
            history_user_id=row.history_user_id,
            **{f"{rel.field.attname}__isnull": True},
        )
        latest = dict(
            history.objects.filter(id__in=[r.id for r in rows])
            .values("id")
            .annotate(last=Max("history_id"))
            .values_list("id", "last")
        )
        for candidate in rows:
            before = candidate.prev_record
            if (
                latest.get(candidate.id) == candidate.history_id  # nothing changed since
                and before is not None
                and getattr(before, rel.field.attname) == row.id
            ):
                found.append((rel.field, candidate))
    return found


def _pointing_at(model, pk, cascade_only=True):
    """(model, lookup) for each kind of tracked row that points at record `pk` of `model`:
    by foreign keys (only CASCADE ones, those that go when it is deleted, unless
    `cascade_only` is false) and by generic relations (citations, replies)."""
    for rel in model._meta.related_objects:
        related = rel.related_model
        if rel.many_to_many or not hasattr(related, "history"):
            continue
        if cascade_only and rel.on_delete is not models.CASCADE:
            continue
        yield related, {rel.field.attname: pk}
    content_type = ContentType.objects.get_for_model(model)
    for relation in model._meta.private_fields:
        if isinstance(relation, GenericRelation) and hasattr(relation.related_model, "history"):
            yield relation.related_model, {
                f"{relation.content_type_field_name}_id": content_type.pk,
                relation.object_id_field_name: pk,
            }


def _children(model, row, depth):
    if depth > MAX_DEPTH:
        return []
    same = {
        "history_type": "-",
        "history_date": row.history_date,  # one instant per deletion (see the module docstring)
        "history_change_reason": row.history_change_reason,
        "history_user_id": row.history_user_id,
    }
    found = []
    for related, lookup in _pointing_at(model, row.id):
        found += _gone(related, {**lookup, **same})
    for child in list(found):
        found += _children(child.instance_type, child, depth + 1)
    unique = {}
    for child in found:  # a row reached twice (a clause of a commitment and of a version)
        unique.setdefault((child.instance_type, child.id), child)
    return list(unique.values())


def _waiting(model, row):
    """Rows that went with *another* record's deletion and point at this one too (a topic
    link deleted with its capability, when the topic was deleted later): a restore of that
    other record left them deleted because this one was missing. They come back with it.
    A row deleted on its own (a link removed from a form) is not one of them: no other
    record was deleted at its instant."""
    found = []
    # Any foreign key: a PROTECT one (a topic link's topic) only lets the topic be deleted
    # once the link is gone, which is exactly how a link ends up waiting for it.
    for related, lookup in _pointing_at(model, row.id, cascade_only=False):
        candidates = related.history.model.objects.filter(history_type="-", **lookup).exclude(
            history_date=row.history_date
        )
        for candidate in _gone(related, {"pk__in": [c.pk for c in candidates]}):
            if _went_with_another(candidate, model, row.id):
                found.append(candidate)
                found += _children(candidate.instance_type, candidate, depth=2)
    return found


def _went_with_another(candidate, model, pk):
    """Was `candidate` deleted as part of the deletion of a record other than (model, pk)?"""
    obj = candidate.instance
    targets = [
        (f.related_model, getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and getattr(obj, f.attname) is not None
    ]
    for relation in obj._meta.private_fields:
        if hasattr(relation, "fk_field") and not isinstance(relation, GenericRelation):
            content_type_id = getattr(obj, f"{relation.ct_field}_id")
            object_id = getattr(obj, relation.fk_field)
            if content_type_id is not None and object_id is not None:
                targets.append((ContentType.objects.get_for_id(content_type_id).model_class(), object_id))
    for target, target_pk in targets:
        if (target, target_pk) == (model, pk) or not hasattr(target, "history"):
            continue
        if target.history.model.objects.filter(
            id=target_pk, history_type="-", history_date=candidate.history_date
        ).exists():
            return True
    return False


def _gone(model, lookup):
    """Such "-" rows whose row no longer exists and has not moved since (its latest row)."""
    history = model.history.model
    rows = list(history.objects.filter(**lookup))
    ids = [r.id for r in rows]
    latest = history.objects.filter(id__in=ids).values("id").annotate(last=Max("history_id"))
    latest = dict(latest.values_list("id", "last"))
    existing = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
    return [r for r in rows if r.id not in existing and latest.get(r.id) == r.history_id]


def restore(deletion, *, user, reason):
    """Save the record and the rows deleted with it again; return (record, rows left deleted)."""
    reason = (reason or "").strip()
    if not reason:
        raise RestoreError("Give a reason for this change.")
    record = _version(deletion.row, user, reason)
    children = [_version(row, user, reason) for row in deletion.children]
    problems = _missing_targets(record, {(type(record), record.pk)} | {(type(c), c.pk) for c in children})
    if problems:
        raise RestoreError("It cannot be restored yet: " + "; ".join(problems) + ".")
    children, left = _restorable(record, children)
    try:
        with transaction.atomic():
            for obj in [record, *children]:
                obj.save(force_insert=True)
            for link, row in deletion.detached:
                _relink(link, row, user, reason)
    except DatabaseError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RestoreError(
            "It cannot be restored: the database refused it. Most often another record has since "
            f"taken one of its unique values (a slug, a key or an identifier). ({first})"
        ) from None
    return record, left


def _restorable(record, children):
    """The children whose targets exist or come back too; and notes on those left deleted."""
    left = []
    while True:
        coming = {(type(record), record.pk)} | {(type(c), c.pk) for c in children}
        keep = []
        for child in children:
            missing = _missing_targets(child, coming)
            if missing:
                left.append(f"{child._meta.verbose_name} #{child.pk} ({'; '.join(missing)})")
            else:
                keep.append(child)
        if len(keep) == len(children):
            return keep, left
        children = keep  # a row left behind may be what another one points at: check again


def _relink(link, row, user, reason):
    """Give a row back the link the deletion took, and what it changed with it (a signal's
    status), from the version before the deletion; its history says so."""
    before = row.prev_record
    obj = type(row).instance_type._default_manager.select_for_update().get(pk=row.id)
    setattr(obj, link.attname, getattr(before, link.attname))
    for name in getattr(obj, "relinked_fields", ()):
        setattr(obj, name, getattr(before, name))
    obj._change_reason = f"Restored after deletion: {reason} (its {link.verbose_name} is back)"
    obj._history_user = user
    obj.save()


def _version(row, user, reason):
    obj = row.instance
    obj.revision = row.revision + 1
    if hasattr(obj, "editorial_status") and obj.editorial_status != EditorialStatus.DRAFT:
        obj.editorial_status = EditorialStatus.DRAFT
        obj.published_at = None
    obj._change_reason = f"Restored after deletion: {reason}"
    obj._history_user = user
    return obj


def _missing_targets(obj, coming):
    """What `obj` points at that no longer exists and is not coming back with it."""
    missing = []
    for f in obj._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey):
            continue
        value = getattr(obj, f.attname)
        if value is None or (f.related_model, value) in coming:
            continue
        if not f.related_model._base_manager.filter(pk=value).exists():
            missing.append(f"its {f.verbose_name} ({f.related_model._meta.verbose_name} {value}) is deleted")
    for relation in obj._meta.private_fields:  # a generic foreign key (a citation's record)
        if isinstance(relation, GenericRelation) or not hasattr(relation, "fk_field"):
            continue
        content_type_id = getattr(obj, f"{relation.ct_field}_id")
        object_id = getattr(obj, relation.fk_field)
        if content_type_id is None or object_id is None:
            continue
        target = ContentType.objects.get_for_id(content_type_id).model_class()
        if (target, object_id) not in coming and not target._base_manager.filter(pk=object_id).exists():
            missing.append(f"the {target._meta.verbose_name} {object_id} it belongs to is deleted")
    return missing
