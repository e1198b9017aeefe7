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
from django.db.models import Case, F, Func, OuterRef, Subquery, TextField, Value, When

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


RECORD_TYPE = "content_type__model"


def record_type(content_types):
    """A generic link's model name from its content_type_id, without a join per row.

    A CASE over the content types records can point at (a lookup done once); any
    other id falls back to reading django_content_type, so the value is always the
    one the join would give.
    """
    whens = [When(content_type_id=ct.id, then=Value(ct.model)) for ct in content_types]
    other = Subquery(ContentType.objects.filter(id=OuterRef("content_type_id")).values("model")[:1])
    return Case(*whens, default=other, output_field=TextField())


def _value(column, content_types):
    if column.path == RECORD_TYPE and content_types:
        return record_type(content_types)
    return F(column.path)


def build(queryset, columns, order_by, content_types=()):
    """The SELECT of `columns` from `queryset`, in a stable order (a unique key)."""
    expressions = [Formatted(_value(c, content_types), c.kind, c.places) for c in columns]
    qs = queryset.order_by(order_by).values_list(*expressions)
    # By alias: the `connection` proxy costs a thread-local lookup per attribute.
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return Select(sql, tuple(params), columns)
