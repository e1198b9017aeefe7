"""The public site in headless Chromium: the founding case, sources, diffs, phones."""

import datetime

import pytest

from policies.models import Company, PolicyVersion
from policies.seed import load_seed
from tests import factories as f

# transaction=True: live_server serves from another thread, which sees only committed data.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_HORIZONTAL_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def founding_case():
    load_seed()
    return Company.objects.public().get(slug="microsoft")


def test_the_founding_case_shows_its_timeline_and_chart_and_sources_lead_to_source_pages(
    browser_page, live_server, founding_case
):
    page = browser_page
    page.goto(live_server.url + "/")
    page.click(f"a[href='{founding_case.get_absolute_url()}']")  # one click from home
    assert page.locator("h1").inner_text() == founding_case.name
    assert page.locator("svg.chart").is_visible()
    assert page.locator("ol.timeline > li").count() >= 5
    assert page.locator("ol.timeline").is_visible()
    assert "No mass surveillance" in page.locator(".says").inner_text()
    page.locator("ol.timeline .sources a").first.click()
    page.wait_for_url("**/sources/*/")
    assert "What cites it" in page.content()


def test_the_policy_diff_highlights_changes(browser_page, live_server):
    pol = f.policy(title="Example Acceptable Use")
    f.policy_version(pol, effective_on=datetime.date(2024, 1, 1), text="We never allow mass surveillance.")
    f.policy_version(pol, effective_on=datetime.date(2025, 1, 1), text="We rarely allow mass surveillance.")
    old, new = PolicyVersion.objects.filter(policy=pol).order_by("effective_on")
    browser_page.goto(f"{live_server.url}{pol.get_absolute_url()}?from={old.pk}&to={new.pk}")
    assert browser_page.locator(".diff del").first.inner_text() == "never"
    assert browser_page.locator(".diff ins").first.inner_text() == "rarely"
    assert browser_page.locator(".diff ins").first.evaluate("e => getComputedStyle(e).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )


def test_the_company_page_fits_a_phone_without_horizontal_scrolling(
    browser_page, live_server, founding_case, tmp_path
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + founding_case.get_absolute_url())
    page.screenshot(path=str(tmp_path / "company-390.png"), full_page=True)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.locator("svg.chart").is_visible()


def test_the_site_is_keyboard_usable_from_the_skip_link(browser_page, live_server, founding_case):
    page = browser_page
    page.goto(live_server.url + founding_case.get_absolute_url())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
