"""Reading a Select out of the database: COPY on PostgreSQL, the cursor iterator elsewhere.

Both paths read the same SELECT (see sql.py), so they see the same text values.
`iterator=True` forces the cursor path on PostgreSQL too; tests use it to prove the
two paths write the same bytes.
"""

from django.db import connection

BATCH = 2000


class Tally:
    """How many rows a stream produced (known once it is exhausted)."""

    def __init__(self):
        self.rows = 0


def uses_copy(iterator=False):
    return connection.vendor == "postgresql" and not iterator


def copy_csv(select, tally):
    """Raw CSV bytes from PostgreSQL's COPY, in the chunks the server sends."""
    statement = f"COPY ({select.sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(statement, select.params or None) as copy:
            for chunk in copy:
                yield bytes(chunk)
        tally.rows = raw.rowcount


def copy_rows(select, tally):
    """Batches of text tuples (None for NULL) from COPY's text format."""
    statement = f"COPY ({select.sql}) TO STDOUT"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement, select.params or None) as copy:
            copy.set_types(["text"] * len(select.columns))
            batch = []
            for row in copy.rows():
                batch.append(row)
                if len(batch) >= BATCH:
                    tally.rows += len(batch)
                    yield batch
                    batch = []
            if batch:
                tally.rows += len(batch)
                yield batch


def iterate_rows(select, tally):
    """Batches of text tuples through a server-side (chunked) cursor: flat memory."""
    with connection.chunked_cursor() as cursor:
        if connection.vendor == "postgresql":
            _load_as_text(cursor.cursor)
        cursor.execute(select.sql, select.params)
        while batch := cursor.fetchmany(BATCH):
            tally.rows += len(batch)
            yield batch


def rows(select, tally, iterator=False):
    if uses_copy(iterator):
        return copy_rows(select, tally)
    return iterate_rows(select, tally)


def _load_as_text(cursor):
    """Every value as PostgreSQL's own text output, exactly what COPY writes."""
    from psycopg.types.string import TextLoader

    for name in ("int2", "int4", "int8", "numeric", "date", "timestamptz", "timestamp", "bool"):
        cursor.adapters.register_loader(name, TextLoader)
