"""Adversarial audit of the management commands: bad input is a clear message, never a
traceback, and never a half write (export, release, import_usaspending,
import_policy_version, backup, restore, load_seed)."""

import datetime
import threading
import time
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from policies.exports import atomic
from policies.imports import values
from policies.imports.usaspending import _fiscal_year_end, _fiscal_year_start
from policies.models import Contract, ImportRun, ImportRunStatus, PolicyVersion
from tests import export_world, factories
from tests.usaspending_files import AWARDS_286, TRANSACTIONS_297, award, csv_bytes, transaction

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


# -- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,name",
    [
        (["--format", "datapackage"], "tracker.zip"),
        (["--format", "csv", "--table", "statement"], "statement.csv"),
        (["--format", "jsonl", "--table", "statement"], "statement.jsonl"),
    ],
)
def test_an_existing_output_file_is_refused_with_exit_2_and_left_alone(db, tmp_path, args, name):
    export_world.build()
    existing = tmp_path / name
    existing.write_bytes(b"a researcher's earlier download")
    with pytest.raises(CommandError, match="exists") as caught:
        call_command("export", *args, "--output", str(existing))
    assert caught.value.returncode == 2
    assert existing.read_bytes() == b"a researcher's earlier download"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_symlink_at_the_output_path_is_refused_not_replaced(db, tmp_path):
    # os.replace would swap the link (or a device such as /dev/null) for a regular file.
    target = tmp_path / "target.txt"
    target.write_text("keep")
    link = tmp_path / "out.zip"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.zip"
    dangling.symlink_to(tmp_path / "nowhere")
    for path in (link, dangling):
        with pytest.raises(CommandError, match="exists") as caught:
            call_command("export", "--format", "datapackage", "--output", str(path))
        assert caught.value.returncode == 2
        assert path.is_symlink()
    assert target.read_text() == "keep"


def test_an_unwritable_output_place_is_a_clear_error_with_exit_2(db, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(atomic.tempfile, "mkdtemp", refuse)
    for args, output in ((["--format", "datapackage"], "t.zip"), (["--format", "csv"], "folder")):
        with pytest.raises(CommandError, match="Permission denied") as caught:
            call_command("export", *args, "--output", str(tmp_path / output))
        assert caught.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args,output",
    [(["--format", "datapackage"], "t.zip"), (["--format", "csv"], "folder"), (["--format", "jsonl"], "f")],
)
def test_an_export_interrupted_mid_write_leaves_no_partial_file(db, tmp_path, monkeypatch, args, output):
    from policies.exports import csv, jsonl

    export_world.build()
    for module in (csv, jsonl):
        real = module.write
        calls = []

        def half(select, out, *args, real=real, calls=calls, **kwargs):
            calls.append(1)
            if len(calls) == 3:  # two tables written, the third dies half-way
                out.write(b"id,half a row")
                raise KeyboardInterrupt
            return real(select, out, *args, **kwargs)

        monkeypatch.setattr(module, "write", half)
    with pytest.raises(KeyboardInterrupt):
        call_command("export", *args, "--output", str(tmp_path / output))
    assert list(tmp_path.iterdir()) == []


def test_a_release_that_cannot_be_written_is_a_clear_error(db, tmp_path, settings):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.EXPORTS_ROOT = blocker  # releases/ would have to be made inside a file
    with pytest.raises(CommandError, match="release"):
        call_command("release")
    assert blocker.read_text() == "x"


# -- import_usaspending ----------------------------------------------------------------------


def test_a_report_path_in_a_missing_folder_is_refused_before_anything_is_written(db, tmp_path):
    download = tmp_path / "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
    download.write_bytes(csv_bytes(AWARDS_286, [award("70CMSD25C0001")]))
    with pytest.raises(CommandError, match="report"):
        call_command("import_usaspending", str(download), "--report", str(tmp_path / "no" / "r.csv"))
    assert not ImportRun.objects.exists()
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"award_latest_action_date": "9999-12-31", "period_of_performance_current_end_date": "9999-12-31"},
        {"award_latest_action_date": "", "period_of_performance_start_date": "0001-01-01"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_do_not_crash_the_import(db, tmp_path, capsys, overrides):
    download = tmp_path / "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
    download.write_bytes(csv_bytes(AWARDS_286, [award("70CMSD25C0001", **overrides), award("70CMSD25C0002")]))
    call_command("import_usaspending", str(download))
    assert "2 row(s): 2 imported" in capsys.readouterr().out
    run = ImportRun.objects.get()
    assert run.status == ImportRunStatus.COMPLETE and run.finished_at is not None
    # ...and a second run is all unchanged, so the scope it computes is stable
    call_command("import_usaspending", str(download))
    assert "2 row(s): 0 imported, 2 unchanged" in capsys.readouterr().out


def test_fiscal_years_at_the_ends_of_the_calendar():
    assert _fiscal_year_start(datetime.date(1, 3, 1)) == datetime.date.min
    assert _fiscal_year_end(datetime.date(9999, 12, 31)) == datetime.date.max
    assert _fiscal_year_start(datetime.date(2025, 10, 1)) == datetime.date(2025, 10, 1)
    assert _fiscal_year_end(datetime.date(2025, 10, 1)) == datetime.date(2026, 9, 30)


@pytest.mark.parametrize("text", ["\u0661\u0666", "１６", "16\u0660"])
def test_amounts_in_other_scripts_digits_are_refused(text):
    with pytest.raises(values.BadValue):
        values.parse_amount(text)


@pytest.mark.parametrize("text", ["\u0662\u0660\u0662\u0665-01-01", "２０２５-01-01"])
def test_dates_in_other_scripts_digits_are_refused(text):
    with pytest.raises(values.BadValue):
        values.parse_date(text)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_on_postgresql_wait_for_each_other(tmp_path):
    """Two staff importing at once: the second waits, then finds every row unchanged.

    Without the lock the second import raced the first and reported rows the database
    refused ("duplicate key value violates unique constraint") instead of "unchanged".
    """
    from policies.imports.usaspending import IMPORT_LOCK

    download = tmp_path / "Contracts_PrimeTransactions_2026-01-05_H10M00S00_1.csv"
    download.write_bytes(csv_bytes(TRANSACTIONS_297, [transaction("70CMSD25C0001")]))
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK])
        errors = []

        def run():
            try:
                call_command("import_usaspending", str(download))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connections.close_all()

        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(1.5)
        assert worker.is_alive(), "the import did not wait for the other one"
        assert not Contract.objects.exists()
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK])
        worker.join(60)
        assert not worker.is_alive() and not errors, errors
        assert Contract.objects.count() == 1
    finally:
        holder.close()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_processes_importing_the_same_file_write_each_contract_once(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    rows = [transaction(f"70CMSD25C{i:04d}", modification=str(m)) for i in range(400) for m in range(2)]
    download = tmp_path / "Contracts_PrimeTransactions_2026-01-05_H10M00S00_1.csv"
    download.write_bytes(csv_bytes(TRANSACTIONS_297, rows))
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    root = Path(__file__).resolve().parent.parent
    env = {"DEBUG": "true", "PATH": "/usr/bin:/bin", "DATABASE_URL": url}
    command = [sys.executable, "manage.py", "import_usaspending", str(download)]
    # Output to files, not pipes: the import waiting for the lock must not be the one whose
    # pipe we read while the other blocks on a full one.
    logs = [(tmp_path / f"out{n}.txt", tmp_path / f"err{n}.txt") for n in range(2)]
    processes = []
    for out_path, err_path in logs:
        with open(out_path, "w") as out, open(err_path, "w") as err:
            processes.append(subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=err))
    for process in processes:
        process.wait(timeout=300)
    for process, (out_path, err_path) in zip(processes, logs, strict=True):
        out, err = out_path.read_text(), err_path.read_text()
        assert process.returncode == 0, err
        assert "Traceback" not in err
        assert "rejected —" not in out, out
    assert Contract.objects.count() == 400
    assert Contract.history.count() == 400


# -- import_policy_version -------------------------------------------------------------------


def test_a_policy_file_with_nul_bytes_is_rejected_not_a_traceback(db, tmp_path, capsys):
    policy = factories.policy()
    utf16 = tmp_path / "aup.md"
    utf16.write_bytes("No mass surveillance.".encode("utf-16-le"))  # valid UTF-8, full of NULs
    with pytest.raises(CommandError, match="rejected"):
        call_command(
            "import_policy_version", "--company", policy.company.slug, "--policy", policy.slug,
            "--effective", "2024-01-02", str(utf16),
        )
    assert "NUL" in capsys.readouterr().out
    assert not PolicyVersion.objects.exists()


def test_a_series_with_a_binary_file_imports_the_rest_and_reports_it(db, tmp_path, capsys):
    policy = factories.policy()
    folder = tmp_path / "Example" / "Acceptable Use Policy"
    folder.mkdir(parents=True)
    (folder / "2024-01-01T00-00-00Z.md").write_text("We do not allow mass surveillance.\n")
    (folder / "2024-02-01T00-00-00Z.md").write_bytes(b"h\x00i\x00")
    (folder / "2024-03-01T00-00-00Z.md").write_text("We do not allow any surveillance.\n")
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_policy_version", "--company", policy.company.slug, "--policy", policy.slug,
                     str(tmp_path))
    out = capsys.readouterr().out
    assert "2024-02-01T00-00-00Z.md (2024-02-01): rejected" in out
    assert "2 imported, 1 rejected." in out
    assert PolicyVersion.objects.count() == 2


# -- backup, restore, load_seed --------------------------------------------------------------


def test_a_backup_that_cannot_be_written_is_a_clear_error(db, tmp_path, monkeypatch):
    from policies import backup

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(backup.tempfile, "mkstemp", refuse, raising=False)
    monkeypatch.setattr(backup, "_open_for_writing_as", refuse)
    with pytest.raises(CommandError, match="Permission denied"):
        call_command("backup", str(tmp_path / "b.jsonl.gz"))


@pytest.mark.parametrize(
    "name,data",
    [
        ("b.jsonl.gz", b"\x1f\x8b not gzip at all"),
        ("b.jsonl", b'{"model": "policies.company", "pk": 1, "fields": {"na'),
    ],
)
def test_restoring_a_damaged_backup_is_a_clear_error_and_restores_nothing(db, tmp_path, name, data):
    from policies.models import Company

    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=name):
        call_command("restore", str(path))
    assert not Company.objects.exists()


@pytest.mark.parametrize("text", ["{", "[]", '{"records": 5}'])
def test_a_malformed_seed_file_is_a_clear_error(db, tmp_path, text):
    path = tmp_path / "seed.json"
    path.write_text(text)
    with pytest.raises(CommandError, match="seed.json"):
        call_command("load_seed", str(path))


def test_zip_written_by_a_successful_export_is_complete(db, tmp_path):
    export_world.build()
    call_command("export", "--format", "datapackage", "--output", str(tmp_path / "t.zip"))
    assert zipfile.ZipFile(tmp_path / "t.zip").testzip() is None


@pytest.mark.parametrize("flag", ["--dry-run", "--all-or-nothing"])
def test_vanished_contracts_are_not_reported_as_flagged_when_nothing_was_saved(db, tmp_path, capsys, flag):
    from policies.models import SourceStatus

    first = tmp_path / "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
    first.write_bytes(csv_bytes(AWARDS_286, [award("70CMSD25C0001"), award("70CMSD25C0002")]))
    call_command("import_usaspending", str(first))
    newer = tmp_path / "Contracts_PrimeAwardSummaries_2026-02-05_H10M00S00_1.csv"
    # 0002 has vanished; with --all-or-nothing the bad row rolls everything back
    rows = [award("70CMSD25C0001"), award("70CMSD25C0003", total_obligated_amount="$5")]
    newer.write_bytes(csv_bytes(AWARDS_286, rows))
    capsys.readouterr()
    try:
        call_command("import_usaspending", str(newer), flag)
    except CommandError:
        pass
    out = capsys.readouterr().out
    assert "1 contract(s) no longer in the official source (would be flagged vanished; not saved):" in out
    assert "(flagged vanished)" not in out
    assert set(Contract.objects.values_list("source_status", flat=True)) == {SourceStatus.PRESENT}


def test_a_dry_run_of_a_series_reports_what_the_import_would_do(db, tmp_path, capsys):
    from policies.models import Citation, Source

    policy = factories.policy()
    folder = tmp_path / "Example" / "Terms of Service"
    folder.mkdir(parents=True)
    (folder / "2020-01-01T00-00-00Z.md").write_text("Text A.\n")
    (folder / "2020-02-01T00-00-00Z.md").write_text("Text A.\n")  # the same: unchanged
    (folder / "2020-03-01T00-00-00Z.md").write_text("Text B.\n")
    (folder / "2020-03-01T12-00-00Z.md").write_text("Text C.\n")  # same day, other text: rejected
    args = ["import_policy_version", "--company", policy.company.slug, "--policy", policy.slug, str(tmp_path)]
    counts = (PolicyVersion.objects.count(), PolicyVersion.history.count(), Source.objects.count(),
              Citation.objects.count())
    outputs = []
    for dry in (["--dry-run"], []):
        with pytest.raises(CommandError, match="rejected"):
            call_command(*args, *dry)
        outputs.append(capsys.readouterr().out)
        if dry:
            assert counts == (PolicyVersion.objects.count(), PolicyVersion.history.count(),
                              Source.objects.count(), Citation.objects.count())
    summary = "2 imported, 1 rejected, 1 unchanged."
    assert outputs[0].splitlines()[-1] == outputs[1].splitlines()[-1] == summary
    assert "2020-01-01T00-00-00Z.md (2020-01-01): imported — dry run: not saved" in outputs[0]
    assert PolicyVersion.objects.count() == counts[0] + 2


def test_a_download_date_in_the_future_is_refused(db, tmp_path, capsys):
    """A typo'd --seen-on (or file name) would mark every later real download as older, so
    vanished records would never be checked again for that scope."""
    today = datetime.date.today()
    download = tmp_path / "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
    download.write_bytes(csv_bytes(AWARDS_286, [award("70CMSD25C0001")]))
    with pytest.raises(CommandError, match="future"):
        call_command("import_usaspending", str(download), "--seen-on", f"{today.year + 10}-01-05")
    renamed = tmp_path / f"Contracts_PrimeAwardSummaries_{today.year + 10}-01-05_H10M00S00_1.csv"
    renamed.write_bytes(download.read_bytes())
    with pytest.raises(CommandError):
        call_command("import_usaspending", str(renamed))
    assert "is in the future" in capsys.readouterr().out
    assert not Contract.objects.exists()
    assert not ImportRun.objects.exclude(status=ImportRunStatus.REJECTED).exists()


@pytest.mark.parametrize(
    "other_text,outcome", [("No mass surveillance.", "unchanged"), ("Other.", "rejected")]
)
def test_a_version_recorded_meanwhile_by_another_import_is_reported_not_a_traceback(
    db, tmp_path, monkeypatch, other_text, outcome
):
    """Two imports of the same series at once: the second's insert hits the one-version-
    per-date constraint (an IntegrityError traceback before); it is compared instead."""
    from policies.imports import policy_versions

    policy = factories.policy()
    path = tmp_path / "aup.md"
    path.write_text("No mass surveillance.\n")
    real = policy_versions._create

    def raced(policy, effective_on, *args):
        real(policy, effective_on, other_text, "other.md", *args[2:])  # the other process
        return real(policy, effective_on, *args)

    monkeypatch.setattr(policy_versions, "_create", raced)
    result = policy_versions.import_file(policy, datetime.date(2024, 1, 2), path)
    assert result.outcome == outcome
    assert PolicyVersion.objects.count() == 1
    assert PolicyVersion.history.count() == 1


def test_a_release_waits_for_one_being_written_by_another_process(db, tmp_path, settings):
    """Two `release` runs at once took the same number; the second failed at the rename."""
    import subprocess

    settings.EXPORTS_ROOT = tmp_path
    (tmp_path / "releases").mkdir()
    holder = subprocess.Popen(["flock", str(tmp_path / "releases" / ".release.lock"), "sleep", "2"])
    try:
        time.sleep(0.5)  # the other process holds the lock
        started = time.monotonic()
        call_command("release")
        assert time.monotonic() - started > 1.0, "the release did not wait"
    finally:
        holder.wait(10)
    from policies.exports import releases

    assert [r["number"] for r in releases.list_releases()] == [1]
