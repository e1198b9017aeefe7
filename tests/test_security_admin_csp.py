"""The admin works under the Content Security Policy: real Chromium, no violations reported."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests import factories as f

# transaction=True: live_server runs in another thread and must see committed data.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(page):
    found = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def test_staff_can_sign_in_and_edit_in_the_admin_without_csp_violations(browser_page, live_server):
    User.objects.create_superuser("csp-admin", "csp@example.org", "a long test password")
    company = f.company(name="Example Cloud CSP")
    page = browser_page
    violations = _violations(page)

    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", "a long test password")
    page.click("input[type=submit]")
    page.wait_for_url("**" + reverse("admin:index"))

    for url in (
        reverse("admin:policies_company_changelist"),
        reverse("admin:policies_company_add"),
        reverse("admin:policies_company_change", args=[company.pk]),
        reverse("admin:policies_company_history", args=[company.pk]),
        reverse("admin:auth_user_changelist"),
    ):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"]
    # The admin's own JavaScript ran: the changelist's select-all box ticks every row.
    page.goto(live_server.url + reverse("admin:policies_company_changelist"))
    page.check("#action-toggle")
    assert page.locator("input.action-select:checked").count() >= 1
    assert violations == []
