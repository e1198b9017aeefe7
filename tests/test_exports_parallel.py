"""A folder export read over several connections at once (policies/exports/parallel.py).

The workers must see exactly the export's snapshot (not later commits), write the same
bytes as one connection, and fail as a whole. Transactional tests: worker connections
cannot see the rows of an open test transaction, so the export only goes parallel
outside one.
"""

import threading
import time

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from policies.exports import csv as csv_writer
from policies.exports import parallel, parse, write_export
from policies.models import Company
from tests import export_world
from tests.test_exports_identical import concatenated

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel export is PostgreSQL only"),
]


def threads_used(monkeypatch):
    names = set()
    write = csv_writer.write

    def spy(*args, **kwargs):
        names.add(threading.current_thread().name)
        return write(*args, **kwargs)

    monkeypatch.setattr(csv_writer, "write", spy)
    return names


def test_two_connections_write_the_same_bytes_as_one(tmp_path, monkeypatch):
    export_world.build()
    names = threads_used(monkeypatch)
    write_export(parse("csv", history=True), tmp_path / "one", jobs=1)
    assert names == {threading.main_thread().name}

    names.clear()
    counts = write_export(parse("csv", history=True), tmp_path / "two", jobs=2)
    assert names == {threading.main_thread().name, "export-0"}  # the export's own connection reads too
    assert concatenated(tmp_path / "one") == concatenated(tmp_path / "two")
    assert list(counts)[:2] == ["topic", "capability"]  # the tables' order, not the finishing order
    assert (tmp_path / "one" / "counts.json").read_text() == (tmp_path / "two" / "counts.json").read_text()


def test_every_worker_reads_the_export_s_snapshot_not_a_later_commit(tmp_path, monkeypatch):
    export_world.build()
    company = Company.objects.published().first()
    taken = parallel.export_snapshot

    def then_an_editor_commits():
        snapshot_id = taken()
        url = connection.settings_dict
        with psycopg.connect(
            dbname=url["NAME"], user=url["USER"], host=url["HOST"], port=url["PORT"] or 5432, autocommit=True
        ) as other:
            other.execute("UPDATE policies_company SET name = 'Renamed After The Snapshot' WHERE id = %s",
                          [company.pk])
        return snapshot_id

    monkeypatch.setattr(parallel, "export_snapshot", then_an_editor_commits)
    write_export(parse("csv", history=True), tmp_path / "out", jobs=2)

    exported = concatenated(tmp_path / "out")
    assert company.name.encode() in exported
    assert b"Renamed After The Snapshot" not in exported
    assert Company.objects.get(pk=company.pk).name == "Renamed After The Snapshot"


def test_a_failing_table_fails_the_whole_export_and_leaves_nothing(tmp_path, monkeypatch):
    export_world.build()
    write = csv_writer.write

    def broken(select, out, *args, **kwargs):
        if "historicalcitation" in select.sql:
            raise OSError(28, "No space left on device")
        return write(select, out, *args, **kwargs)

    monkeypatch.setattr(csv_writer, "write", broken)
    with pytest.raises(OSError, match="No space left"):
        write_export(parse("csv", history=True), tmp_path / "out", jobs=2)
    assert list(tmp_path.iterdir()) == []


def test_jobs_below_one_is_refused_with_exit_code_2(tmp_path):
    with pytest.raises(CommandError, match="--jobs must be 1 or more") as caught:
        call_command("export", "--format", "csv", "--jobs", "0", "--output", str(tmp_path / "out"))
    assert caught.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_export_stops_its_workers_and_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C while the workers read: their queries are cancelled, they end before the
    command's cleanup removes the half-written folder, and nothing is left behind.
    The main thread reads tables too: the Ctrl-C lands there, in the middle of one."""
    export_world.build()
    started = threading.Event()
    write = csv_writer.write

    def slow(select, out, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            started.wait(10)
            time.sleep(0.2)  # the worker is in its pg_sleep
            raise KeyboardInterrupt
        started.set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(30)")  # a long table, cancelled below
        return write(select, out, *args, **kwargs)

    monkeypatch.setattr(csv_writer, "write", slow)
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        write_export(parse("csv", history=True), tmp_path / "out", jobs=2)
    assert time.monotonic() - began < 20  # the 30-second queries were cancelled
    assert not [t for t in threading.enumerate() if t.name.startswith("export-")]
    assert list(tmp_path.iterdir()) == []
