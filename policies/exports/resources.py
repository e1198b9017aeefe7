"""The resources of one export: a SELECT per table, current state and optionally history.

A resource's SELECT is built when it is first read, in the thread that reads the table:
parallel workers (parallel.py) build their tables' statements themselves, so building
the next statement overlaps the other connection's COPY instead of delaying every
COPY until all of them are built. The columns are known without building it.
"""

import functools

from . import sql
from .selection import Selection
from .tables import Table, columns, history_columns


class Resource:
    def __init__(self, table: Table, history: bool, selection):
        self.table = table
        self.history = history
        self.selection = selection
        self._select = None
        # Set by the export (dump.write_tables): the resources whose written ids this
        # one's statement filters on (`after`), and whether a later one filters on its
        # own (`collect`).
        self.after = ()
        self.collect = False

    def __repr__(self):
        return f"<Resource {self.name}>"

    @property
    def name(self):
        return self.table.history_name if self.history else self.table.name

    def path(self, ext):
        folder = "history" if self.history else "data"
        return f"{folder}/{self.table.name}.{ext}"

    @property
    def primary_key(self):
        return "history_id" if self.history else "id"

    @functools.cached_property
    def columns(self):
        return history_columns(self.table) if self.history else columns(self.table)

    @property
    def select(self):
        """The table's SELECT (sql.Select), built once, on first use.

        Under the selection's lock: Django's compiler changes the query it compiles, and
        the selection's querysets and compiled subqueries are shared by every table.
        """
        if self._select is None:
            with self.selection.lock:
                if self._select is None:
                    self._select = self._build()
        return self._select

    def _build(self):
        selection = self.selection
        if self.history:
            queryset, order_by = selection.history(self.table), "history_id"
            content_types = selection.content_types  # deleted records' rows may hold any
        else:
            with selection.using(r.table.name for r in self.after if r.collect):
                queryset = selection.current(self.table)
            order_by = "id"
            content_types = selection.content_types_of(self.table)
        return sql.build(queryset, self.columns, order_by, content_types)


def current(selection, table):
    return Resource(table, False, selection)


def history(selection, table):
    return Resource(table, True, selection)


def for_options(options, today=None):
    """Every resource the options ask for, tables in dependency order (nothing built yet)."""
    selection = Selection(options.scope, today=today)
    if options.table:  # one table: its history instead of its current state when asked
        table = options.tables[0]
        return [history(selection, table) if options.history else current(selection, table)]
    found = [current(selection, t) for t in options.tables]
    if options.history:
        found += [history(selection, t) for t in options.tables]
    return found


def chain(found):
    """Let each current table's statement filter on the ids the export already wrote for
    the tables its public rows depend on (Selection.inputs, Selection.give), instead
    of deriving those tables' public rows again: set `after` and `collect`.

    Only for an export that reads every statement in its own snapshot, over COPY
    (dump.write_tables): the ids written are then exactly the rows the rule would pick.
    """
    current = {r.table.name: r for r in found if not r.history}
    for resource in current.values():
        selection = resource.selection
        inputs = selection.inputs(resource.table)
        resource.after = tuple(
            current[name] for name in inputs if name in current and current[name].selection is selection
        )
        for before in resource.after:
            before.collect = True


def after_first(found):
    """`found` in its own order, except that a resource comes after its `after`."""
    placed, ordered = set(), []

    def place(resource, seen=()):
        if resource in placed:
            return
        if resource in seen:
            raise ValueError(f"{resource} waits for itself")
        for before in resource.after:
            if before in found:
                place(before, (*seen, resource))
        placed.add(resource)
        ordered.append(resource)

    for resource in found:
        place(resource)
    return ordered
