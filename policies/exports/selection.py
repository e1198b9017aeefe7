"""Which rows are public, for a scope: company, event-date range, record-time date.

One rule for every table, current state, as-of and history alike:
- a row is public when its own editorial status is published or retracted and, for
  employee actions, its embargo has lifted;
- every id it holds points at a public row, and the rows it belongs to ("owners")
  are exported too;
- as-of and history rows are exported only while the record is public today as
  well: a record a reviewer has since pulled back to draft does not leak through
  its past.
"""

import datetime as dt
import functools
import operator
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import BooleanField, F, Func, IntegerField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..models.base import PUBLIC_STATUSES
from . import copy
from .tables import BY_MODEL, BY_NAME, TABLES

_ID_ARRAY = re.compile(rb"\{(?:[0-9]+(?:,[0-9]+)*)?\}")


@dataclass(frozen=True)
class Scope:
    company_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None  # record time: the state at the end of that day (UTC)

    @property
    def filtered(self):
        return bool(self.company_id or self.start or self.end)

    @property
    def as_of_end(self):
        """The first instant after the as-of day, in UTC."""
        day = self.as_of + dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)

    def public(self):
        """The same record time, without the company and date filters."""
        return Scope(as_of=self.as_of)

    def now(self):
        return replace(self, as_of=None)


def own_public_q(model, on_date):
    """The row's own status says public (works on history models too)."""
    names = {f.name for f in model._meta.concrete_fields}
    q = Q()
    if "editorial_status" in names:
        q &= Q(editorial_status__in=PUBLIC_STATUSES)
    if "embargo_until" in names:
        q &= Q(embargo_until__isnull=True) | Q(embargo_until__lte=on_date)
    return q


def date_q(table, start, end):
    """Rows whose event date, or period, overlaps [start, end]; an open period is ongoing."""
    if not table.dates or not (start or end):
        return Q()
    first = table.dates[0]
    last = table.dates[1] if len(table.dates) > 1 else first
    q = Q(**{f"{first}__isnull": False})
    if end:
        q &= Q(**{f"{first}__lte": end})
    if start:
        q &= Q(**{f"{last}__gte": start}) | Q(**{f"{last}__isnull": True})
    return q


class Selection:
    """The querysets of public rows for one scope, built once and reused as subqueries.

    A subquery is compiled to SQL once (`ids`) and embedded as text wherever it is
    used: nesting querysets instead makes Django clone and recompile the whole tree at
    every level, which cost about a second per export. The subqueries are uncorrelated
    (`x IN (SELECT id FROM ...)`), so their table aliases cannot clash.
    """

    def __init__(self, scope, today=None):
        self.scope = scope
        self.today = today or timezone.localdate()
        self._rows = {}
        self._ids = {}
        self._kinds_of = {}
        # Ids of rows already written by this export ("given", see `give`), and which of
        # them the statement being built may use (`using`; empty: none).
        self._given = {}
        self._using = frozenset()
        # Held while a table's statement is built (resources.Resource.select): parallel
        # workers build their own, and Django's compiler changes the query it compiles.
        self.lock = threading.RLock()
        self._record_targets = [t for t in TABLES if "record" not in t.owners and not t.cited]
        self._content_types = ContentType.objects.get_for_models(*[t.model for t in self._record_targets])

    @property
    def content_types(self):
        """The content types a generic link of an exported row can point at."""
        return sorted(self._content_types.values(), key=lambda ct: ct.id)

    def content_types_of(self, table):
        """The content types the table's generic links can hold, for its record_type
        column: those its rows hold (`_kinds`) when known, else all of them."""
        kinds = self._kinds(table)
        return [ct for ct in self.content_types if kinds is None or ct.id in kinds]

    def current(self, table):
        """The table's public rows in this scope (as of a date when the scope says so)."""
        return self.rows(table, self.scope)

    def history(self, table):
        """Every public version of the table's public records, oldest first."""
        scope = self.scope
        # The history model's own manager: the same rows as `Model.history`, which builds
        # a new manager class (inspect-heavy) on every access.
        qs = table.history_model._default_manager.filter(own_public_q(table.history_model, self.today))
        if scope.as_of:
            qs = qs.filter(history_date__lt=scope.as_of_end)
        alive = Q(id__in=self.ids(table, scope.now()))
        if not scope.filtered:  # deleted records keep their public past
            gone = ~Q(id__in=table.model._base_manager.values("id"))
            alive |= gone & self._links_q(table, scope.now())
        return qs.filter(alive)

    def rows(self, table, scope):
        key = (table.name, scope, self._using)
        if key not in self._rows:
            self._rows[key] = self._build(table, scope)
        return self._rows[key]

    def ids(self, table, scope, column="id"):
        """`column` of the table's public rows in `scope`, as a compiled subquery."""
        key = (table.name, scope, column, self._using)
        if key not in self._ids:
            rows = self.rows(table, scope)
            query = rows.order_by().values(column).query
            # By alias: the `connection` proxy costs a thread-local lookup per attribute.
            sql, params = query.get_compiler(using=rows.db).as_sql()
            self._ids[key] = RawSQL(sql, tuple(params), output_field=IntegerField())
        return self._ids[key]

    def give(self, table, ids):
        """The ids (decimal ASCII bytes) of every row this export wrote for `table`'s
        current state, read back from its own COPY in the export's one snapshot.

        They are exactly `ids(table, self.scope)`: the same rule, read in the same
        snapshot. A later statement of the same export may then filter on them
        (`using`) instead of deriving the same public rows again in SQL, as the
        citations would for the 11 kinds of record they cite.
        """
        literal = b"{" + b",".join(ids) + b"}"
        if not _ID_ARRAY.fullmatch(literal):  # ids only: a row's first column was not one
            raise ValueError(f"Not a list of ids for {table.name}")
        self._given[table.name] = literal.decode()

    @contextmanager
    def using(self, names):
        """While a statement is built: the tables whose `give`n ids it may filter on.
        Callers hold `lock` (resources.Resource.select)."""
        previous, self._using = self._using, frozenset(n for n in names if n in self._given)
        try:
            yield
        finally:
            self._using = previous

    def inputs(self, table):
        """The tables whose `give`n ids the current statement of `table` can use: those
        its links point at in this very scope (owners, generic links of the kinds it
        holds; other links too when the export is not filtered).

        Every such link, even to a table whose rule is its own status only (topics,
        companies): a statement left with no join to another table is planned as one
        scan with hashed filters, often in id order with no sort."""
        names = []
        for f in table.model._meta.concrete_fields:
            target = _target(f)
            if target is None or target is table:
                continue
            if f.name in table.owners or self.scope.public() == self.scope:
                names.append(target.name)
        if "record" in table.owners:
            kinds = self._kinds(table)  # the kinds its rows hold (all, where not read)
            names += [
                t.name
                for t in self._record_targets
                if kinds is None or self._content_types[t.model].id in kinds
            ]
        return tuple(dict.fromkeys(names))

    def _public_q(self, column, target, scope):
        """`column` holds the id of one of the target table's public rows in `scope`: one
        of the ids this export already wrote for it, where `using` allows (`give`; a
        hashed `= ANY(array)` test per row), else a subquery deriving them."""
        if scope == self.scope and target.name in self._using:
            return Q(_AnyOf(column, self._given[target.name]))
        return Q(**{f"{column}__in": self.ids(target, scope)})

    def _base(self, table, scope):
        if scope.as_of:
            return table.model.history.as_of(scope.as_of_end)
        return table.model._base_manager.all()

    def _build(self, table, scope):
        model = table.history_model if scope.as_of else table.model
        qs = self._base(table, scope).filter(own_public_q(model, scope.as_of or self.today))
        kinds = None if scope.as_of else self._kinds(table)  # as of a date: rows since deleted too
        qs = qs.filter(self._links_q(table, scope, kinds))
        if scope.company_id and table.company:
            qs = qs.filter(table.company(scope.company_id))
        if scope.filtered and table.cited:
            qs = qs.filter(id__in=self.ids(BY_NAME["citation"], scope, "source_id"))
        qs = qs.filter(date_q(table, scope.start, scope.end))
        if scope.as_of:
            qs = qs.filter(id__in=self.ids(table, Scope()))
        return qs

    def _links_q(self, table, scope, kinds=None):
        """Every id the row holds points at a public row; its owners are in this scope.

        `kinds`: the content types the filtered rows' generic links can hold, when known
        (`_kinds`); None: any.
        """
        q = Q()
        for f in table.model._meta.concrete_fields:
            target = _target(f)
            if target is None:
                continue
            link_scope = scope if f.name in table.owners else scope.public()
            if target is table:  # a parent agency: its own status only, one level
                parents = self._base(table, link_scope)
                parents = parents.filter(own_public_q(parents.model, link_scope.as_of or self.today))
                parents = parents.values("id")
                link = Q(**{f"{f.attname}__in": parents})
            else:
                link = self._public_q(f.attname, target, link_scope)
            if f.null:
                link |= Q(**{f"{f.attname}__isnull": True})
            q &= link
        if "record" in table.owners:
            q &= self._record_q(scope, kinds)
        return q

    def _record_q(self, scope, kinds=None):
        """A generic link (content_type, object_id) points at an exported record.

        One branch per kind of record, for the `kinds` given (None: all 22). PostgreSQL
        parses, analyses and plans every branch, taken or not: with all 22, about 8 ms
        per statement before its first row (citations, gap evidence and rights of reply
        alike, even with no rows at all).
        """
        options = [
            Q(content_type_id=self._content_types[t.model].id) & self._public_q("object_id", t, scope)
            for t in self._record_targets
            if kinds is None or self._content_types[t.model].id in kinds
        ]
        if not options:  # no row links to anything: none is exported
            return Q(Value(False, output_field=BooleanField()))
        return functools.reduce(operator.or_, options)

    def _kinds(self, table):
        """The content types the table's rows link to, or None (any) when not read exactly.

        Read only where the export reads one snapshot for all its statements
        (copy.reads_one_snapshot): then no row can hold a kind this did not see, and
        leaving a kind out of the rule changes nothing but the statement's size.
        Elsewhere (a web download, a caller's transaction) a row saved between this
        query and the table's own could be left out. A loose index scan: each kind is
        one probe of an index led by content_type (test_exports_speed checks there is one).
        """
        if "record" not in table.owners or not copy.reads_one_snapshot():
            return None
        if table.name not in self._kinds_of:
            model = table.model
            db = model._base_manager.db
            quote = connections[db].ops.quote_name
            name, column = quote(model._meta.db_table), quote(model._meta.get_field("content_type").column)
            loose = (
                f"WITH RECURSIVE k(id) AS (SELECT min({column}) FROM {name} UNION ALL "
                f"SELECT (SELECT min({column}) FROM {name} WHERE {column} > k.id) "
                "FROM k WHERE k.id IS NOT NULL) SELECT id FROM k WHERE id IS NOT NULL"
            )
            with connections[db].cursor() as cursor:
                cursor.execute(loose)
                self._kinds_of[table.name] = frozenset(row[0] for row in cursor.fetchall())
        return self._kinds_of[table.name]


def _target(f):
    """The exported table a foreign key points at (None for content types and others)."""
    if not f.is_relation or f.name == "content_type":
        return None
    return BY_MODEL.get(f.related_model)


class _AnyOf(Func):
    """`(column + 0) = ANY('{1,2,...}'::bigint[])`: PostgreSQL hashes the array once per
    statement (a constant of more than 8 elements) and probes it per row; unlike
    `IN (SELECT unnest(...))` no join, so the table can still be read in id order.
    `+ 0` hides the column's statistics from the planner, which would otherwise
    estimate every element against them (36 ms for the citations' 39,102 ids; 9 ms)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, literal):
        super().__init__(F(column))
        self.literal = literal

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} + 0) = ANY(%s::bigint[])", (*params, self.literal)
