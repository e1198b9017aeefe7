"""End to end in headless Chromium: an editor enters a statement, a reviewer publishes it.

Set ADMIN_SCREENSHOTS=/some/dir to save screenshots of each screen while it runs.
"""

import os
import re

import pytest
from django.urls import reverse

from policies import models as m
from tests import factories as f
from tests.admin_support import PASSWORD, editor, reviewer

# transaction=True: live_server serves from another thread, which must see committed rows.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ADMIN_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _log_in(page, base, user):
    page.context.clear_cookies()
    page.goto(base + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def _pick_autocomplete(page, field_id, text):
    page.click(f"#{field_id} + .select2 .select2-selection")
    page.fill(".select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def test_an_editor_enters_a_statement_with_a_new_source_and_a_reviewer_publishes_it(
    browser_page, live_server, settings
):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http on localhost
    page, base = browser_page, live_server.url
    company = f.company(name="Example Cloud 0042")
    editor_user, reviewer_user = editor(), reviewer()

    _log_in(page, base, editor_user)
    page.goto(base + reverse("admin:policies_statement_add"))
    _pick_autocomplete(page, "id_company", "Example Cloud 0042")
    page.fill("#id_speaker", "A company spokesperson")
    page.fill("#id_made_on", "2025-07-14")
    page.select_option("#id_made_precision", "month")
    page.fill("#id_quote", "We have no visibility into what our customers store.")
    page.select_option("#id_kind", "no_visibility")

    inline = "policies-citation-content_type-object_id-0-"
    with page.expect_popup() as popup_info:
        page.click(f"#add_id_{inline}source")
    popup = popup_info.value
    popup.wait_for_selector("#id_title")
    popup.fill("#id_title", "Agency storage tripled, documents show")
    popup.fill("#id_publisher", "Example Gazette")
    popup.fill("#id_url", "https://example.org/storage")
    popup.fill("#id_change_reason", "Source for the July 2025 statement")
    popup.click("input[name=_save]")
    popup.wait_for_event("close")

    page.fill(f"#id_{inline}quote", "has no visibility into what is stored")
    page.fill("#id_change_reason", "Entered from the July 2025 report")
    _shot(page, "change-form-add")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    statement = m.Statement.objects.get(company=company)
    assert statement.editorial_status == "draft"
    assert statement.citations.get().source.title == "Agency storage tripled, documents show"
    assert statement.history.get().history_change_reason == "Entered from the July 2025 report"
    _shot(page, "changelist")

    _log_in(page, base, reviewer_user)
    page.goto(base + reverse("admin:index"))
    assert "We have no visibility" in page.inner_text("#waiting-for-review")
    _shot(page, "index")
    page.goto(base + reverse("admin:policies_statement_change", args=[statement.pk]))
    _shot(page, "change-form")
    page.click("text=Publish…")
    page.fill("#id_change_reason", "Checked against the source")
    page.click("input[name=_publish]")
    page.wait_for_selector(".messagelist .success")

    statement.refresh_from_db()
    assert statement.editorial_status == "published"
    assert statement.citations.get().source.editorial_status == "published"

    page.goto(base + reverse("admin:policies_statement_history", args=[statement.pk]))
    newest = page.inner_text(".history-entry >> nth=0")
    assert "Checked against the source" in newest
    assert re.search(r"Editorial status\s+Draft\s+Published", newest)
    _shot(page, "history")
