"""The home page's counts: kept in a table, exact after every committed change, one query to read."""

import pytest
from django.db import transaction

from policies import counts
from policies.models import PublicCount
from tests import factories as f
from tests.usaspending_files import AWARDS_286, award, csv_file

pytestmark = pytest.mark.django_db


def shown(client):
    """The counts as the home page shows them."""
    html = client.get("/").content.decode()
    return {name: n for name, n in counts.read() if f"<strong>{n}</strong> {name}" in html}


def test_the_counts_follow_every_committed_change_under_the_public_rule(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agency = f.agency()
        vendor = f.company()
        contract = f.contract(agency, vendor)
        f.contract(agency, vendor, status="draft")
        f.statement(vendor)
    assert shown(client) == {"companies": 1, "agencies": 1, "contracts": 1, "statements": 1, "sources": 5}
    with django_capture_on_commit_callbacks(execute=True):
        agency.editorial_status = "draft"  # its contract is no longer one a visitor can open
        f._save(agency)
    assert dict(counts.read())["contracts"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        agency.editorial_status = "published"
        f._save(agency)
        contract.delete()
    assert dict(counts.read())["contracts"] == 0 and dict(counts.read())["agencies"] == 1


def test_many_writes_in_one_transaction_recount_once(django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    real = counts.recount
    monkeypatch.setattr(counts, "recount", lambda: calls.append(1) or real())
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _ in range(5):
            f.statement(f.company())
    assert len(calls) == 1
    assert dict(counts.read())["statements"] == 5


def test_reading_them_is_one_query_and_a_missing_count_is_computed(django_assert_num_queries):
    f.statement(f.company())
    PublicCount.objects.all().delete()  # a new deployment, before any change
    expected = {"companies": 1, "agencies": 0, "contracts": 0, "statements": 1, "sources": 2}
    assert dict(counts.read()) == expected
    with django_assert_num_queries(1):
        counts.read()


def test_a_recount_that_fails_does_not_fail_the_committed_write(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(counts, "recount", broken)
    with django_capture_on_commit_callbacks(execute=True):
        company = f.company()
    assert company.pk is not None
    assert "the database went away" in caplog.text


def test_a_draft_or_an_unpublished_link_is_never_counted(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft_company = f.company(status="draft")
        f.statement(draft_company)  # published, but its company is a draft
        f.statement(f.company(), status="draft")
    assert dict(counts.read())["statements"] == 0
    assert dict(counts.read())["companies"] == 1


def _fresh_counts():
    return {name: records().count() for name, records in counts._kinds().items()}


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_import_leaves_the_home_page_counts_exact(monkeypatch):
    """Batches committed, then Ctrl-C: the run is logged with update() (no signal), and the
    staged path writes with raw SQL: the import asks for a recount however it ends."""
    from policies.imports import usaspending
    from policies.imports.report import ImportReport
    from policies.imports.usaspending import ImportOptions, import_files

    top = f.agency(code="070", name="Department of Homeland Security")
    f.agency(code="7012", name="U.S. Immigration and Customs Enforcement", parent=top)
    f.company(name="EXAMPLE CLOUD 0042 LLC")
    before = _fresh_counts()
    assert dict(counts.read()) == before

    def stopped(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(usaspending.DownloadImport, "finish", stopped)
    name = "FY2025_070_Contracts_Full_20250301_1.csv"
    with pytest.raises(KeyboardInterrupt):
        import_files(
            [csv_file(name, AWARDS_286, [award("P1"), award("P2")])],
            ImportOptions(publish=True),
            ImportReport(),
        )
    fresh = _fresh_counts()
    assert fresh["contracts"] == before["contracts"] + 2  # published, and public
    assert dict(counts.read()) == fresh


@pytest.mark.django_db(transaction=True)
def test_one_save_outside_a_transaction_recounts_once(monkeypatch):
    """Its history row is written by the same save: no recount of its own; nor for a
    record without an editorial status (a citation), which changes no count."""
    calls = []
    real = counts.recount
    monkeypatch.setattr(counts, "recount", lambda: calls.append(1) or real())
    company = f.company(cited=False)  # one save, and its history row
    assert len(calls) == 1
    assert dict(counts.read())["companies"] == 1
    f.cite(company, f.source())  # the source counts (1 recount); its citation does not
    assert len(calls) == 2
    assert dict(counts.read())["sources"] == 1


def test_after_a_failed_recount_the_next_callback_counts_again(
    django_capture_on_commit_callbacks, monkeypatch
):
    real, failures = counts.recount, [1]

    def flaky():
        if failures:
            failures.pop()
            raise RuntimeError("the database went away")
        return real()

    monkeypatch.setattr(counts, "recount", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        f.company()  # the company, its source, its citation: the first recount fails
    stored = dict(PublicCount.objects.values_list("name", "n"))  # not read(): it fills gaps
    assert stored["companies"] == 1 and stored["sources"] == 1
