"""The home page's counts: kept in a table, exact after every committed change, one query to read."""

import pytest
from django.db import transaction

from policies import counts
from policies.models import PublicCount
from tests import factories as f

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
