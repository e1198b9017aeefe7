"""`manage.py backup` / `restore`: every record and every history row survive a round trip."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import ForeignKey

from policies import backup, counts
from policies import models as m
from tests import factories as f


def _seed_and_edit():
    """The seed data (when its loader exists), factory records, and staff edits with history."""
    try:
        from policies.seed import load_seed
    except ImportError:
        pass
    else:
        load_seed()
    editor = User.objects.create_user("backup-editor", "editor@example.org", "x" * 16, is_staff=True)
    editor.groups.add(*Group.objects.all())
    company = f.company(name="Example Cloud Backup")
    f.statement(company)
    f.employee_action(company, embargo_until=datetime.date(2999, 1, 1), internal_notes="private")
    gap = f.gap(company)
    gap.narrative = "Corrected narrative."
    gap._change_reason = "Corrected after review"
    gap._history_user = editor
    gap.save()
    gap.editorial_status = "retracted"
    gap.correction_note = "Retracted: the source was withdrawn."
    gap.save()
    draft = f.company(status="draft", name="Doomed Draft")
    draft.citations.all().delete()
    draft.delete()  # leaves a "-" history row and nothing else


def _comparable(model):
    """Every row of `model` as plain values, content types and users by natural key."""
    foreign = {
        field.attname: field.related_model
        for field in model._meta.concrete_fields
        if isinstance(field, ForeignKey) and field.related_model in (ContentType, User)
    }
    rows = []
    for row in model._base_manager.order_by("pk").values():
        for attname, related in foreign.items():
            if row[attname] is not None:
                obj = related._base_manager.filter(pk=row[attname]).first()
                row[attname] = obj.natural_key() if obj else ("missing", row[attname])
        rows.append(row)
    return rows


def _everything():
    snapshot = {model._meta.label: _comparable(model) for model in backup.backed_up_models()}
    snapshot["user groups"] = sorted(User.groups.through.objects.values_list("user__username", "group__name"))
    snapshot["group permissions"] = sorted(
        Group.permissions.through.objects.values_list("group__name", "permission__codename")
    )
    return snapshot


def _empty_the_database():
    """What `migrate` leaves in a fresh database: content types, permissions, groups."""
    connection.check_constraints()  # PostgreSQL won't TRUNCATE with deferred checks pending
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()


@pytest.mark.django_db
def test_every_record_and_every_history_row_is_identical_after_a_round_trip(tmp_path):
    _seed_and_edit()
    before = _everything()
    assert before["policies.HistoricalGap"], "the round trip must carry history rows"
    assert any(row["history_type"] == "-" for row in before["policies.HistoricalCompany"])
    path = tmp_path / "nightly.jsonl.gz"

    call_command("backup", str(path), verbosity=0)
    _empty_the_database()
    assert not m.Company.objects.exists() and not m.Company.history.exists()
    call_command("restore", str(path), verbosity=0)

    after = _everything()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], label


@pytest.mark.django_db
def test_a_restore_refuses_a_database_that_already_holds_records(tmp_path):
    f.company()
    path = tmp_path / "b.jsonl"
    call_command("backup", str(path), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), verbosity=0)


@pytest.mark.django_db
def test_a_backup_interrupted_halfway_leaves_no_file_behind(tmp_path, monkeypatch):
    f.company()
    path = tmp_path / "b.jsonl"
    path.write_text("yesterday's backup\n")

    def killed_halfway(fmt, rows, stream, **kwargs):
        stream.write('{"model": "policies.company", "pk": 1, "fie')
        raise KeyboardInterrupt

    monkeypatch.setattr(backup.serializers, "serialize", killed_halfway)
    with pytest.raises(KeyboardInterrupt):
        backup.write_backup(path)
    assert path.read_text() == "yesterday's backup\n"
    assert [p.name for p in tmp_path.iterdir()] == ["b.jsonl"]


@pytest.mark.django_db
def test_a_broken_backup_restores_nothing(tmp_path):
    f.company()
    good = tmp_path / "good.jsonl"
    call_command("backup", str(good), verbosity=0)
    broken = tmp_path / "broken.jsonl"
    lines = good.read_text().splitlines()
    broken.write_text("\n".join(lines[: len(lines) // 2] + ['{"model": "policies.company", "pk": 1, "fie']))
    _empty_the_database()
    with pytest.raises(Exception):  # noqa: B017 - any deserialisation error will do
        call_command("restore", str(broken), verbosity=0)
    leftovers = {label: n for label, n in backup.row_counts().items() if n and "Group" not in label}
    assert leftovers == {}


def test_a_backup_path_must_name_its_format():
    with pytest.raises(backup.BackupError, match="must end with"):
        backup.check_path("/tmp/backup.sql")


@pytest.mark.django_db
def test_a_backup_restores_beside_a_compressed_one_of_the_same_name(tmp_path):
    """loaddata finds fixtures by name: b.jsonl beside b.jsonl.gz was "Multiple fixtures"."""
    f.company(name="Example Cloud 0042", slug="example-cloud-0042")
    call_command("backup", str(tmp_path / "b.jsonl"), verbosity=0)
    m.Company.objects.all().update(name="Example Cloud Renamed")
    call_command("backup", str(tmp_path / "b.jsonl.gz"), verbosity=0)
    _empty_the_database()
    call_command("restore", str(tmp_path / "b.jsonl"), verbosity=0)
    assert list(m.Company.objects.values_list("name", flat=True)) == ["Example Cloud 0042"]
    _empty_the_database()
    call_command("restore", str(tmp_path / "b.jsonl.gz"), verbosity=0)
    assert list(m.Company.objects.values_list("name", flat=True)) == ["Example Cloud Renamed"]


@pytest.mark.django_db
def test_a_restore_is_not_refused_because_the_home_page_was_shown_first(tmp_path, client):
    """A fresh, migrated database whose home page was shown (a health check, a visitor)
    holds PublicCount rows: derived data, not records, and no reason to refuse a restore."""
    f.company()
    path = tmp_path / "b.jsonl"
    call_command("backup", str(path), verbosity=0)
    _empty_the_database()
    assert client.get("/").status_code == 200  # fills policies.PublicCount
    call_command("restore", str(path), verbosity=0)
    assert dict(counts.read())["companies"] == 1
