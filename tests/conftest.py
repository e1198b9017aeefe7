import os

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    # django-axes refuses client.login() (no request); the lockout has its own tests
    # (tests/test_security_login.py), which switch it back on.
    settings.AXES_ENABLED = False


@pytest.fixture(scope="session")
def _browser():
    chromium_or_skip()
    # Playwright's sync API refuses to run inside a running event loop; Django's
    # async-unsafe guard would then trip on ORM calls made from the test body.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    """A fresh page (own cookies) in headless Chromium, 1280x900."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
