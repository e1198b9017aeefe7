"""A table filtered on the ids the export already wrote (policies/exports: Selection.give,
resources.chain), and the COPY reading loop that reads them back (copy._copy_out).

In the export's own snapshot on PostgreSQL, a join table or the citations do not derive
their owners' public rows again: they test their links against the ids written for
those tables a moment before, in the same snapshot. The rows must be exactly those the
SQL rule picks: a citation of a draft never appears, a citation of a public record
always does. Transactional tests: the export only uses its own snapshot (and so this
path) outside a test transaction.
"""

import csv
import threading
import time

import psycopg
import pytest
from django.db import connection, transaction

from policies import models as m
from policies.exports import copy, dump, parse, resources, write_export
from policies.exports.sql import Select
from tests import export_world, factories
from tests.test_exports_identical import concatenated

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and the export's own snapshot"),
]


def rows_of(folder, table):
    with open(folder / "data" / f"{table}.csv", newline="") as f:
        return list(csv.DictReader(f))


def citations_of(folder):
    """{(record_type, object_id)} of the exported citations."""
    return {(row["record_type"], int(row["object_id"])) for row in rows_of(folder, "citation")}


def world_with_citations():
    """The export world, and citations of public records and of drafts (the factories
    cite every record they make)."""
    world = export_world.build()
    company = world["company"]
    drafts = {
        "a draft statement": factories.statement(company, status="draft"),
        "a draft policy": factories.policy(company, status="draft"),
        # A published statement of a draft company: public status of its own, not public.
        "of a draft company": factories.statement(m.Company.objects.get(slug="draft-co")),
    }
    observation = m.Observation.objects.filter(company=company, editorial_status="published").first()
    factories.cite(observation)
    public = {"statement": world["statement"], "observation": observation}
    return public, drafts


def spy_gives(monkeypatch):
    given = []
    give = resources.Selection.give

    def spy(selection, table, ids):
        given.append(table.name)
        return give(selection, table, ids)

    monkeypatch.setattr(resources.Selection, "give", spy)
    return given


@pytest.mark.parametrize("jobs", [1, 2])
def test_citations_follow_the_ids_written_before_them_never_a_draft(tmp_path, monkeypatch, jobs):
    public, drafts = world_with_citations()
    given = spy_gives(monkeypatch)
    write_export(parse("csv"), tmp_path / "given", jobs=jobs)
    assert {"statement", "observation", "policy"} <= set(given)  # the citations used written ids

    cited = citations_of(tmp_path / "given")
    for kind, record in public.items():
        assert (kind, record.pk) in cited, kind
    for name, record in drafts.items():
        assert (type(record).__name__.lower(), record.pk) not in cited, name


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_rows_are_those_the_sql_rule_picks_byte_for_byte(tmp_path, monkeypatch, jobs):
    world_with_citations()
    write_export(parse("csv"), tmp_path / "given", jobs=jobs)
    with monkeypatch.context() as patch:
        patch.setattr(resources, "chain", lambda found: None)  # every table derives its links in SQL
        write_export(parse("csv"), tmp_path / "derived", jobs=jobs)
    assert concatenated(tmp_path / "given") == concatenated(tmp_path / "derived")
    assert b"A quoted passage." in (tmp_path / "given" / "data" / "citation.csv").read_bytes()


def test_a_record_taken_back_to_draft_takes_its_citations_with_it(tmp_path):
    public, _ = world_with_citations()
    statement = public["statement"]
    write_export(parse("csv"), tmp_path / "before")
    assert ("statement", statement.pk) in citations_of(tmp_path / "before")

    statement.editorial_status = "draft"
    statement._change_reason = "Pulled back for review"
    statement.save()
    write_export(parse("csv"), tmp_path / "after")
    assert ("statement", statement.pk) not in citations_of(tmp_path / "after")
    assert str(statement.pk) not in [row["id"] for row in rows_of(tmp_path / "after", "statement")]


def test_filtered_exports_use_written_ids_only_for_their_own_scope(tmp_path, monkeypatch):
    """A company's export: owners and generic links follow the filtered files; a link to
    another company's record (outside the filter) is still judged by the SQL rule."""
    world_with_citations()
    write_export(parse("csv", company="example-cloud"), tmp_path / "given")
    with monkeypatch.context() as patch:
        patch.setattr(resources, "chain", lambda found: None)
        write_export(parse("csv", company="example-cloud"), tmp_path / "derived")
    assert concatenated(tmp_path / "given") == concatenated(tmp_path / "derived")


def test_a_table_starts_only_after_the_tables_whose_ids_it_uses(tmp_path, monkeypatch):
    world_with_citations()
    spans, lock = {}, threading.Lock()
    write = dump.write_resource

    def timed(resource, *args, **kwargs):
        began = time.monotonic()
        rows = write(resource, *args, **kwargs)
        with lock:
            spans[resource.name] = (began, time.monotonic(), [r.name for r in resource.after])
        return rows

    monkeypatch.setattr(dump, "write_resource", timed)
    write_export(parse("csv"), tmp_path / "out", jobs=2)
    assert set(spans["citation"][2]) >= {"statement", "observation", "policy", "gap"}
    assert "statement" in spans["statement_topic"][2]
    for name, (began, _, after) in spans.items():
        for before in after:
            assert spans[before][1] <= began, (before, name)


def test_outside_the_export_s_own_snapshot_nothing_waits_and_sql_decides(tmp_path, monkeypatch):
    world_with_citations()
    given = spy_gives(monkeypatch)
    with transaction.atomic():  # a caller's transaction: not the export's own snapshot
        write_export(parse("csv"), tmp_path / "out")
    assert given == []


# The reading loop.


def select(sql):
    return Select(sql, (), [])


def test_the_reading_loop_writes_copy_s_bytes_and_reads_back_each_row_s_id(tmp_path):
    sql = (
        "SELECT * FROM (VALUES (7, E'two\\nlines, \"quoted\"'), (12, ''), (9000000000000000001, NULL)) "
        "AS t(id, text) ORDER BY 1"
    )
    ids = []
    with transaction.atomic(), open(tmp_path / "out.csv", "wb") as out:
        assert copy.copy_csv_into(select(sql), out, ids) == 3
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as reference:
            expected = b"".join(bytes(row) for row in reference)
    assert (tmp_path / "out.csv").read_bytes() == expected
    assert ids == [b"7", b"12", b"9000000000000000001"]


def test_an_error_in_the_statement_is_raised_and_the_connection_is_still_usable(tmp_path):
    with pytest.raises(psycopg.errors.DivisionByZero):
        with transaction.atomic(), open(tmp_path / "out.csv", "wb") as out:
            copy.copy_csv_into(select("SELECT n, 1 / (3 - n) FROM generate_series(1, 100000) AS n"), out)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_failed_write_stops_the_copy_and_leaves_the_connection_usable(tmp_path):
    class Full:
        written = 0

        def write(self, row):
            self.written += 1
            if self.written == 10:
                raise OSError(28, "No space left on device")

    began = time.monotonic()
    with pytest.raises(OSError, match="No space left"):
        with transaction.atomic():
            slow = select("SELECT n, pg_sleep(0.001) FROM generate_series(1, 100000) AS n")
            copy.copy_csv_into(slow, Full())
    assert time.monotonic() - began < 20  # cancelled, not read to its end (100 s of sleeps)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
