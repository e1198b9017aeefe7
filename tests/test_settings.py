"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[1]
STRONG = "s" * 20 + "-strong-and-random-enough-" + "r" * 20


def load_settings(**env):
    """Import tracker.settings in a fresh interpreter with exactly `env` set."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(env)
    code = (
        "import json, tracker.settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
        "'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
        "'admin': s.ADMIN_URL}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_weak_secret_key_when_debug_is_off():
    result = load_settings(DEBUG="false", SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_it_refuses_a_wildcard_host():
    result = load_settings(DEBUG="false", SECRET_KEY=STRONG, ALLOWED_HOSTS="*")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_it_refuses_a_boolean_it_cannot_read():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_it_uses_sqlite_in_the_project_by_default():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert str(ROOT / "db.sqlite3") in result.stdout


def test_it_reads_postgresql_from_database_url():
    result = load_settings(
        DEBUG="false",
        SECRET_KEY=STRONG,
        ALLOWED_HOSTS="tracker.example.org",
        DATABASE_URL="postgres://tracker:p%40ss@db.example.org:5433/tracker",
        ADMIN_URL="/staff-desk/",
    )
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    assert '"hosts": ["tracker.example.org"]' in result.stdout
    assert '"admin": "staff-desk/"' in result.stdout


def test_database_url_parsing_keeps_escaped_passwords():
    parsed = dj_database_url.parse("postgres://tracker:p%40ss@db.example.org:5433/tracker")
    assert parsed["PASSWORD"] == "p@ss" and parsed["PORT"] == 5433


@pytest.mark.parametrize("url", ["not a url", "nosuchdb://host/db"])
def test_it_refuses_a_database_url_it_cannot_read(url):
    result = load_settings(DEBUG="true", DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_manage_py_names_the_configuration_error_instead_of_a_traceback():
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Configuration error: SECRET_KEY is not set")
    assert "Traceback" not in result.stderr


def _cache_defaults(**env):
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(env)
    code = (
        "import tracker.settings as s; "
        "print(s.PAGE_CACHE_SECONDS, s.CACHES['default']['BACKEND'].rsplit('.', 1)[1])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_production_caches_pages_and_development_shows_every_edit_at_once():
    assert _cache_defaults(DEBUG="false", SECRET_KEY=STRONG) == ["600", "LocMemCache"]
    # make run: no page cache; a file cache in the checkout that commands in other terminals share
    assert _cache_defaults(DEBUG="true") == ["0", "FileBasedCache"]
    chosen = _cache_defaults(DEBUG="true", PAGE_CACHE_SECONDS="60", CACHE_URL="locmem://")
    assert chosen == ["60", "LocMemCache"]


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True,
                          text=True)


def test_schema_commands_run_without_a_secret_key_but_nothing_else_does():
    checked = _manage("makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "No changes detected" in checked.stdout
    refused = _manage("check")
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr
