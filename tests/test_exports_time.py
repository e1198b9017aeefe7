"""Record time: as-of exports show the earlier state; history exports hold every change and its reason."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from policies.exports import parse, write_export
from policies.exports.tables import TABLES
from tests import export_world, factories


def jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def edited(db):
    company = factories.company(slug="example-cloud")
    said = factories.statement(company, quote="First wording.")
    for table in TABLES:  # everything so far was recorded ten days ago
        table.history_model.objects.update(history_date=timezone.now() - dt.timedelta(days=10))
    said.quote = "Second wording."
    said._change_reason = "Corrected against the recording"
    said.save()
    return said


def test_an_as_of_export_reflects_the_state_before_an_edit(edited, tmp_path):
    before = (timezone.now() - dt.timedelta(days=5)).date()
    write_export(parse("jsonl", table="statement", as_of=before.isoformat()), tmp_path / "then.jsonl")
    write_export(parse("jsonl", table="statement"), tmp_path / "now.jsonl")
    assert [r["quote"] for r in jsonl(tmp_path / "then.jsonl")] == ["First wording."]
    assert [r["quote"] for r in jsonl(tmp_path / "now.jsonl")] == ["Second wording."]


def test_an_as_of_export_before_a_record_existed_leaves_it_out(edited, tmp_path):
    long_ago = (timezone.now() - dt.timedelta(days=30)).date()
    write_export(parse("jsonl", table="statement", as_of=long_ago.isoformat()), tmp_path / "then.jsonl")
    assert jsonl(tmp_path / "then.jsonl") == []


def test_a_history_export_contains_every_change_with_its_reason(edited, tmp_path):
    write_export(parse("jsonl", table="statement", history=True), tmp_path / "history.jsonl")
    rows = jsonl(tmp_path / "history.jsonl")
    assert [(r["history_type"], r["quote"], r["history_change_reason"]) for r in rows] == [
        ("+", "First wording.", "Test data"),
        ("~", "Second wording.", "Corrected against the recording"),
    ]
    assert all(r["public_attribution"] for r in rows)
    assert rows[0]["history_id"] < rows[1]["history_id"]


def test_history_leaves_out_versions_saved_while_the_record_was_a_draft(db, tmp_path):
    export_world.build()
    write_export(parse("jsonl", table="statement", history=True), tmp_path / "history.jsonl")
    rows = jsonl(tmp_path / "history.jsonl")
    reviewed = [r for r in rows if r["quote"] == "Reviewed."]
    assert [r["history_change_reason"] for r in reviewed] == ["Published after review"]
    assert all(r["editorial_status"] in ("published", "retracted") for r in rows)


def test_a_deleted_public_record_keeps_its_public_history(db, tmp_path):
    said = factories.statement(quote="Said, then removed.")
    said._change_reason = "Duplicate of another statement"
    said.delete()
    write_export(parse("jsonl", table="statement", history=True), tmp_path / "history.jsonl")
    rows = jsonl(tmp_path / "history.jsonl")
    assert [(r["history_type"], r["history_change_reason"]) for r in rows] == [
        ("+", "Test data"),
        ("-", "Duplicate of another statement"),
    ]


def test_an_event_date_range_keeps_only_records_that_overlap_it(db, tmp_path):
    export_world.build()
    write_export(parse("jsonl", table="contract", start="2025-06-01", end="2025-06-30"), tmp_path / "c.jsonl")
    assert [r["title"] for r in jsonl(tmp_path / "c.jsonl")] == ["Storage, via a reseller"]
    write_export(parse("jsonl", table="contract", start="2026-01-01"), tmp_path / "late.jsonl")
    assert jsonl(tmp_path / "late.jsonl") == []
