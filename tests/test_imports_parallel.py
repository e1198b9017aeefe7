"""A large award-summary download is written over two connections at once (staged.py).

The halves of the rows to write go to two connections, each its own transaction. These
tests make any download "large" (`PARALLEL_ROWS`) and compare the result, row for row,
with the one-connection write (itself compared with the Python path in
test_imports_paths.py). They commit (a second connection sees only committed rows), so
they run outside the test's transaction. PostgreSQL only.
"""

import datetime
import threading

import pytest
from django.db import DatabaseError, OperationalError, connection, transaction

from policies.imports import award_sql, staged
from policies.imports.csvfile import CsvFile
from policies.imports.usaspending import ImportOptions, import_files
from policies.models import ImportRun, ImportRunStatus
from tests.test_imports_paths import MIXED, NAME, NEWER, files, imported, report_of, snapshot
from tests.usaspending_files import AWARDS_286, award, csv_bytes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the staged path is PostgreSQL only"),
]

PERIOD = (datetime.date(2024, 10, 1), datetime.date(2025, 9, 30))
NEWER_ROWS = [
    award("P1", total_obligated_amount="17000.00"),
    award("P5", period_of_performance_start_date="2025-01-16"),
    award("P14", total_obligated_amount="1.00"),
    award("P20"),
    award("P21", recipient_name="UNKNOWN 3", recipient_uei="UNK3"),
]


def scenario():
    return imported(files(NAME, MIXED), period=PERIOD) + imported(files(NEWER, NEWER_ROWS), period=PERIOD)


def one_connection(monkeypatch, scenario):
    """The reference: the same imports written over one connection, then rolled back."""
    with monkeypatch.context() as patch:
        patch.setattr(staged, "PARALLEL_ROWS", 10**9)
        patch.setattr(staged, "PARALLEL_BYTES", 10**12)
        with transaction.atomic():
            reports = scenario()
            result = ([report_of(r) for r in reports], snapshot())
            transaction.set_rollback(True)
    return result


@pytest.fixture
def parallel(monkeypatch):
    """Every download with rows to write is written over two connections; counts the uses."""
    used = []
    original = staged.parallel_write
    monkeypatch.setattr(staged, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(staged, "parallel_write", lambda *args: (used.append(args), original(*args))[1])
    return used


def test_two_connections_write_the_same_rows_history_citations_and_report(monkeypatch, parallel):
    expected = one_connection(monkeypatch, scenario)
    reports = scenario()
    assert len(parallel) == 2  # both imports were split
    assert ([report_of(r) for r in reports], snapshot()) == expected
    (rows, _), (newer, _) = expected[0]
    assert {outcome for _, _, outcome, *_ in newer} == {"imported", "updated"}


@pytest.mark.parametrize("refused", ["MainThread", "import-half"])
def test_a_half_the_database_refuses_goes_through_the_python_batches(monkeypatch, parallel, refused):
    expected = one_connection(monkeypatch, scenario)
    original = award_sql.insert_citations

    def insert_citations(*args, **kwargs):
        if threading.current_thread().name == refused:
            raise DatabaseError("refused for the test")
        return original(*args, **kwargs)

    replayed = []
    replay = staged.StagedAwardsImport.replay_in_python
    monkeypatch.setattr(award_sql, "insert_citations", insert_citations)
    monkeypatch.setattr(
        staged.StagedAwardsImport,
        "replay_in_python",
        lambda job, *args: (replayed.append(args[0] if args else None), replay(job, *args))[1],
    )
    reports = scenario()
    assert replayed == [[0 if refused == "MainThread" else 1]] * 2
    assert ([report_of(r) for r in reports], snapshot()) == expected


def test_an_interrupted_import_stops_the_second_connection_too(monkeypatch, parallel):
    original = staged._write_half

    def write_half(params, half):
        if threading.current_thread().name == "MainThread":
            raise KeyboardInterrupt
        return original(params, half)

    monkeypatch.setattr(staged, "_write_half", write_half)
    with pytest.raises(KeyboardInterrupt):
        imported(files(NAME, [award(f"P{n}") for n in range(10)]))
    assert not [t for t in threading.enumerate() if t.name == "import-half"]
    assert ImportRun.objects.get().status == ImportRunStatus.INTERRUPTED


def test_one_connection_inside_a_transaction_below_the_threshold_or_with_one_job(monkeypatch):
    used = []
    monkeypatch.setattr(staged, "parallel_write", lambda *args: used.append(args))
    imported(files(NAME, [award("P1"), award("P2")]))  # below PARALLEL_ROWS
    monkeypatch.setattr(staged, "PARALLEL_ROWS", 1)
    imported(files(NEWER, [award("P1"), award("P3")]), jobs=1)
    with transaction.atomic():
        imported(files(NEWER, [award("P1", total_obligated_amount="1.00"), award("P4")]))
    assert used == []


def disk_file(tmp_path, name, rows):
    path = tmp_path / name
    path.write_bytes(csv_bytes(AWARDS_286, rows))
    return CsvFile.open(path)


def staged_over_two(monkeypatch, tmp_path, rows, **options):
    """Import `rows` from a file on disk with its second half staged over a second connection
    (the writes over one): the reports and the state, and whether the split was used."""
    stagers = []
    original = staged._Stager.__init__
    monkeypatch.setattr(staged, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(
        staged._Stager, "__init__", lambda self, *args: (stagers.append(args), original(self, *args))[1]
    )
    csv_file = disk_file(tmp_path, NAME, rows)
    try:
        report = import_files([csv_file], ImportOptions(**options))
    finally:
        csv_file.close()
    return ([report_of(report)], snapshot()), stagers


STAGED_ROWS = [award(f"P{n}", total_obligated_amount=f"{16000 + n}.00") for n in range(20)] + [
    award("P3", award_id_piid="P3-again"),  # a key repeated across the halves
    award("P21", period_of_performance_start_date="2025-01-15 00:00:00"),  # fixed by Python
    award("P22", total_obligated_amount="x"),  # rejected
]


def test_a_large_file_on_disk_is_staged_in_halves_with_the_same_lines_and_results(monkeypatch, tmp_path):
    csv_file = disk_file(tmp_path, NAME, STAGED_ROWS)
    expected = one_connection(monkeypatch, lambda: [import_files([csv_file], ImportOptions())])
    csv_file.close()
    result, stagers = staged_over_two(monkeypatch, tmp_path, STAGED_ROWS)
    ((_, _, path, start, lines),) = stagers
    assert 2 < lines < len(STAGED_ROWS) and start == len(b"".join(open(path, "rb").readlines()[:lines]))
    assert result == expected
    rows = result[0][0][0]
    assert (NAME, len(STAGED_ROWS) + 1, "rejected", "", "total_obligated_amount") == rows[-1][:5]


def test_a_row_postgresql_refuses_in_the_second_half_sends_the_file_to_python(monkeypatch, tmp_path):
    rows = [*STAGED_ROWS, ["too", "few", "fields"]]
    csv_file = disk_file(tmp_path, NAME, rows)
    expected = one_connection(monkeypatch, lambda: [import_files([csv_file], ImportOptions())])
    csv_file.close()
    result, stagers = staged_over_two(monkeypatch, tmp_path, rows)
    assert len(stagers) == 1 and result == expected
    assert any("the row has 3 fields" in row[5] for row in result[0][0][0])


def test_if_the_second_connection_fails_the_first_stages_and_writes_it_all(monkeypatch, tmp_path):
    csv_file = disk_file(tmp_path, NAME, STAGED_ROWS)
    expected = one_connection(monkeypatch, lambda: [import_files([csv_file], ImportOptions())])
    csv_file.close()
    apply_settings = award_sql.apply_settings

    def no_second_connection():
        if threading.current_thread().name != "MainThread":
            raise OperationalError("no more connections for the test")
        return apply_settings()

    monkeypatch.setattr(award_sql, "apply_settings", no_second_connection)
    monkeypatch.setattr(staged, "PARALLEL_ROWS", 1)
    replayed, read_by_python = [], []
    monkeypatch.setattr(staged.StagedAwardsImport, "replay_in_python", lambda *args: replayed.append(args))
    monkeypatch.setattr(staged.StagedAwardsImport, "stage", lambda *args: read_by_python.append(args))
    result, stagers = staged_over_two(monkeypatch, tmp_path, STAGED_ROWS)
    assert len(stagers) == 1 and replayed == read_by_python == [] and result == expected
