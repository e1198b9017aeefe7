"""One SELECT per table whose every column is text formatted the same way on both databases.

PostgreSQL and SQLite store booleans, timestamps and decimals differently; formatting
them in SQL (not in Python) lets `COPY` on PostgreSQL and the cursor iterator on SQLite
write byte-identical files:

    boolean   true / false
    date      2025-07-01
    datetime  2025-07-01T09:30:00.000000Z   (UTC, always six decimals)
    number    1400.00                       (always the field's decimal places)
    integer   42
    string    as stored; NULL stays NULL, an empty string stays empty
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Func, TextField

SQLITE = {
    "integer": "CAST({x} AS TEXT)",
    "number": "CASE WHEN {x} IS NULL THEN NULL ELSE printf('%%.{places}f', {x}) END",
    "boolean": "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
    "date": "CAST({x} AS TEXT)",
    # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; pad the fraction to six digits.
    "datetime": "substr({x}, 1, 10) || 'T' || substr({x}, 12, 8) || '.'"
    " || substr(substr({x}, 21) || '000000', 1, 6) || 'Z'",
    "string": "{x}",
}

POSTGRESQL = {
    "integer": "CAST({x} AS TEXT)",
    "number": "CAST(ROUND({x}, {places}) AS TEXT)",
    "boolean": "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
    "date": "to_char({x}, 'YYYY-MM-DD')",
    "datetime": "to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    "string": "{x}",
}

FORMATS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


class Formatted(Func):
    """A column rendered as canonical text (see the module docstring)."""

    output_field = TextField()

    def __init__(self, expression, kind, places=None):
        super().__init__(expression)
        self.kind = kind
        self.places = places

    def as_sql(self, compiler, connection, **extra_context):
        inner, params = compiler.compile(self.source_expressions[0])
        template = FORMATS[connection.vendor][self.kind]
        sql = template.format(x=inner, places=self.places or 0)
        return sql, tuple(params) * template.count("{x}")


@dataclass
class Select:
    """A ready-to-run SELECT, its parameters and the columns it returns."""

    sql: str
    params: tuple
    columns: list

    @property
    def header(self):
        return [c.name for c in self.columns]


def build(queryset, columns, order_by):
    """The SELECT of `columns` from `queryset`, in a stable order (a unique key)."""
    expressions = [Formatted(F(c.path), c.kind, c.places) for c in columns]
    qs = queryset.order_by(order_by).values_list(*expressions)
    sql, params = qs.query.get_compiler(connection=connection).as_sql()
    return Select(sql, tuple(params), columns)
