import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_renders_the_home_page(browser_page, live_server):
    # transaction=True: live_server runs in another thread and must see committed data.
    browser_page.goto(live_server.url + "/")
    assert "Corporate Human-Rights Policy Tracker" in browser_page.title() + browser_page.content()
