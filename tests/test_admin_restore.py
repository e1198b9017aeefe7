"""Undoing a deletion from the admin: the deleted list, "Restore…", and what cannot come back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, editor, reviewer

DELETED = "/admin/policies/statement/deleted/"

pytestmark = pytest.mark.django_db


def confirmed_signal(gap, name="example"):
    signal = m.Signal(rule="example_rule", fingerprint=f"{name}-fingerprint", company=gap.company, gap=gap,
                      status="confirmed", summary=f"Signal {name}")
    signal._change_reason = "Test data"
    signal.save()
    return signal


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
    assert "with what was deleted with it: 1 statement topic, 2 citations." in page

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


def test_a_citation_of_a_source_still_deleted_is_left_deleted_and_staff_are_told(client):
    source = f.source(title="Example report deleted later")
    statement = f.statement(cited=False, status="draft")
    citation = f.cite(statement, source)
    client.force_login(reviewer())
    delete_in_admin(client, statement, "Not needed")
    delete_in_admin(client, source, "Withdrawn report")

    url = admin_url(statement, "restore")
    response = client.post(url, {"change_reason": "Needed after all"}, follow=True)
    notes = [str(message) for message in response.context["messages"]]
    assert any(note.startswith("Left deleted: citation") and "is deleted" in note for note in notes)
    assert m.Statement.objects.filter(pk=statement.pk).exists()
    assert not m.Citation.objects.filter(pk=citation.pk).exists()

    # Restoring the source brings back the citation that was waiting for it.
    back = client.post(admin_url(source, "restore"), {"change_reason": "The report is back"})
    assert back.status_code == 302
    assert m.Statement.objects.get(pk=statement.pk).citations.get().pk == citation.pk


def test_a_record_whose_own_company_is_deleted_is_not_restored(client):
    company = f.company(status="draft", cited=False)
    statement = f.statement(company, status="draft")
    client.force_login(reviewer())
    delete_in_admin(client, statement, "Not needed")
    delete_in_admin(client, company, "Not tracked")
    response = client.post(admin_url(statement, "restore"), {"change_reason": "Needed after all"})
    assert response.status_code == 200 and "cannot be restored yet" in response.content.decode()
    assert not m.Statement.objects.filter(pk=statement.pk).exists()


def test_only_the_rows_of_that_deletion_come_back(client):
    """Rows deleted on their own, before the record or between two deletions of it, with the
    same reason and by the same person, stay deleted."""
    statement = f.statement(status="draft")
    kept = statement.citations.get()
    earlier = f.cite(statement, quote="A passage removed on purpose first")
    between = f.cite(statement, quote="A passage removed between two deletions")
    client.force_login(reviewer())
    delete_in_admin(client, earlier, "Clean-up")
    delete_in_admin(client, statement, "Clean-up")
    assert client.post(admin_url(statement, "restore"), {"change_reason": "Back"}).status_code == 302
    assert set(m.Statement.objects.get(pk=statement.pk).citations.values_list("pk", flat=True)) == {
        kept.pk, between.pk
    }
    delete_in_admin(client, m.Citation.objects.get(pk=between.pk), "Clean-up")
    delete_in_admin(client, m.Statement.objects.get(pk=statement.pk), "Clean-up")
    assert client.post(admin_url(statement, "restore"), {"change_reason": "Back again"}).status_code == 302
    assert list(m.Statement.objects.get(pk=statement.pk).citations.values_list("pk", flat=True)) == [kept.pk]


def test_rows_of_rows_come_back_and_a_link_to_another_deleted_record_waits_for_it(client):
    parent = f.company(status="draft", name="Example Parent Cloud")
    child = f.company(status="draft", name="Example Child Cloud")
    kind = m.CompanyRelationship._meta.get_field("kind").choices[0][0]
    relationship = m.CompanyRelationship(parent=parent, child=child, kind=kind)
    relationship._change_reason = "Test data"
    relationship.save()
    citation = f.cite(relationship, quote="The filing that shows the link")
    client.force_login(reviewer())
    delete_in_admin(client, child, "Tracked by mistake")  # takes the relationship and its citation
    assert not m.CompanyRelationship.objects.exists()
    assert client.post(admin_url(child, "restore"), {"change_reason": "Tracked after all"}).status_code == 302
    assert m.CompanyRelationship.objects.get().citations.get().pk == citation.pk

    delete_in_admin(client, m.Company.objects.get(pk=parent.pk), "Both by mistake")
    delete_in_admin(client, m.Company.objects.get(pk=child.pk), "Both by mistake")
    # The relationship went with the parent (deleted first): the child comes back alone ...
    assert client.post(admin_url(child, "restore"), {"change_reason": "Back"}).status_code == 302
    assert not m.CompanyRelationship.objects.exists()
    # ... and the parent brings the relationship back, now that both ends exist.
    assert client.post(admin_url(parent, "restore"), {"change_reason": "Back"}).status_code == 302
    assert m.CompanyRelationship.objects.get().citations.get().pk == citation.pk


def test_an_editor_cannot_put_back_a_citation_of_a_public_record(client):
    statement = f.statement()  # published
    wrong = f.cite(statement, quote="A wrong passage a reviewer removed")
    client.force_login(reviewer())
    delete_in_admin(client, wrong, "Misquoted")
    client.force_login(editor())
    assert client.post(admin_url(wrong, "restore"), {"change_reason": "Put back"}).status_code == 403
    assert not m.Citation.objects.filter(pk=wrong.pk).exists()
    assert "A wrong passage" not in client.get(statement.get_absolute_url()).content.decode()


def test_a_restore_that_collides_with_a_newer_record_changes_nothing(client):
    company = f.company(
        name="Example Cloud Deleted", slug="example-cloud-deleted", cited=False, status="draft"
    )
    client.force_login(reviewer())
    delete_in_admin(client, company, "Created twice")
    f.company(name="Example Cloud Again", slug="example-cloud-deleted")

    response = client.post(admin_url(company, "restore"), {"change_reason": "Wrong one deleted"})
    assert response.status_code == 200
    assert "the database refused it" in response.content.decode()
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


def test_deleting_a_gap_sends_its_confirmed_signals_back_to_triage_with_history(client):
    """A signal confirmed into a gap cannot lose its gap and stay confirmed (a database
    constraint): deleting the gap was a 500. Now the signal goes back to open, and its
    history says why; nothing changes without a history row."""
    gap = f.gap(status="draft")
    signal = confirmed_signal(gap)
    client.force_login(reviewer())
    delete_in_admin(client, gap, "Duplicate gap")
    signal.refresh_from_db()
    assert (signal.gap_id, signal.status) == (None, "open")
    latest = signal.history.first()
    assert latest.history_change_reason == "Duplicate gap (its gap was deleted)"
    assert latest.gap_id is None


def test_restoring_the_gap_links_its_signals_again_unless_they_moved_since(client):
    gap = f.gap(status="draft")
    signals = [confirmed_signal(gap, f"example-{n}") for n in range(2)]
    client.force_login(reviewer())
    delete_in_admin(client, gap, "Deleted by mistake")
    moved = signals[1]
    moved.refresh_from_db()
    moved.status = "dismissed"
    moved._change_reason = "Triaged again meanwhile"
    moved.save()

    page = client.get(admin_url(gap, "restore")).content.decode()
    assert "Linked to it again, as they were before the deletion: 1 signal." in page
    assert client.post(admin_url(gap, "restore"), {"change_reason": "Gap is real"}).status_code == 302
    for signal in signals:
        signal.refresh_from_db()
    assert (signals[0].gap_id, signals[0].status) == (gap.pk, "confirmed")
    assert (signals[1].gap_id, signals[1].status) == (None, "dismissed")  # moved since: left as it is
    assert signals[0].history.first().history_change_reason == (
        "Restored after deletion: Gap is real (its gap is back)"
    )


def test_a_row_left_deleted_comes_back_with_what_it_was_waiting_for(client):
    """A topic link deleted with its statement, the topic deleted later: restoring the
    statement leaves the link deleted (its topic is missing); restoring the topic brings it
    back. A link removed on its own, with nothing else deleted at that instant, does not."""
    statement = f.statement(status="draft")
    topic, other = f.topic(), f.topic()
    links = []
    for t in (topic, other):
        link = m.StatementTopic(statement=statement, topic=t)
        link._change_reason = "Test data"
        link.save()
        links.append(link)
    client.force_login(reviewer())
    delete_in_admin(client, statement, "Deleted by mistake")
    delete_in_admin(client, topic, "Topic merged")

    response = client.post(admin_url(statement, "restore"), {"change_reason": "Back"}, follow=True)
    notes = [str(message) for message in response.context["messages"]]
    assert any("Left deleted: statement topic" in note and "comes back by itself" in note for note in notes)
    assert list(m.StatementTopic.objects.values_list("topic_id", flat=True)) == [other.pk]

    assert client.post(admin_url(topic, "restore"), {"change_reason": "Topic is needed"}).status_code == 302
    assert set(m.StatementTopic.objects.values_list("topic_id", flat=True)) == {topic.pk, other.pk}

    # A link removed on its own stays removed when its topic is deleted and restored.
    link = m.StatementTopic.objects.get(topic=other)
    from policies.admin.base import delete_with_reason

    delete_with_reason(link, "Not about this topic", reviewer())
    delete_in_admin(client, other, "Topic merged")
    assert client.post(admin_url(other, "restore"), {"change_reason": "Back"}).status_code == 302
    assert not m.StatementTopic.objects.filter(topic=other).exists()


def test_a_deleted_signal_can_be_restored_with_its_triage(client):
    gap = f.gap(status="draft")
    signal = confirmed_signal(gap)
    client.force_login(reviewer())
    delete_in_admin(client, signal, "Deleted by mistake")
    assert client.post(admin_url(signal, "restore"), {"change_reason": "Back"}).status_code == 302
    signal.refresh_from_db()
    assert (signal.gap_id, signal.status) == (gap.pk, "confirmed")
