"""Every add, change, delete and bulk action needs a reason, stored in history."""

import pytest

from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, bulk_publish, editor, form_data, reviewer

pytestmark = pytest.mark.django_db


def test_a_change_without_a_reason_is_refused_and_nothing_is_saved(client):
    draft = f.statement(status="draft", speaker="A spokesperson")
    client.force_login(editor())
    page = client.get(admin_url(draft))
    response = client.post(admin_url(draft), form_data(page, speaker="The chief executive", change_reason=""))
    assert response.status_code == 200
    assert "Give a reason for this change" in str(response.context["adminform"].form.errors)
    draft.refresh_from_db()
    assert draft.speaker == "A spokesperson"
    assert draft.history.count() == 1


def test_the_reason_is_stored_on_the_record_and_on_its_inline_rows(client):
    draft = f.statement(status="draft", cited=False)
    source = f.source()
    client.force_login(editor())
    page = client.get(admin_url(draft))
    prefix = "policies-citation-content_type-object_id-0-"
    data = form_data(page, speaker="The chief executive", change_reason="Speaker named in the report")
    data.update({prefix + "source": source.pk, prefix + "quote": "We said it.", prefix + "locator": "p. 2"})
    response = client.post(admin_url(draft), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert draft.history.first().history_change_reason == "Speaker named in the report"
    citation = draft.citations.get()
    assert citation.history.first().history_change_reason == "Speaker named in the report"


def test_adding_a_record_needs_a_reason(client):
    company = f.company()
    client.force_login(editor())
    page = client.get(admin_url(m.Statement, "add"))
    data = form_data(
        page, company=company.pk, speaker="A spokesperson", quote="We comply.", kind="assurance",
        made_precision="day", change_reason="",
    )
    assert client.post(admin_url(m.Statement, "add"), data).status_code == 200
    assert not m.Statement.objects.exists()
    data["change_reason"] = "From the company's press release"
    assert client.post(admin_url(m.Statement, "add"), data).status_code == 302
    statement = m.Statement.objects.get()
    assert statement.editorial_status == "draft"
    assert statement.history.get().history_change_reason == "From the company's press release"


def test_a_deletion_needs_a_reason_which_history_keeps(client):
    record = f.statement(status="draft")
    client.force_login(reviewer())
    page = client.post(admin_url(record, "delete"), {"post": "yes"})
    assert page.status_code == 200
    assert "Give a reason" in page.content.decode()
    assert m.Statement.objects.filter(pk=record.pk).exists()
    client.post(admin_url(record, "delete"), {"post": "yes", "change_reason": "Duplicate of another entry"})
    assert not m.Statement.objects.filter(pk=record.pk).exists()
    last = m.Statement.history.filter(id=record.pk).first()
    assert last.history_type == "-"
    assert last.history_change_reason == "Duplicate of another entry"


def test_a_bulk_action_without_a_reason_does_nothing(client):
    drafts = [f.statement(status="draft") for _ in range(2)]
    client.force_login(reviewer())
    url = admin_url(m.Statement, "changelist")
    selected = [d.pk for d in drafts]
    client.post(url, {"action": "publish_selected", "_selected_action": selected, "change_reason": ""})
    assert m.Statement.objects.filter(editorial_status="draft").count() == 2
    client.post(url, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert m.Statement.objects.count() == 2


def test_a_bulk_action_with_a_reason_records_it_on_every_row(client):
    drafts = [f.statement(status="draft") for _ in range(2)]
    client.force_login(reviewer())
    url = admin_url(m.Statement, "changelist")
    selected = [d.pk for d in drafts]
    bulk_publish(client, m.Statement, selected, "Reviewed")
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.editorial_status == "published"
        assert draft.history.first().history_change_reason == "Reviewed"
    client.post(
        url,
        {"action": "delete_selected", "_selected_action": selected, "post": "yes", "change_reason": "Dupes"},
    )
    assert not m.Statement.objects.exists()
    deletions = m.Statement.history.filter(history_type="-")
    assert set(deletions.values_list("history_change_reason", flat=True)) == {"Dupes"}
