"""Drafts, review and publication: the editorial functions and the admin's work lists."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from policies import editorial
from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, confirmation_data, editor, form_data, reviewer

pytestmark = pytest.mark.django_db


def test_a_record_cannot_be_published_without_a_citation_and_the_message_says_so():
    draft = f.statement(status="draft", cited=False)
    with pytest.raises(editorial.EditorialError, match="has no citation"):
        editorial.publish(draft, user=reviewer(), reason="Ready")
    draft.refresh_from_db()
    assert draft.editorial_status == "draft"


def test_the_publish_page_names_what_is_missing(client):
    draft = f.statement(status="draft", cited=False)
    client.force_login(reviewer())
    response = client.post(admin_url(draft, "publish"), {"change_reason": "Ready"})
    assert response.status_code == 200
    assert "This statement has no citation" in response.content.decode()


def test_publishing_also_publishes_the_draft_sources_it_cites():
    draft = f.statement(status="draft", cited=False)
    source = f.source(status="draft")
    f.cite(draft, source)
    editorial.publish(draft, user=reviewer(), reason="Checked")
    source.refresh_from_db()
    assert source.editorial_status == "published"
    assert source.history.first().history_change_reason.startswith("Published with statement")


def test_an_editor_is_refused_by_the_function_itself():
    draft = f.statement(status="draft")
    with pytest.raises(PermissionDenied):
        editorial.publish(draft, user=editor(), reason="Mine")


def test_retracting_needs_a_public_correction_note(client):
    record = f.statement(status="published")
    user = reviewer()
    with pytest.raises(editorial.EditorialError, match="correction note"):
        editorial.retract(record, user=user, reason="Wrong", correction_note="")
    client.force_login(user)
    response = client.post(
        admin_url(record, "retract"),
        {"change_reason": "The report was corrected", "correction_note": "The quote was misattributed."},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.editorial_status == "retracted"
    assert record.correction_note == "The quote was misattributed."


def test_unpublishing_returns_a_record_to_draft_with_a_reason():
    record = f.statement(status="published")
    editorial.unpublish(record, user=reviewer(), reason="Needs another check")
    record.refresh_from_db()
    assert record.editorial_status == "draft"
    assert record.history.first().history_change_reason == "Needs another check"


def test_the_admin_index_lists_drafts_waiting_for_review_and_overdue_replies(client):
    draft = f.statement(status="draft", quote="Draft waiting for a reviewer.", cited=False)
    company = f.company()
    reply = m.RightOfReply(
        company=company,
        content_type=ContentType.objects.get_for_model(draft),
        object_id=draft.pk,
        asked_on=datetime.date(2020, 1, 1),
        deadline_on=datetime.date(2020, 1, 8),
        channel="email to the press office",
    )
    reply._change_reason = "Asked for comment"
    reply.save()
    client.force_login(editor())
    html = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for review" in html
    assert "Draft waiting for a reviewer." in html
    assert "Needs a citation" in html
    assert "Overdue right-of-reply requests" in html
    assert admin_url(reply) in html


def test_right_of_reply_is_recorded_inline_on_a_claim(client):
    record = f.statement(status="draft")
    client.force_login(editor())
    page = client.get(admin_url(record))
    prefix = "policies-rightofreply-content_type-object_id-0-"
    data = form_data(page, change_reason="Asked the company")
    data.update({
        "policies-rightofreply-content_type-object_id-TOTAL_FORMS": "1",
        prefix + "company": record.company_id,
        prefix + "asked_on": "2025-07-01",
        prefix + "deadline_on": "2025-06-01",
        prefix + "channel": "email",
        prefix + "outcome": "pending",
    })
    refused = client.post(admin_url(record), data)
    assert refused.status_code == 200
    assert "The deadline cannot be before the date the company was asked." in refused.content.decode()
    data[prefix + "deadline_on"] = "2025-07-08"
    assert client.post(admin_url(record), data).status_code == 302
    reply = record.replies.get()
    assert reply.history.get().history_change_reason == "Asked the company"


def test_staff_are_told_when_a_published_record_is_kept_off_the_site_by_a_draft_it_points_at(client):
    """A contract an import left pointing at a draft agency: every page that publishes it says
    why the public will not see it yet, and the public indeed does not."""
    agency = f.agency(status="draft", name="Example Draft Agency")
    contract = f.contract(agency, vendor=f.company(), status="draft", title="Example storage contract")
    client.force_login(reviewer())
    notice = "its agency “Example Draft Agency” is draft"
    assert notice in client.get(admin_url(contract)).content.decode()
    assert notice in client.get(admin_url(contract, "publish")).content.decode()

    changelist = reverse("admin:policies_contract_changelist")
    confirmation = client.post(changelist, {"action": "publish_selected", "_selected_action": [contract.pk],
                                            "change_reason": "Checked against the award"})
    assert notice in confirmation.content.decode()  # said before publishing, too
    response = client.post(changelist, confirmation_data(confirmation), follow=True)
    messages = [str(msg) for msg in response.context["messages"]]
    assert "Published 1 record(s)." in messages
    assert any("not shown on the site yet" in msg and notice in msg for msg in messages)
    contract.refresh_from_db()
    assert contract.editorial_status == "published"
    assert notice in client.get(admin_url(contract)).content.decode()
    assert "Example storage contract" not in client.get(contract.vendor.get_absolute_url()).content.decode()

    editorial.publish(agency, user=reviewer(), reason="Agency checked")
    assert "until what it points at is public" not in client.get(admin_url(contract)).content.decode()
    assert "Example storage contract" in client.get(contract.vendor.get_absolute_url()).content.decode()


def test_publish_selected_shows_what_will_be_published_and_publishes_nothing_until_confirmed(client):
    source = f.source(status="draft", title="Example draft report")
    ready = f.statement(status="draft", cited=False, quote="Example quote that is ready")
    f.cite(ready, source)
    uncited = f.statement(status="draft", cited=False, quote="Example quote without a source")
    client.force_login(reviewer())
    changelist = reverse("admin:policies_statement_changelist")
    page = client.post(changelist, {"action": "publish_selected", "_selected_action": [ready.pk, uncited.pk],
                                    "change_reason": "Checked"})
    html = page.content.decode()
    assert page.status_code == 200 and "Publish 1 of 2" in html
    assert "Ready." in html and "Cannot be published yet" in html
    assert "Published with it: source “Example Gazette: Example draft report”" in html
    assert m.Statement.objects.filter(editorial_status="draft").count() == 2  # nothing yet
    data = confirmation_data(page)
    assert data["_selected_action"] == [str(ready.pk)]  # only what the page said was ready

    f.cite(uncited)  # an editor adds the missing citation meanwhile: still not offered, not published
    response = client.post(changelist, data, follow=True)
    messages = [str(msg) for msg in response.context["messages"]]
    assert "Published 1 record(s)." in messages
    ready.refresh_from_db()
    uncited.refresh_from_db()
    source.refresh_from_db()
    assert (ready.editorial_status, uncited.editorial_status, source.editorial_status) == (
        "published", "draft", "published"
    )
    assert ready.history.first().history_change_reason == "Checked"


def _confirmation(client, *records):
    changelist = reverse("admin:policies_statement_changelist")
    selected = [r.pk for r in records]
    return changelist, client.post(
        changelist, {"action": "publish_selected", "_selected_action": selected, "change_reason": "Checked"}
    )


def _late_edit(record, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record._change_reason = "A late change"
    record.save()


def test_a_record_saved_after_the_confirmation_page_is_not_published_unseen(client):
    """A reviewer confirms what the page showed; an editor's save in between is not published
    with it: the reviewer is told and the record stays a draft until they look again."""
    statement = f.statement(status="draft", quote="Example quote as reviewed")
    other = f.statement(status="draft", quote="Example quote left alone")
    client.force_login(reviewer())
    changelist, page = _confirmation(client, statement, other)

    _late_edit(statement, quote="Example quote changed after the review")

    response = client.post(changelist, confirmation_data(page), follow=True)
    messages = [str(msg) for msg in response.context["messages"]]
    assert "Published 1 record(s)." in messages
    assert any("changed after you were shown it" in msg for msg in messages)
    statement.refresh_from_db()
    other.refresh_from_db()
    assert (statement.editorial_status, other.editorial_status) == ("draft", "published")

    # Without the page's fingerprint (a forged or stale form), or with a mangled one, nothing is published.
    for mangled in (None, "²", "0" * 20):
        changelist, page = _confirmation(client, statement)
        data = confirmation_data(page)
        if mangled is None:
            del data[f"seen_{statement.pk}"]
        else:
            data[f"seen_{statement.pk}"] = mangled
        assert client.post(changelist, data).status_code == 302
        statement.refresh_from_db()
        assert statement.editorial_status == "draft"


def test_what_is_published_with_a_record_is_checked_too(client):
    """The draft sources a record cites are published with it: one edited, or a citation added,
    after the confirmation page was shown stops the record (bulk and single page alike)."""
    source = f.source(status="draft", title="Example report as reviewed")
    edited = f.statement(status="draft", cited=False, quote="Example quote one")
    f.cite(edited, source)
    extended = f.statement(status="draft", quote="Example quote two")
    client.force_login(reviewer())
    changelist, page = _confirmation(client, edited, extended)

    _late_edit(source, title="Example report edited after the review")
    unseen = f.source(status="draft", title="Example report never shown")
    f.cite(extended, unseen)

    response = client.post(changelist, confirmation_data(page), follow=True)
    messages = [str(msg) for msg in response.context["messages"]]
    assert sum("changed after you were shown it" in msg for msg in messages) == 2
    assert not m.Statement.objects.filter(editorial_status="published").exists()
    assert not m.Source.objects.filter(pk__in=[source.pk, unseen.pk], editorial_status="published").exists()

    url = admin_url(edited, "publish")
    single = client.get(url)
    assert "Example report edited after the review" in single.content.decode()
    data = {"change_reason": "Checked", "revision_seen": single.context["form"]["revision_seen"].value(),
            "publication_seen": single.context["form"]["publication_seen"].value()}
    _late_edit(source, title="Example report edited once more")
    refused = client.post(url, data)
    assert refused.status_code == 200 and "changed after you were shown it" in refused.content.decode()
    assert "Example report edited once more" in refused.content.decode()
    source.refresh_from_db()
    assert source.editorial_status == "draft"

    data["publication_seen"] = refused.context["form"]["publication_seen"].value()  # what the page now shows
    assert client.post(url, data).status_code == 302
    source.refresh_from_db()
    assert (source.editorial_status, source.title) == ("published", "Example report edited once more")


def test_the_publish_confirmation_costs_a_fixed_number_of_queries_per_record(client):
    """The page lists what it is asked to publish: its queries grow with the records selected
    (like Django's delete confirmation), never with their citations or history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer())
    changelist = reverse("admin:policies_statement_changelist")

    def queries(records):
        selected = [r.pk for r in records]
        action = {"action": "publish_selected", "_selected_action": selected, "change_reason": "x"}
        with CaptureQueriesContext(connection) as captured:
            assert client.post(changelist, action).status_code == 200
        return len(captured)

    one = [f.statement(status="draft")]
    three = one + [f.statement(status="draft") for _ in range(2)]
    base = queries(one)
    per_record = (queries(three) - base) / 2
    for record in three:  # more citations and more history change nothing
        for _ in range(3):
            f.cite(record, f.source(status="draft"))
        record.quote += " (edited)"
        record._change_reason = "Edited"
        record.save()
    assert queries(three) == base + 2 * per_record
    assert per_record <= 8, per_record  # 7 measured: history, citations, dependants, links
