"""Production settings: `check --deploy` is clean, and weak configurations refuse to start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tracker.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.org",
    "CACHE_URL": "file:///var/cache/tracker",  # shared by every worker and command (tracker.W001)
}


def manage(*args, **env):
    """Run manage.py in a fresh interpreter with only the given production variables."""
    test_only = (
        "DEBUG", "SECURE_SSL_REDIRECT", "STATICFILES_BACKEND", "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser fixture while Chromium is open
    )
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_the_deploy_check_is_clean_with_the_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_settings_are_secure_by_default():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS)"
    )
    result = manage("shell", "--verbosity", "0", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    expected = "True True True True ('HTTP_X_FORWARDED_PROTO', 'https') DENY"
    assert result.stdout.splitlines()[-1] == expected


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list host names"),
        ({"CSRF_TRUSTED_ORIGINS": "tracker.example.org"}, "need a scheme"),
    ],
)
def test_a_weak_production_configuration_refuses_to_start(change, complaint):
    result = manage("check", **{**PRODUCTION, **change})
    assert result.returncode != 0
    assert complaint in result.stderr


def test_the_deploy_check_warns_when_the_page_cache_is_per_process():
    """With per-process memory an edit made by one worker or command leaves other workers stale."""
    per_process = {**PRODUCTION, "CACHE_URL": "", "PAGE_CACHE_SECONDS": "600"}  # the suite's env turns it off
    result = manage("check", "--deploy", "--fail-level", "WARNING", **per_process)
    assert result.returncode != 0
    assert "tracker.W001" in result.stdout + result.stderr
    off = manage("check", "--deploy", "--fail-level", "WARNING",
                 **{**per_process, "PAGE_CACHE_SECONDS": "0"})
    assert off.returncode == 0, off.stdout + off.stderr
