"""Headless Chromium for end-to-end tests, through Playwright and Debian's chromium.

Tests that need it use the `browser_page` fixture from tests/conftest.py. Without
/usr/bin/chromium they are skipped with a clear reason, unless REQUIRE_BROWSER=1
(CI sets it, and installs chromium) in which case they fail instead.
"""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_or_skip():
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail("REQUIRE_BROWSER=1 but Debian's chromium is not installed at /usr/bin/chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
