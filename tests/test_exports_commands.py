"""`manage.py export` and `manage.py release`: bad input exits 2 and writes nothing; releases are citable."""

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from policies.exports import releases
from tests import export_world, factories


@pytest.mark.parametrize(
    "args,message",
    [
        (["--format", "xml"], "Unknown format"),
        (["--format", "csv", "--company", "no-such-company"], "No public company"),
        (["--format", "csv", "--company", " "], "--company is empty"),
        (["--format", "csv", "--from", "2025-13-01"], "YYYY-MM-DD"),
        (["--format", "csv", "--as-of", "2999-01-01"], "in the future"),
        (["--format", "csv", "--from", "2025-02-01", "--to", "2025-01-01"], "is after"),
        (["--format", "csv", "--table", "users"], "Unknown table"),
    ],
)
def test_bad_input_is_a_clear_error_with_exit_code_2_and_nothing_written(db, tmp_path, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        call_command("export", *args, "--output", str(tmp_path / "out"))
    assert caught.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_exits_with_code_2_on_bad_input(tmp_path):
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "manage.py", "export", "--format", "xml", "--output", str(tmp_path / "x")],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3"},
    )
    assert done.returncode == 2, done.stderr
    assert "Unknown format 'xml'" in done.stderr
    assert not (tmp_path / "x").exists()


def test_export_writes_a_data_package_and_reports_the_rows(db, tmp_path, capsys):
    export_world.build()
    call_command("export", "--format", "datapackage", "--history", "--output", str(tmp_path / "t.zip"))
    assert "rows in 52 tables" in capsys.readouterr().out
    assert "datapackage.json" in zipfile.ZipFile(tmp_path / "t.zip").namelist()


def test_a_failed_export_leaves_nothing_at_the_output_path(db, tmp_path, monkeypatch):
    from policies.exports import csv

    export_world.build()

    def explode(*args, **kwargs):
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(csv, "write", explode)
    with pytest.raises(RuntimeError):
        call_command("export", "--format", "datapackage", "--output", str(tmp_path / "t.zip"))
    assert list(tmp_path.iterdir()) == []


def test_releases_are_numbered_dated_checksummed_and_citable(db, tmp_path, settings):
    settings.EXPORTS_ROOT = tmp_path
    export_world.build()
    call_command("release")
    factories.statement(quote="One more.")
    call_command("release")
    found = releases.list_releases()
    assert [r["number"] for r in found] == [2, 1]
    folder = tmp_path / "releases" / found[0]["folder"]
    assert found[0]["folder"].startswith("0002-")
    for name, digest in found[0]["checksums"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    files = {"tracker-release-0002.zip", "CITATION.cff", "CHANGELOG.md", "manifest.json"}
    assert set(found[0]["checksums"]) == files
    assert "cff-version: 1.2.0" in (folder / "CITATION.cff").read_text()
    assert "| statement | 4 | +1 |" in (folder / "CHANGELOG.md").read_text()
    meta = json.loads(zipfile.ZipFile(folder / "tracker-release-0002.zip").read("datapackage.json"))
    assert meta["version"] == "2.0.0"


def test_a_scheduled_release_is_written_only_when_the_record_changed(db, tmp_path, settings, capsys):
    """`release --if-changed` (the weekly cron line): the same data make no new release."""
    settings.EXPORTS_ROOT = tmp_path
    export_world.build()
    call_command("release", "--if-changed")  # no release yet: written
    call_command("release", "--if-changed")
    assert "Nothing changed since release 0001" in capsys.readouterr().out
    assert [r["number"] for r in releases.list_releases()] == [1]
    assert [p.name for p in (tmp_path / "releases").iterdir() if not p.name.startswith(".release")] == [
        releases.list_releases()[0]["folder"]
    ]  # no half-made folder left behind
    statement = factories.statement(quote="One more.")
    call_command("release", "--if-changed")
    assert [r["number"] for r in releases.list_releases()] == [2, 1]
    statement.quote = "One more, corrected."  # an edit, not a new row, still counts
    statement._change_reason = "Corrected the quote"
    statement.save()
    call_command("release", "--if-changed")
    call_command("release")  # by hand, always written
    assert [r["number"] for r in releases.list_releases()] == [4, 3, 2, 1]
