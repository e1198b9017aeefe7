"""No lost edits: the second of two concurrent saves is refused, with the first one's changes shown."""

import pytest

from tests import factories as f
from tests.admin_support import admin_url, editor, form_data

pytestmark = pytest.mark.django_db


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_its_input(client):
    record = f.statement(status="draft", speaker="A spokesperson", quote="We comply with the law.")
    alice, bob = editor("alice"), editor("bob")

    client.force_login(alice)
    alice_page = client.get(admin_url(record))
    client.force_login(bob)
    bob_page = client.get(admin_url(record))

    client.force_login(alice)
    saved = client.post(
        admin_url(record), form_data(alice_page, speaker="The chief executive", change_reason="Named speaker")
    )
    assert saved.status_code == 302

    client.force_login(bob)
    refused = client.post(
        admin_url(record), form_data(bob_page, quote="We always comply.", change_reason="Fixed quote")
    )
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert "Someone else saved this record" in str(form.non_field_errors())
    html = refused.content.decode()
    assert "Changed by someone else while you were editing" in html
    assert "The chief executive" in html and "Named speaker" in html  # what changed meanwhile
    assert "We always comply." in html  # Bob's input is kept in the form
    record.refresh_from_db()
    assert record.quote == "We comply with the law."
    assert record.speaker == "The chief executive"


def test_saving_again_after_seeing_the_conflict_overwrites_deliberately(client):
    record = f.statement(status="draft", speaker="A spokesperson")
    client.force_login(editor())
    stale = client.get(admin_url(record))
    record.speaker = "Someone else"
    record._change_reason = "Concurrent edit"
    record.save()
    refused = client.post(admin_url(record), form_data(stale, quote="Mine.", change_reason="Mine"))
    assert refused.status_code == 200
    retry = client.post(admin_url(record), form_data(refused))
    assert retry.status_code == 302
    record.refresh_from_db()
    assert record.quote == "Mine."
