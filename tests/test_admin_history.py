"""History pages show field diffs (word-level for long text), who and why; revert is itself recorded."""

import pytest

from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, editor, form_data, reviewer

pytestmark = pytest.mark.django_db

OLD_TEXT = "We do not allow our technology to be used for the mass surveillance of civilians anywhere."
NEW_TEXT = "We do not allow our technology to be used for the unlawful surveillance of civilians anywhere."


def _edit(record, user, reason, **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    record._change_reason = reason
    record._history_user = user
    record.save()


def test_the_history_page_shows_a_word_level_diff_with_who_and_why(client):
    user = reviewer()
    version = f.policy_version(status="draft", text=OLD_TEXT)
    _edit(version, user, "The policy was reworded in March", text=NEW_TEXT)
    client.force_login(user)
    html = client.get(admin_url(version, "history")).content.decode()
    assert "<del>mass</del>" in html
    assert "<ins>unlawful</ins>" in html
    assert "The policy was reworded in March" in html
    assert "reviewer" in html  # staff see who, in the admin only


def test_short_fields_show_before_and_after(client):
    user = editor()
    record = f.statement(status="draft", speaker="A spokesperson")
    _edit(record, user, "Named in the report", speaker="The chief executive")
    client.force_login(user)
    html = client.get(admin_url(record, "history")).content.decode()
    assert '<td class="old">A spokesperson</td>' in html
    assert '<td class="new">The chief executive</td>' in html


def test_revert_restores_a_version_as_a_new_history_row_with_its_own_reason(client):
    user = editor()
    record = f.statement(status="draft", speaker="A spokesperson")
    first = record.history.get()
    _edit(record, user, "Wrong edit", speaker="Somebody else")
    client.force_login(user)
    url = admin_url(record, "simple_history", first.history_id)
    page = client.get(url)
    assert page.status_code == 200
    refused = client.post(url, form_data(page, change_reason=""))
    assert refused.status_code == 200
    response = client.post(url, form_data(page, change_reason="The first version was right"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.speaker == "A spokesperson"
    assert record.history.count() == 3
    latest = record.history.first()
    assert latest.history_change_reason.startswith("Reverted to the version of ")
    assert latest.history_change_reason.endswith(": The first version was right")
    assert latest.revision == 3


def test_revert_never_changes_the_editorial_status(client):
    user = reviewer()
    record = f.statement(status="draft", speaker="A spokesperson")
    first = record.history.get()
    _edit(record, user, "Reviewed", editorial_status="published", speaker="The chief executive")
    client.force_login(user)
    url = admin_url(record, "simple_history", first.history_id)
    client.post(url, form_data(client.get(url), change_reason="Back to the first speaker"))
    record.refresh_from_db()
    assert record.speaker == "A spokesperson"
    assert record.editorial_status == "published"


def test_an_editor_cannot_revert_a_published_record(client):
    record = f.statement(status="draft")
    first = record.history.get()
    record.editorial_status = "published"
    record._change_reason = "Published"
    record.save()
    client.force_login(editor())
    url = admin_url(record, "simple_history", first.history_id)
    data = {"change_reason": "Undo", "speaker": "x", "quote": "y", "kind": "assurance"}
    assert client.post(url, data).status_code == 403
    assert m.Statement.objects.get(pk=record.pk).editorial_status == "published"
