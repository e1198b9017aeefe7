"""The shortcuts that make exports fast change nothing in what they write.

The figures themselves come from bench/exports.py (a benchmark, not a timed test).
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from policies import models as m
from policies.exports import copy, sql
from policies.exports.selection import Scope, Selection
from policies.exports.tables import BY_NAME, Column, columns
from tests import export_world


def _rows(select):
    return [row for batch in copy.iterate_rows(select, copy.Tally()) for row in batch]


def test_record_type_from_the_case_lookup_is_what_the_content_type_join_gives(db):
    export_world.build()
    table = BY_NAME["citation"]
    queryset = m.Citation.objects.all()
    joined = [model for (model,) in queryset.order_by("id").values_list("content_type__model")]
    assert len(set(joined)) > 1, "the world should cite more than one kind of record"
    position = [c.path for c in columns(table)].index(sql.RECORD_TYPE)
    one_known = [ContentType.objects.get_for_model(m.Statement)]  # the others take the fallback
    for content_types in (Selection(Scope()).content_types, one_known, []):
        looked_up = sql.build(queryset, columns(table), "id", content_types)
        assert "JOIN" not in looked_up.sql
        assert [row[position] for row in _rows(looked_up)] == joined


def test_the_select_list_is_every_column_of_the_table_in_order(db):
    """The list is written as text (sql.ColumnList), not compiled column by column: the
    same values as the ORM reads, in the columns' order, for current and history rows."""
    export_world.build()
    for table in (BY_NAME["contract"], BY_NAME["employee_action"]):
        own = columns(table)
        expected = list(table.model.objects.order_by("id").values_list(*[c.path for c in own]))
        built = _rows(sql.build(table.model.objects.all(), own, "id"))
        assert len(built) == len(expected) > 0
        for row, values in zip(built, expected, strict=True):
            assert len(row) == len(own)
            assert [_text(v) for v in values] == [None if v is None else v for v in row]


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):  # PostgreSQL's form: the fraction only as long as needed
        text = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
        return (text.rstrip("0").rstrip(".") if "." in text else text) + "+00"
    return str(value)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is a PostgreSQL setting")
def test_jit_is_off_while_an_export_query_runs_and_as_it_was_afterwards(db):
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
    probe = sql.Select("SELECT current_setting('jit')", (), [Column("jit", "jit", "string", "")])
    assert b"".join(copy.copy_csv(probe, copy.Tally())) == b"off\n"
    assert _rows(probe) == [("off",)]
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"



@pytest.mark.django_db(transaction=True)
def test_an_export_outside_a_transaction_reads_one_read_only_snapshot():
    with copy.snapshot(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            return
        assert connection.in_atomic_block
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone()[0] == "repeatable read"
        cursor.execute("SHOW transaction_read_only")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    assert not connection.in_atomic_block
