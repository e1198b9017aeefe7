"""SQLite and PostgreSQL write byte-identical exports of the same data.

The proof has two halves that CI runs on both databases:
- every path this database has (COPY and the cursor iterator on PostgreSQL; the
  iterator on SQLite) writes exactly the checked-in file tests/data/exports_golden.txt
  for the same fixed world, so SQLite's bytes and PostgreSQL's bytes are one file;
- on PostgreSQL, COPY and the iterator also agree with each other on the whole export.
Regenerate the file (after a deliberate format change) with UPDATE_GOLDEN=1.
"""

import itertools
import os
import zipfile
from pathlib import Path

import pytest
from django.db import connection

from policies.exports import parse, write_export
from tests import export_world, factories

GOLDEN = Path(__file__).parent / "data" / "exports_golden.txt"
PATHS = ["iterator", "copy"] if connection.vendor == "postgresql" else ["iterator"]


def concatenated(folder):
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".csv", ".jsonl")):
        parts.append(f"=== {path.relative_to(folder)}\n".encode() + path.read_bytes())
    return b"".join(parts)


def export_both_formats(tmp_path, path):
    (tmp_path / path).mkdir()
    for fmt in ("csv", "jsonl"):
        write_export(parse(fmt, history=True), tmp_path / path / fmt, iterator=(path == "iterator"))
    return concatenated(tmp_path / path)


# reset_sequences needs a transactional test: ids must start at 1 on both databases,
# and PostgreSQL sequences do not roll back with the test transaction.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_every_database_path_writes_the_same_bytes_as_the_checked_in_export(tmp_path, monkeypatch):
    monkeypatch.setattr(factories, "_seq", itertools.count(1))  # names do not depend on test order
    export_world.build()
    export_world.pin_clock()
    outputs = {path: export_both_formats(tmp_path, path) for path in PATHS}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_bytes(outputs["iterator"])
    expected = GOLDEN.read_bytes()
    for path, data in outputs.items():
        assert data == expected, f"{connection.vendor} {path} differs from {GOLDEN.name}"
    assert b"\"is_paraphrase\":true" in expected and b"1234567.89" in expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY exists only on PostgreSQL")
def test_copy_and_the_iterator_write_the_same_data_package(db, tmp_path):
    export_world.build()
    created = export_world.BASE
    for path in ("copy", "iterator"):
        write_export(
            parse("datapackage", history=True), tmp_path / f"{path}.zip", iterator=(path == "iterator"),
            created=created,
        )
    copy_zip, iter_zip = (zipfile.ZipFile(tmp_path / f"{p}.zip") for p in ("copy", "iterator"))
    assert copy_zip.namelist() == iter_zip.namelist()
    for name in copy_zip.namelist():
        assert copy_zip.read(name) == iter_zip.read(name), name
