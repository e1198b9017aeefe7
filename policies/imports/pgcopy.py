"""Create many rows and their history rows with PostgreSQL COPY (the fast path of an import).

Equivalent to simple_history's `bulk_create_with_history` for models with no custom
save logic at creation: ids are reserved from the table's sequence, then the rows and one
"+" history row each are streamed with `COPY ... FROM STDIN`. Constraints are checked by
the database as usual; if COPY fails, the caller's transaction rolls back and the caller
retries with the ORM.
"""

from django.db import connection
from django.utils import timezone


def copy_create_with_history(objs, model, *, reason, user=None, historical_attrs=None):
    if not objs:
        return objs
    now = timezone.now()
    for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # FK ids from saved parents
        obj.pk = pk
        if hasattr(obj, "updated_at"):
            obj.updated_at = now
        obj._state.adding = False
        obj._state.db = connection.alias
    fields = model._meta.concrete_fields
    values = [{f.attname: getattr(o, f.attname) for f in fields} for o in objs]
    _copy_with_history(model, values, now=now, reason=reason, user=user, historical_attrs=historical_attrs)
    return objs


def _reserve_ids(model, count):
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        # The sequence looked up once: nextval(pg_get_serial_sequence(...)) per row looked it
        # up for every id (0.39-0.57 s against 0.06-0.09 s for 100,000 ids, measured in psql).
        cursor.execute(
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table, columns, rows):
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper; errors become Django's
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def copy_rows_with_history(model, rows, *, reason, user=None, historical_attrs=None):
    """Like `copy_create_with_history` for plain `{attname: value}` dicts (no model instances).

    Fields missing from a dict take the field's default, computed once for the batch.
    """
    if not rows:
        return
    now = timezone.now()
    fields = model._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["updated_at"] = now
    full = [
        {**defaults, **row, model._meta.pk.attname: pk}
        for row, pk in zip(rows, _reserve_ids(model, len(rows)), strict=True)
    ]
    _copy_with_history(model, full, now=now, reason=reason, user=user, historical_attrs=historical_attrs)


def _copy_with_history(model, values, *, now, reason, user, historical_attrs):
    """COPY `values` ({attname: value}, ids included) and one "+" history row for each."""
    fields = model._meta.concrete_fields
    _copy(model._meta.db_table, [f.column for f in fields], ([v[f.attname] for f in fields] for v in values))
    history = model.history.model
    extra = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
        **(historical_attrs or {}),
    }
    history_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    _copy(
        history._meta.db_table,
        [f.column for f in history_fields],
        ([extra[f.attname] if f.attname in extra else v[f.attname] for f in history_fields] for v in values),
    )

def copy_rows(model, columns, rows):
    """COPY plain tuples into `model`'s table (no history: for the import log)."""
    _copy(model._meta.db_table, [model._meta.get_field(c).column for c in columns], rows)
