"""The shortcuts that make exports fast change nothing in what they write.

The figures themselves come from bench/exports.py (a benchmark, not a timed test).
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from policies import models as m
from policies.exports import copy, parse, resources, sql, write_export
from policies.exports.selection import Scope, Selection
from policies.exports.tables import BY_NAME, Column, columns
from tests import export_world, factories


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


SETTINGS_PROBE = sql.Select(
    "SELECT current_setting('jit'), current_setting('work_mem')", (),
    [Column("jit", "jit", "string", ""), Column("work_mem", "work_mem", "string", "")],
)


def _settings():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT and work_mem are PostgreSQL settings")
def test_a_lone_export_query_runs_without_jit_and_with_the_server_s_work_mem(db):
    """A web download (one table, no snapshot of its own): JIT off; work_mem left alone, so
    many visitors at once cannot each take 64 MB per sort."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on; SET work_mem = '3MB'")
    assert b"".join(copy.copy_csv(SETTINGS_PROBE, copy.Tally())) == b"off,3MB\n"
    assert _rows(SETTINGS_PROBE) == [("off", "3MB")]
    assert _settings() == ("on", "3MB")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT and work_mem are PostgreSQL settings")
def test_a_whole_export_runs_without_jit_and_with_64mb_to_sort_then_puts_both_back():
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on; SET work_mem = '3MB'")
    try:
        with copy.snapshot():
            assert b"".join(copy.copy_csv(SETTINGS_PROBE, copy.Tally())) == b"off,64MB\n"
            assert _rows(SETTINGS_PROBE) == [("off", "64MB")]
        assert _settings() == ("on", "3MB")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit; RESET work_mem")


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


GENERIC = [t for t in BY_NAME.values() if "record" in t.owners]  # citation, gap evidence, reply


def test_every_table_with_a_generic_link_has_an_index_led_by_its_content_type(db):
    """selection._kinds reads the kinds a table holds with one index probe per kind."""
    with connection.cursor() as cursor:
        for table in GENERIC:
            column = table.model._meta.get_field("content_type").column
            constraints = connection.introspection.get_constraints(cursor, table.model._meta.db_table)
            # A unique constraint is kept in an index on both databases.
            indexed = [c for c in constraints.values() if c["index"] or c["unique"]]
            led = [c for c in indexed if c["columns"][:1] == [column]]
            assert led, f"{table.name}: no index starts with {column}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the export's own snapshot is PostgreSQL's")
def test_in_the_export_s_snapshot_the_record_rule_names_only_the_kinds_the_rows_hold():
    export_world.build()
    branches = '"content_type_id" = %s'  # one per kind in record_type's CASE, one in the rule
    outside = {t.name: resources.current(Selection(Scope()), t).select for t in GENERIC}
    with copy.snapshot():
        selection = Selection(Scope())
        for table in GENERIC:
            held = set(table.model.objects.values_list("content_type_id", flat=True))
            assert 0 < len(held) < 22
            assert selection._kinds(table) == held
            inside = resources.current(selection, table).select
            assert inside.sql.count(branches) == 2 * len(held)
            assert outside[table.name].sql.count(branches) == 2 * 22
            assert _rows(inside) == _rows(outside[table.name])
    m.RightOfReply.objects.all().delete()
    with copy.snapshot():
        select = resources.current(Selection(Scope()), BY_NAME["right_of_reply"]).select
        assert branches not in select.sql and _rows(select) == []


@pytest.mark.django_db(transaction=True)
def test_a_deleted_citation_keeps_its_public_history_though_no_citation_holds_its_kind_now(tmp_path):
    """History rows of deleted records are judged by the full rule, not by the kinds the
    current table holds (no current citation points at a company alias here)."""
    export_world.build()
    alias = m.CompanyAlias.objects.get(value="Example Cloud Corp.")
    citation = factories.cite(alias, quote="CITED-AN-ALIAS-ONCE")
    citation.delete()
    kind = ContentType.objects.get_for_model(m.CompanyAlias).id
    assert not m.Citation.objects.filter(content_type_id=kind).exists()
    write_export(parse("csv", history=True), tmp_path / "out")
    history = (tmp_path / "out" / "history" / "citation.csv").read_text()
    versions = [line for line in history.splitlines() if "CITED-AN-ALIAS-ONCE" in line]
    assert [line.split(",")[2] for line in versions] == ["+", "-"]  # history_type
    assert "CITED-AN-ALIAS-ONCE" not in (tmp_path / "out" / "data" / "citation.csv").read_text()
