"""Nothing private leaks: no staff name or email, draft, embargoed action or internal note, in any byte."""

import zipfile

import pytest

from policies.exports import parse, write_export
from tests import export_world


def every_byte(path):
    if path.is_dir():
        return b"".join(p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file())
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return b"".join(zf.read(name) for name in zf.namelist())
    return path.read_bytes()


@pytest.mark.parametrize("fmt,name", [("datapackage", "all.zip"), ("csv", "csv"), ("jsonl", "jsonl")])
def test_no_private_string_appears_in_any_byte_of_a_full_export(db, tmp_path, fmt, name):
    world = export_world.build()
    write_export(parse(fmt, history=True), tmp_path / name)
    data = every_byte(tmp_path / name)
    assert b"Example Cloud 0042" in data  # the export is not empty
    for secret in export_world.PRIVATE:
        assert secret.encode() not in data, secret
    assert b"history_user" not in data and b"internal_notes" not in data
    assert f'"history_user_id":{world["staff"].pk}'.encode() not in data


def test_as_of_exports_leak_nothing_either(db, tmp_path):
    export_world.build()
    write_export(parse("jsonl", as_of="2000-01-01"), tmp_path / "old")
    write_export(parse("jsonl", history=True, company="example-cloud"), tmp_path / "one")
    for folder in ("old", "one"):
        data = every_byte(tmp_path / folder)
        for secret in export_world.PRIVATE:
            assert secret.encode() not in data, secret


def test_a_retraction_is_exported_as_a_correction(db, tmp_path):
    export_world.build()
    write_export(parse("csv", table="statement"), tmp_path / "statements.csv")
    text = (tmp_path / "statements.csv").read_text()
    assert "retracted" in text and "Misattributed." in text


def test_a_company_filter_on_a_draft_company_is_refused(db, tmp_path):
    from policies.exports import ExportInputError

    export_world.build()
    with pytest.raises(ExportInputError, match="No public company"):
        parse("csv", company="draft-co")
