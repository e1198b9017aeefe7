"""Optimistic locking: a save based on a stale copy of a record is refused.

Every tracked model has a `revision` counter that `save()` increments. A form
carries the revision it was opened at; before saving, `check_revision` locks the
row (SELECT ... FOR UPDATE, so two saves cannot both pass the check) and compares.
It must run inside `transaction.atomic()`; the admin's change view already is.
On a mismatch it raises `StaleEdit`, which lists what changed meanwhile from history.
"""

from dataclasses import dataclass

from .lib.textdiff import word_diff_html

# Bookkeeping columns that change on every save and say nothing to a reader.
IGNORED_FIELDS = ("revision", "updated_at", "created_at", "text_sha256")
LONG_TEXT = 80


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    diff_html: str = ""  # word-level diff, for long text only


@dataclass
class Edit:
    """One saved change: when, who (staff-only), why, and the fields it changed."""

    history_id: int
    date: object
    user: object
    reason: str
    kind: str
    changes: list


class StaleEdit(Exception):
    def __init__(self, record, seen_revision, edits):
        self.record = record
        self.seen_revision = seen_revision
        self.edits = edits
        super().__init__(
            f"{record} was saved by someone else (revision {seen_revision} → {record.revision})."
        )


def check_revision(model, pk, seen_revision):
    """Lock the row and raise StaleEdit if it moved past `seen_revision`; return the row."""
    current = model._default_manager.select_for_update().get(pk=pk)
    if seen_revision is not None and current.revision != seen_revision:
        raise StaleEdit(current, seen_revision, edits_since(current, seen_revision))
    return current


def edits_since(record, revision):
    """The history rows written after `revision`, oldest first, with their field changes."""
    rows = (
        record.history.filter(revision__gt=revision)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return [describe(row) for row in rows]


_LOOKUP = object()


def describe(row, previous=_LOOKUP):
    """An Edit for one history row, diffed against `previous` (default: its prev_record).

    Pass previous=None for a row with nothing before it (a creation).
    """
    previous = row.prev_record if previous is _LOOKUP else previous
    return Edit(
        history_id=row.history_id,
        date=row.history_date,
        user=row.history_user,
        reason=row.history_change_reason or "",
        kind=row.get_history_type_display(),
        changes=field_changes(previous, row) if previous is not None else [],
    )


def field_changes(old_row, new_row):
    """Field-by-field differences between two history rows of one record."""
    opts = new_row.instance_type._meta
    delta = new_row.diff_against(
        old_row, excluded_fields=[f for f in IGNORED_FIELDS if _has_field(opts, f)]
    )
    return [_change(opts, c.field, c.old, c.new) for c in delta.changes]


def _change(opts, name, old, new):
    field = opts.get_field(name)
    old_text, new_text = _display(field, old), _display(field, new)
    long = len(old_text) > LONG_TEXT or len(new_text) > LONG_TEXT or "\n" in old_text + new_text
    diff = word_diff_html(old_text, new_text) if long else ""
    return FieldChange(name, str(field.verbose_name).capitalize(), old_text, new_text, diff)


def _display(field, value):
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted)"
    return str(value)


def _has_field(opts, name):
    return any(f.name == name for f in opts.concrete_fields)
