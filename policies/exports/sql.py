"""One SELECT per table whose every column reads as the same text on both databases.

PostgreSQL's own text output is the canonical form (it costs COPY nothing), and SQLite
is made to write exactly that; booleans are spelt out on both:

    boolean   true / false
    date      2025-07-01
    datetime  2025-07-01 09:30:00.25+00     (UTC; fraction only as long as needed)
    number    1400.00                       (always the field's decimal places)
    integer   42
    string    as stored; NULL stays NULL, an empty string stays empty

The datetime form is ISO 8601 / RFC 3339 with a space: Python's fromisoformat,
dateutil, pandas and frictionless read it. It needs the PostgreSQL session in UTC and
DateStyle ISO, which Django (USE_TZ) and psycopg 3 already require.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Expression, TextField

SQLITE = {
    "integer": "CAST({x} AS TEXT)",
    "number": "CASE WHEN {x} IS NULL THEN NULL ELSE printf('%%.{places}f', {x}) END",
    "boolean": "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
    "date": "CAST({x} AS TEXT)",
    # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; PostgreSQL drops trailing zeros.
    "datetime": "CASE WHEN length({x}) > 19 THEN rtrim({x}, '0') ELSE {x} END || '+00'",
    "string": "{x}",
}

POSTGRESQL = {
    "integer": "{x}",
    "number": "{x}",  # numeric(p, s) prints its s decimal places
    "boolean": "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
    "date": "{x}",
    "datetime": "{x}",
    "string": "{x}",
}

FORMATS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


class ColumnList(Expression):
    """The whole SELECT list as one piece of SQL text, written out by `build`.

    Building one Django expression per column (annotate, resolve, compile) took most
    of the ~50 ms an export spent on its 26 statements before the first row; the
    columns are plain columns of the queried table, so their SQL is written directly.
    Django still compiles FROM, WHERE and ORDER BY (the public-row rules). The list
    comes out with an alias after its last column, which changes no value.
    """

    output_field = TextField()

    def __init__(self, sql, params):
        super().__init__()
        self.sql, self.params = sql, tuple(params)

    def as_sql(self, compiler, connection):
        return self.sql, self.params

    def get_group_by_cols(self):
        return []


@dataclass
class Select:
    """A ready-to-run SELECT, its parameters and the columns it returns."""

    sql: str
    params: tuple
    columns: list

    @property
    def header(self):
        return [c.name for c in self.columns]


RECORD_TYPE = "content_type__model"


def record_type(x, content_types, quote):
    """A generic link's model name from its content_type_id (SQL text `x`), without a join.

    A CASE over the content types records can point at (a lookup done once); any
    other id falls back to reading django_content_type, so the value is always the
    one the join would give.
    """
    table = quote(ContentType._meta.db_table)
    other = f"(SELECT {table}.{quote('model')} FROM {table} WHERE {table}.{quote('id')} = {x})"
    if not content_types:
        return other, []
    whens = " ".join(f"WHEN {x} = %s THEN %s" for _ in content_types)
    params = [value for ct in content_types for value in (ct.id, ct.model)]
    return f"CASE {whens} ELSE {other} END", params


def build(queryset, columns, order_by, content_types=()):
    """The SELECT of `columns` from `queryset`, in a stable order (a unique key).

    Every column is a column of the queryset's own table (record_type: a lookup of its
    content_type_id), in the canonical text form of the module docstring.
    """
    qs = queryset.order_by(order_by)
    connection = connections[qs.db]
    quote = connection.ops.quote_name
    table = quote(qs.query.get_initial_alias())
    meta = qs.model._meta
    parts, params = [], []
    for c in columns:
        if c.path == RECORD_TYPE:
            link = f"{table}.{quote(meta.get_field('content_type').column)}"
            x, more = record_type(link, content_types, quote)
        else:
            x, more = f"{table}.{quote(meta.get_field(c.path).column)}", []
        template = FORMATS[connection.vendor][c.kind]
        parts.append(template.format(x=x, places=c.places or 0))
        params += more * template.count("{x}")
    qs = qs.values_list(ColumnList(", ".join(parts), params))
    # By alias: the `connection` proxy costs a thread-local lookup per attribute.
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return Select(sql, tuple(params), columns)
