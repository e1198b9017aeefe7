"""Undoing a deletion from the admin: the deleted list, "Restore…", and what cannot come back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, editor, reviewer

DELETED = "/admin/policies/statement/deleted/"

pytestmark = pytest.mark.django_db


def delete_in_admin(client, record, reason):
    response = client.post(admin_url(record, "delete"), {"post": "yes", "change_reason": reason})
    assert response.status_code == 302, response.content[:300]
    assert not type(record).objects.filter(pk=record.pk).exists()


def test_a_deleted_public_record_comes_back_as_a_draft_with_its_citations_and_topics(client):
    statement = f.statement(quote="Example words that were deleted by mistake")  # published, one citation
    f.cite(statement, quote="A second quoted passage.")
    topic = f.topic()
    link = m.StatementTopic(statement=statement, topic=topic)
    link._change_reason = "Test data"
    link.save()
    citations = set(statement.citations.values_list("pk", flat=True))
    client.force_login(reviewer())
    delete_in_admin(client, statement, "Deleted by mistake")
    assert not m.Citation.objects.filter(pk__in=citations).exists()

    listing = client.get(DELETED).content.decode()
    assert "Example words that were deleted by mistake" in listing and "Deleted by mistake" in listing
    assert DELETED in client.get(admin_url(m.Statement, "changelist")).content.decode()  # the link

    url = admin_url(statement, "restore")
    page = client.get(url).content.decode()
    assert "2 citations" in page and "1 statement topic" in page

    assert client.post(url, {"change_reason": ""}).status_code == 200  # a reason is required
    assert not m.Statement.objects.filter(pk=statement.pk).exists()

    response = client.post(url, {"change_reason": "It was deleted by mistake"})
    assert response.status_code == 302
    restored = m.Statement.objects.get(pk=statement.pk)
    assert restored.quote == "Example words that were deleted by mistake"
    assert (restored.editorial_status, restored.published_at) == ("draft", None)
    assert set(restored.citations.values_list("pk", flat=True)) == citations
    assert m.StatementTopic.objects.filter(statement=restored, topic=topic).exists()
    latest = restored.history.first()
    assert latest.history_type == "+"
    assert latest.history_change_reason == "Restored after deletion: It was deleted by mistake"
    assert latest.revision == restored.revision
    assert m.Citation.history.filter(history_change_reason__startswith="Restored after deletion").count() == 2
    assert "No deleted statements." in client.get(DELETED).content.decode()
    assert client.get(url).status_code == 404  # it exists again: nothing to restore


def test_nothing_is_restored_while_a_cited_source_is_gone(client):
    source = f.source(title="Example report deleted later")
    statement = f.statement(cited=False, status="draft")
    f.cite(statement, source)
    client.force_login(reviewer())
    delete_in_admin(client, statement, "Not needed")
    delete_in_admin(client, source, "Withdrawn report")
    citations = m.Citation.objects.count()

    response = client.post(admin_url(statement, "restore"), {"change_reason": "Needed after all"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be restored yet" in html and "was deleted" in html
    assert not m.Statement.objects.filter(pk=statement.pk).exists()
    assert m.Citation.objects.count() == citations

    client.post(admin_url(source, "restore"), {"change_reason": "The report is back"})
    again = client.post(admin_url(statement, "restore"), {"change_reason": "Needed after all"})
    assert again.status_code == 302
    assert m.Statement.objects.get(pk=statement.pk).citations.get().source_id == source.pk


def test_a_restore_that_collides_with_a_newer_record_changes_nothing(client):
    company = f.company(
        name="Example Cloud Deleted", slug="example-cloud-deleted", cited=False, status="draft"
    )
    client.force_login(reviewer())
    delete_in_admin(client, company, "Created twice")
    f.company(name="Example Cloud Again", slug="example-cloud-deleted")

    response = client.post(admin_url(company, "restore"), {"change_reason": "Wrong one deleted"})
    assert response.status_code == 200
    assert "another record now has one of its unique values" in response.content.decode()
    assert not m.Company.objects.filter(pk=company.pk).exists()


def test_editors_cannot_restore_public_records_and_unknown_ids_are_404(client):
    statement = f.statement()
    client.force_login(reviewer())
    delete_in_admin(client, statement, "Duplicate")
    client.force_login(editor())
    assert client.get(admin_url(statement, "restore")).status_code == 403
    assert client.get(DELETED).status_code == 403
    assert DELETED not in client.get(admin_url(m.Statement, "changelist")).content.decode()
    client.force_login(reviewer())
    changelist = admin_url(m.Statement, "changelist")
    assert client.get(changelist + "999999/restore/").status_code == 404
    assert client.get(changelist + "not-a-number/restore/").status_code == 404


def test_the_deleted_list_costs_the_same_queries_however_many_records_were_deleted(client):
    client.force_login(reviewer())
    url = DELETED

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for statement in [f.statement(status="draft") for _ in range(2)]:
        delete_in_admin(client, statement, "Clean-up")
    few = queries()
    for statement in [f.statement(status="draft") for _ in range(6)]:
        delete_in_admin(client, statement, "Clean-up")
    assert queries() == few


def test_every_kind_of_record_can_be_restored(client):
    """Each admin's own deletion and restore, on a record with the usual relations."""
    company = f.company()
    records = [
        f.contract(f.agency(), vendor=company, status="draft"),
        f.policy(company, status="draft"),
        f.source(status="draft"),
        f.employee_action(company, status="draft"),
        f.observation(company, status="draft"),
    ]
    client.force_login(reviewer())
    for record in records:
        delete_in_admin(client, record, "Clean-up")
        response = client.post(admin_url(record, "restore"), {"change_reason": "Back"})
        assert response.status_code == 302, (type(record).__name__, response.content.decode()[:2000])
        assert type(record).objects.filter(pk=record.pk).exists()
