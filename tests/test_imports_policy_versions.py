"""Importing policy versions from files and Open Terms Archive directories."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from policies.imports.policy_versions import html_to_text, import_file, import_series, normalise_text
from policies.models import PolicyVersion
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 1, 2)


def test_whitespace_and_line_ends_do_not_make_a_new_text():
    assert (
        normalise_text("We  do not\r\n\r\n\r\n\tallow  surveillance. \n")
        == "We do not\n\nallow surveillance."
    )


def test_html_becomes_paragraphs_of_text_without_scripts_or_styles():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body><h1>Acceptable Use</h1>"
        "<p>You may <b>not</b> use the\nservice for mass surveillance.</p><script>x()</script>"
        "<ul><li>No tracking</li><li>No profiling &amp; scoring</li></ul></body></html>"
    )
    assert html_to_text(html) == (
        "Acceptable Use\n\nYou may not use the service for mass surveillance.\n\n"
        "- No tracking\n- No profiling & scoring"
    )


def test_a_file_creates_a_draft_version_that_cites_the_file(tmp_path):
    policy = factories.policy()
    path = tmp_path / "aup.md"
    path.write_text("# Acceptable Use\n\nNo mass surveillance.\n", encoding="utf-8")

    result = import_file(policy, DAY, path)

    assert result.outcome == "imported"
    version = PolicyVersion.objects.get()
    assert (version.text, version.editorial_status) == ("# Acceptable Use\n\nNo mass surveillance.", "draft")
    assert version.citations.get().locator == "aup.md"
    assert version.history.get().history_change_reason == "Imported from aup.md"


def test_the_same_text_again_is_a_no_op_even_reformatted(tmp_path):
    policy = factories.policy()
    (tmp_path / "a.txt").write_text("No mass surveillance.\n", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>No   mass surveillance.</p>", encoding="utf-8")
    import_file(policy, DAY, tmp_path / "a.txt")
    history = PolicyVersion.history.count()

    again = import_file(policy, DAY, tmp_path / "a.txt")
    later_same = import_file(policy, datetime.date(2024, 6, 1), tmp_path / "b.html")

    assert (again.outcome, later_same.outcome) == ("unchanged", "unchanged")
    assert PolicyVersion.objects.count() == 1 and PolicyVersion.history.count() == history


def test_a_changed_text_creates_a_new_version_and_runs_commitment_matching(tmp_path):
    policy = factories.policy()
    (tmp_path / "v1.md").write_text("We will not allow mass surveillance.", encoding="utf-8")
    (tmp_path / "v2.md").write_text("We may allow surveillance where lawful.", encoding="utf-8")
    first = import_file(policy, DAY, tmp_path / "v1.md")
    commitment = factories.commitment(policy)
    clause = first.version.clauses.model(
        commitment=commitment, version=first.version, text="We will not allow mass surveillance."
    )
    clause.save()

    second = import_file(policy, datetime.date(2025, 1, 1), tmp_path / "v2.md")

    assert second.outcome == "imported" and PolicyVersion.objects.count() == 2
    try:
        import policies.gaps.matching  # noqa: F401
    except ImportError:
        pytest.skip("commitment matching is not installed")
    assert [m.commitment for m in second.matches] == [commitment]
    assert second.version.clauses.get().change_suggested in ("weakened", "removed")


def test_a_different_text_on_an_existing_date_is_refused(tmp_path):
    policy = factories.policy()
    factories.policy_version(policy, effective_on=DAY, text="Old words.")
    (tmp_path / "x.txt").write_text("New words.", encoding="utf-8")
    result = import_file(policy, DAY, tmp_path / "x.txt")
    assert result.outcome == "rejected" and "already recorded for this date" in result.reason


def test_an_open_terms_archive_directory_imports_as_a_series(tmp_path):
    company = factories.company()
    aup = factories.policy(company, kind="Acceptable Use Policy")
    folder = tmp_path / "Example Cloud" / "Acceptable Use Policy"
    folder.mkdir(parents=True)
    (folder / "2024-01-02T03-04-05Z.md").write_text("Version one.", encoding="utf-8")
    (folder / "2024-03-01T00-00-00Z.md").write_text("Version  one.\n", encoding="utf-8")  # a technical change
    (folder / "2024-06-01T12-00-00Z.md").write_text("Version two.", encoding="utf-8")
    other = tmp_path / "Example Cloud" / "Privacy Policy"
    other.mkdir()
    (other / "2024-01-02T03-04-05Z.md").write_text("Privacy.", encoding="utf-8")

    results = import_series(company, tmp_path)

    assert [r.outcome for r in results] == ["imported", "unchanged", "imported", "skipped"]
    versions = list(aup.versions.order_by("effective_on"))
    assert [(v.effective_on, v.effective_basis) for v in versions] == [
        (datetime.date(2024, 1, 2), "in_force_by"),
        (datetime.date(2024, 6, 1), "in_force_by"),
    ]
    assert "no policy of the kind 'Privacy Policy'" in results[3].reason


def test_the_command_imports_a_file_and_reports(tmp_path, capsys):
    policy = factories.policy()
    path = tmp_path / "p.html"
    path.write_text("<p>Text</p>", encoding="utf-8")
    args = ["--company", policy.company.slug, "--policy", policy.slug, "--effective", "2024-01-02", str(path)]
    call_command("import_policy_version", *args)
    call_command("import_policy_version", *args)
    out = capsys.readouterr().out
    assert "p.html (2024-01-02): imported" in out and "p.html (2024-01-02): unchanged" in out
    assert PolicyVersion.objects.count() == 1


def test_the_command_needs_a_policy_and_date_for_a_single_file(tmp_path):
    policy = factories.policy()
    path = tmp_path / "p.md"
    path.write_text("Text", encoding="utf-8")
    with pytest.raises(CommandError, match="needs --policy and --effective"):
        call_command("import_policy_version", "--company", policy.company.slug, str(path))


def test_a_non_utf8_or_unsupported_file_is_rejected(tmp_path):
    policy = factories.policy()
    (tmp_path / "p.txt").write_bytes(b"caf\xe9")
    (tmp_path / "p.pdf").write_bytes(b"%PDF")
    assert "not UTF-8" in import_file(policy, DAY, tmp_path / "p.txt").reason
    assert "only" in import_file(policy, DAY, tmp_path / "p.pdf").reason
    assert not PolicyVersion.objects.exists()
