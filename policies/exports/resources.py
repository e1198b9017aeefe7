"""The resources of one export: a SELECT per table, current state and optionally history."""

from dataclasses import dataclass

from . import sql
from .selection import Selection
from .tables import Table, columns, history_columns


@dataclass
class Resource:
    table: Table
    history: bool
    select: sql.Select

    @property
    def name(self):
        return self.table.history_name if self.history else self.table.name

    def path(self, ext):
        folder = "history" if self.history else "data"
        return f"{folder}/{self.table.name}.{ext}"

    @property
    def primary_key(self):
        return "history_id" if self.history else "id"


def current(selection, table):
    select = sql.build(selection.current(table), columns(table), "id", selection.content_types)
    return Resource(table, False, select)


def history(selection, table):
    columns_ = history_columns(table)
    select = sql.build(selection.history(table), columns_, "history_id", selection.content_types)
    return Resource(table, True, select)


def for_options(options, today=None):
    """Every resource the options ask for, tables in dependency order."""
    selection = Selection(options.scope, today=today)
    if options.table:  # one table: its history instead of its current state when asked
        table = options.tables[0]
        return [history(selection, table) if options.history else current(selection, table)]
    found = [current(selection, t) for t in options.tables]
    if options.history:
        found += [history(selection, t) for t in options.tables]
    return found
