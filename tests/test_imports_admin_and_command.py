"""Staff import in one command or one upload, and see what happened to every row."""

import os
import threading

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, load_command_class
from django.urls import reverse

from policies.imports.csvfile import CsvFile, FileRejected
from policies.models import Contract, ImportRun, PolicyVersion
from policies.roles import EDITORS, REVIEWERS
from tests import factories
from tests.usaspending_files import AWARDS_286, award, csv_bytes

pytestmark = pytest.mark.django_db

NAME = "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"


@pytest.fixture
def download(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(csv_bytes(AWARDS_286, [award("P1"), award("P2", total_obligated_amount="n/a")]))
    return path


def staff(username, group):
    user = User.objects.create_user(username, password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_the_command_prints_rejected_rows_and_a_summary(download, capsys):
    call_command("import_usaspending", str(download))
    out = capsys.readouterr().out
    assert f"{NAME} line 3: rejected — column total_obligated_amount — 'n/a' is not a plain amount" in out
    assert "2 row(s): 1 imported, 0 unchanged, 0 updated, 0 skipped, 1 rejected." in out
    assert Contract.objects.get().editorial_status == "draft"


def test_the_command_writes_every_row_to_a_report_file(download, tmp_path):
    report = tmp_path / "rows.csv"
    call_command("import_usaspending", str(download), "--report", str(report))
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,line,outcome,key,column,reason,changes"
    assert [line.split(",")[2] for line in lines[1:]] == ["rejected", "imported"]


def test_the_command_fails_when_a_file_is_rejected(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="did not complete"):
        call_command("import_usaspending", str(empty))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_or_a_pipe_is_refused_before_anything_is_read(tmp_path, download, monkeypatch):
    """/dev/zero never ends and a pipe cannot be read twice: reading either whole (the
    encoding check) would never return, or fail half-way."""
    with pytest.raises(FileRejected, match="not a regular file"):
        CsvFile.open("/dev/zero")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    writer = os.open(pipe, os.O_RDWR | os.O_NONBLOCK)  # so that opening it to read does not wait
    try:
        with pytest.raises(FileRejected, match="not a regular file"):
            CsvFile.open(pipe)
    finally:
        os.close(writer)

    def never(self):  # were the device accepted, the check would read it for ever
        raise AssertionError("a device was read")

    monkeypatch.setattr(CsvFile, "check", never)
    with pytest.raises(CommandError, match="Cannot import /dev/zero: it is not a regular file"):
        call_command("import_usaspending", str(download), "/dev/zero")
    assert not Contract.objects.exists()
    assert not ImportRun.objects.exists()


def test_the_command_fails_when_all_or_nothing_rolls_back(download):
    with pytest.raises(CommandError):
        call_command("import_usaspending", str(download), "--all-or-nothing")
    assert not Contract.objects.exists()


def test_the_command_passes_jobs_on_and_refuses_less_than_one(download, monkeypatch):
    from policies.management.commands import import_usaspending

    seen = []
    original = import_usaspending.import_files
    def import_files(files, options, report):
        seen.append(options.jobs)
        return original(files, options, report)

    monkeypatch.setattr(import_usaspending, "import_files", import_files)
    call_command("import_usaspending", str(download), "--jobs", "1")
    call_command("import_usaspending", str(download))
    assert seen == [1, 2]
    with pytest.raises(CommandError, match="--jobs must be 1 or more"):
        call_command("import_usaspending", str(download), "--jobs", "0")


def test_the_command_skips_the_system_checks_of_urls_and_admin(download, monkeypatch):
    def checks(*args, **kwargs):
        raise AssertionError("system checks ran")

    monkeypatch.setattr("django.core.management.base.checks.run_checks", checks)
    # As run_from_argv (the command line) does, without its closing of the connections:
    # call_command skips the checks of every command.
    command = load_command_class("policies", "import_usaspending")
    options = vars(command.create_parser("manage.py", "import_usaspending").parse_args([str(download)]))
    command.execute(*options.pop("args", ()), **options)
    assert Contract.objects.count() == 1


def test_dry_run_saves_nothing(download):
    call_command("import_usaspending", str(download), "--dry-run")
    assert not Contract.objects.exists() and not ImportRun.objects.exists()


def test_publish_needs_a_reviewer(download):
    with pytest.raises(CommandError, match="needs --user"):
        call_command("import_usaspending", str(download), "--publish")
    staff("ed", EDITORS)
    with pytest.raises(CommandError, match="may not publish contracts"):
        call_command("import_usaspending", str(download), "--publish", "--user", "ed")
    assert not Contract.objects.exists()


def test_publishing_from_an_import_follows_the_publish_permissions_not_a_group_name(download, client):
    """A Reviewers group stripped of the right to publish contracts publishes nothing through an
    import either; a user granted that right directly may."""
    from django.contrib.auth.models import Permission

    reviewers = Group.objects.get(name=REVIEWERS)
    reviewers.permissions.remove(*Permission.objects.filter(codename="publish_contract"))
    staff("rev", REVIEWERS)
    with pytest.raises(CommandError, match="may not publish contracts"):
        call_command("import_usaspending", str(download), "--publish", "--user", "rev")
    client.force_login(User.objects.get(username="rev"))
    upload = SimpleUploadedFile(NAME, csv_bytes(AWARDS_286, [award("P1")]), "text/csv")
    page = client.post(reverse("admin:policies_importrun_usaspending"), {"files": upload, "publish": "on"})
    assert "Only those who may publish contracts (Reviewers) can publish." in page.content.decode()
    assert not Contract.objects.exists()
    granted = staff("ed", EDITORS)
    publish = Permission.objects.filter(codename__in=["publish_contract", "publish_observation"])
    granted.user_permissions.add(*publish)
    call_command("import_usaspending", str(download), "--publish", "--user", "ed")
    assert Contract.objects.filter(editorial_status="published").exists()


def test_a_reviewer_publishes_with_their_name_kept_private(download):
    reviewer = staff("rev", REVIEWERS)
    call_command("import_usaspending", str(download), "--publish", "--user", "rev")
    contract = Contract.objects.get()
    assert contract.editorial_status == "published"
    record = contract.history.get()
    assert record.history_user == reviewer and record.public_attribution == "Editorial team"


def test_the_upload_page_imports_a_file_and_lists_every_row(client):
    client.force_login(staff("ed", EDITORS))
    url = reverse("admin:policies_importrun_usaspending")
    data = csv_bytes(AWARDS_286, [award("P1"), award("P2", period_of_performance_start_date="3/4/25")])

    page = client.post(url, {"files": SimpleUploadedFile(NAME, data, "text/csv"), "reason": "Monthly"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "2 row(s): 1 imported" in html
    assert "looks like a spreadsheet date (M/D/YY)" in html and "period_of_performance_start_date" in html
    contract = Contract.objects.get()
    assert contract.editorial_status == "draft"
    assert contract.history.get().history_change_reason == f"Imported from {NAME}: Monthly"


def test_the_upload_page_runs_a_dry_run_when_asked(client):
    client.force_login(staff("ed", EDITORS))
    data = csv_bytes(AWARDS_286, [award("P1")])
    upload = SimpleUploadedFile(NAME, data, "text/csv")
    page = client.post(reverse("admin:policies_importrun_usaspending"), {"files": upload, "dry_run": "on"})
    assert "Dry run: nothing was saved." in page.content.decode()
    assert not Contract.objects.exists()


def test_only_reviewers_publish_from_the_upload_page(client):
    client.force_login(staff("ed", EDITORS))
    upload = SimpleUploadedFile(NAME, csv_bytes(AWARDS_286, [award("P1")]), "text/csv")
    page = client.post(reverse("admin:policies_importrun_usaspending"), {"files": upload, "publish": "on"})
    assert "Only those who may publish contracts (Reviewers) can publish." in page.content.decode()
    assert not Contract.objects.exists()


def test_the_upload_pages_are_for_staff_only(client):
    url = reverse("admin:policies_importrun_usaspending")
    assert client.get(url).status_code == 302  # to the login page
    User.objects.create_user("nobody", password="x" * 12, is_staff=True)
    client.login(username="nobody", password="x" * 12)
    assert client.get(url).status_code == 403


def test_the_import_log_lists_runs_with_links_to_both_upload_pages(client, download):
    call_command("import_usaspending", str(download))
    client.force_login(staff("ed", EDITORS))
    page = client.get(reverse("admin:policies_importrun_changelist"))
    html = page.content.decode()
    assert page.status_code == 200 and "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00" in html
    assert reverse("admin:policies_importrun_usaspending") in html
    assert reverse("admin:policies_importrun_policy_version") in html


def test_a_policy_version_is_uploaded_from_the_admin(client):
    client.force_login(staff("ed", EDITORS))
    policy = factories.policy()
    upload = SimpleUploadedFile("aup.html", b"<p>No mass surveillance.</p>", "text/html")
    url = reverse("admin:policies_importrun_policy_version")
    page = client.post(url, {"policy": policy.pk, "effective_on": "2024-01-02", "file": upload})
    assert "aup.html (2024-01-02): imported" in page.content.decode()
    assert PolicyVersion.objects.get().text == "No mass surveillance."


def test_a_named_pipe_with_no_writer_is_refused_not_waited_on(tmp_path):
    """open() of a FIFO blocks until a writer opens it: the check after open() never runs."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    outcome = []

    def attempt():
        try:
            CsvFile.open(pipe)
            outcome.append("accepted")
        except FileRejected:
            outcome.append("refused")

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout=3)
    hung = thread.is_alive()
    if hung:  # release it
        fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(timeout=3)
    assert not hung, "CsvFile.open waited for a writer on the pipe"
    assert outcome == ["refused"]
