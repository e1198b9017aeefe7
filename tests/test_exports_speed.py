"""The shortcuts that make exports fast change nothing in what they write.

The figures themselves come from bench/exports.py (a benchmark, not a timed test).
"""

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
    joined = sql.build(queryset, columns(table), "id")
    assert "django_content_type" in joined.sql and "JOIN" in joined.sql
    kinds = {ct.model for ct in ContentType.objects.filter(id__in=queryset.values("content_type_id"))}
    assert len(kinds) > 1, "the world should cite more than one kind of record"
    one_known = [ContentType.objects.get_for_model(m.Statement)]  # the others take the fallback
    for content_types in (Selection(Scope()).content_types, one_known):
        looked_up = sql.build(queryset, columns(table), "id", content_types)
        assert "JOIN" not in looked_up.sql
        assert _rows(looked_up) == _rows(joined)


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
