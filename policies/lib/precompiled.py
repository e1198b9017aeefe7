"""Querysets built and compiled once per process, then run with new values.

Building a queryset (`filter()`, `Q`, joins) and compiling it to SQL took most of the
Python time of a public page: the public rule (`asof.linked_public_q`) joins a record to
up to ten others, and the median company page spent ~30 ms a request on it. Yet the SQL is
the same text for every company; only its parameters change. `@precompiled(company=INT)`
turns a function that builds a queryset into one that builds and compiles it once per
shape (its positional arguments), learns where each named value sits among the SQL's
parameters, and from then on runs that SQL with the new values. It returns the rows as
the queryset would (model instances with their `select_related` rows, dicts, tuples),
with `prefetch_related` applied, as a list.

How it finds the places: it builds the queryset with a probe value for every variable,
then once more per variable with a second probe; the parameters that changed are that
variable's places. The queryset's own attributes are compared the same way: one that holds
the value itself (the moment of `Model.history.as_of(when)`, which every instance is given)
is set to the new value on each run. Refused with ImproperlyConfigured when the shape is
compiled: SQL text that changes with a value (a list of ids must use the `any` lookup below,
one array parameter, not `__in`), a parameter that is not the value itself (`icontains` wraps
it in `%...%`), and any other queryset state that changes with a value, a prefetch's
queryset included (Django runs it as it was built; fetch such rows with a precompiled query
of their own).

A builder must depend on its arguments only. Today's date, which the embargo rule reads,
comes from `clock.today()`, which the compiler probes as well: it is a variable of every
precompiled query. With the `PRECOMPILED_CHECK` setting on (the test suite), every run also
builds the queryset afresh and raises if its SQL or parameters differ from the ones run.
"""

import copy
import datetime
import functools
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, ForeignObject, Lookup

from . import clock


@dataclass(frozen=True)
class Kind:
    name: str
    probes: tuple
    adapt: object  # (value, connection) -> the parameter the compiler would have written


def _same(value, connection):
    return value


def _any_param(values, connection):
    values = list(values)
    return values if connection.vendor == "postgresql" else json.dumps(values)


# Within the range of every integer field, the small and positive ones too: Django answers a
# comparison with a value out of a field's range without SQL (EmptyResultSet, or the condition
# dropped), so a negative probe lost its place next to a PositiveBigIntegerField (`object_id`).
INT = Kind("int", (32_581, 32_582), _same)
TEXT = Kind("text", ("\u2063probe-a\u2063", "\u2063probe-b\u2063"), _same)
DATE = Kind(
    "date", (datetime.date(1901, 2, 3), datetime.date(1902, 4, 5)),
    lambda value, connection: connection.ops.adapt_datefield_value(value),
)
DATETIME = Kind(
    "datetime",
    (
        datetime.datetime(1901, 2, 3, 4, 5, 6, 7, datetime.UTC),
        datetime.datetime(1902, 4, 5, 6, 7, 8, 9, datetime.UTC),
    ),
    lambda value, connection: connection.ops.adapt_datetimefield_value(value),
)
IDS = Kind("ids", ((-918_273_645, -918_273_647), (-918_273_646,)), _any_param)

MAX_SHAPES = 64  # per decorated function
TODAY = "today"  # the implicit variable of every precompiled query (clock.today())


@ForeignObject.register_lookup  # foreign keys keep lookups of their own
@Field.register_lookup
class Any(Lookup):
    """`field__any=[...]`: the value is one of the list, as ONE parameter, so that the SQL
    text does not change with the list's length (`= ANY(%s)` on PostgreSQL, a JSON array
    read by `json_each` on SQLite). `__in` writes one placeholder per value."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [_any_param(value, connection)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]


class _Bound:
    """The template's query, but compiled: iterating the queryset runs `compiler`."""

    _ITERATION = {"selected", "extra_select", "values_select", "annotation_select", "model"}

    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        if name not in self._ITERATION:
            raise AttributeError(f"a precompiled query is only iterated, not refined ({name})")
        return getattr(self._query, name)


@dataclass
class _Compiled:
    template: object  # the queryset built with the first probes
    compiler: object  # its compiler, set up by as_sql(): select, klass_info, converters
    sql: str
    params: tuple
    places: dict  # variable -> positions in params
    attributes: dict  # variable -> the template's attributes that hold its value (history's _as_of)

    def rows(self, params, values):
        template = self.template
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[template.db]  # this thread's connection
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        queryset = object.__new__(type(template))  # its iterable, prefetches, history flags ...
        queryset.__dict__.update(template.__dict__)  # (copy.copy would evaluate it: __getstate__)
        for name, attributes in self.attributes.items():
            queryset.__dict__.update(dict.fromkeys(attributes, values[name]))
        queryset._query = _Bound(template.query, compiler)
        queryset._result_cache, queryset._prefetch_done = None, False
        queryset._fetch_all()
        return queryset._result_cache

    def state(self, values):
        """The template's state (`_state`) with these values where it holds the probes."""
        state = _state(self.template)
        for name, attributes in self.attributes.items():
            state.update(dict.fromkeys(attributes, values[name]))
        return state


def _sql(queryset):
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


_NOT_STATE = {"_query", "_result_cache", "_prefetch_done"}


def _state(queryset):
    """What iterating `queryset` reads besides its SQL: its own attributes (the moment of a
    history query, the objects a related manager knows, its iterable), and its prefetches,
    each with its queryset's SQL and state (Prefetch objects compare equal when they fill the
    same attribute, whatever their querysets)."""
    state = {name: value for name, value in vars(queryset).items() if name not in _NOT_STATE}
    state["_prefetch_related_lookups"] = tuple(map(_prefetch, queryset._prefetch_related_lookups))
    return state


def _prefetch(lookup):
    queryset = getattr(lookup, "queryset", None)
    if queryset is None:
        return lookup
    try:
        _, sql, params = _sql(queryset)
    except EmptyResultSet:
        sql, params = None, ()
    return lookup.prefetch_to, sql, params, _state(queryset)


def _compile(build, shape, kinds, alias):
    connection = connections[alias]
    first = {name: kind.probes[0] for name, kind in kinds.items()}

    def built(values):
        variables = {name: value for name, value in values.items() if name != TODAY}
        with clock.today_is(values[TODAY]):
            return build(*shape, **variables)

    template = built(first)
    compiler, sql, params = _sql(template)
    state = _state(template)
    places, attributes = {}, {}
    for name, kind in kinds.items():
        other = built({**first, name: kind.probes[1]})
        _, other_sql, other_params = _sql(other)
        where = f"{build.__qualname__}{shape!r}, {name}"
        other_state = _state(other)
        attributes[name] = [attr for attr in state if other_state.get(attr) != state[attr]]
        for attr in attributes[name]:
            if (state[attr], other_state.get(attr)) != kind.probes:
                what = f"the queryset's {attr}"
                if attr == "_prefetch_related_lookups":
                    what = "a prefetch's queryset"
                raise ImproperlyConfigured(
                    f"{where}: {what} changes with the value; it cannot be precompiled."
                )
        if other_sql != sql or len(other_params) != len(params):
            raise ImproperlyConfigured(f"{where}: the SQL changes with the value; it cannot be precompiled.")
        places[name] = [i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b]
        expected = (kind.adapt(kind.probes[0], connection), kind.adapt(kind.probes[1], connection))
        for i in places[name]:
            if (params[i], other_params[i]) != expected:
                raise ImproperlyConfigured(
                    f"{where}: parameter {i} is {params[i]!r}, not the value itself; "
                    "it cannot be precompiled."
                )
    return _Compiled(template, compiler, sql, params, places, attributes)


def precompiled(**variables):
    """Decorate a function `build(*shape, **variables)` that returns a queryset: calling it
    returns the queryset's rows (a list), built and compiled once per shape."""
    kinds = {**variables, TODAY: DATE}

    def decorate(build):
        cache = OrderedDict()  # the most recently used shapes (a page number is a shape)
        lock = threading.Lock()

        @functools.wraps(build)
        def run(*shape, **values):
            if set(values) != set(variables):
                raise TypeError(f"{build.__qualname__} takes the variables {sorted(variables)}")
            alias = DEFAULT_DB_ALIAS
            key = (alias, shape)
            with lock:
                compiled = cache.get(key)
                if compiled is not None:
                    cache.move_to_end(key)
            if compiled is None:
                compiled = _compile(build, shape, kinds, alias)  # two threads may both: no harm
                with lock:
                    cache[key] = compiled
                    while len(cache) > MAX_SHAPES:
                        cache.popitem(last=False)
            connection = connections[alias]
            values = {**values, TODAY: clock.today()}
            params = list(compiled.params)
            for name, positions in compiled.places.items():
                adapted = kinds[name].adapt(values[name], connection)
                for i in positions:
                    params[i] = adapted
            if getattr(settings, "PRECOMPILED_CHECK", False):
                _check(build, shape, values, compiled.sql, params, compiled.state(values))
            return compiled.rows(params, values)

        run.cache = cache
        return run

    return decorate


def _check(build, shape, values, sql, params, state):
    """The queryset built afresh compiles to exactly what is about to run, with the same state."""
    variables = {name: value for name, value in values.items() if name != TODAY}
    fresh = build(*shape, **variables)
    _, fresh_sql, fresh_params = _sql(fresh)
    fresh_state = _state(fresh)
    if (fresh_sql, fresh_params, fresh_state) != (sql, tuple(params), state):
        raise AssertionError(
            f"precompiled {build.__qualname__}{shape!r} differs from the queryset built afresh:\n"
            f"{sql}\n{params!r}\n{state!r}\n!=\n{fresh_sql}\n{fresh_params!r}\n{fresh_state!r}"
        )
