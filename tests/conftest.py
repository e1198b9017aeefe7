import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.browser import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip

# CI runs the property tests with a fixed seed, so a submission passes or fails on its own
# merits; locally they explore new random examples each run (and keep failures in
# .hypothesis/ to replay).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    # A test that restores a backup (or flushes) replaces content type rows; a cached id
    # from a rolled-back transaction must not leak into the next test.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


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
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser
    # is open, so Django's async-unsafe guard would trip on every ORM call (fixtures and
    # tests alike). Allowed only while the browser is open; subprocesses that run
    # deployment checks must strip it (tests/test_security_deploy.py does).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_page(_browser):
    """A fresh page (own cookies) in headless Chromium, 1280x900."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
