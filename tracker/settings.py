"""Settings for the tracker: one module, every value from the environment.

Each value is read through a small typed helper that raises ImproperlyConfigured
on a value it cannot parse, so a typo in production fails at start-up, not later.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_float(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None


def env_cache(name, default="locmem://"):
    """A Django cache from a URL: locmem://, redis://host:6379/0, memcached://host:11211, file:///dir."""
    raw = os.environ.get(name) or default
    scheme, sep, rest = raw.partition("://")
    backends = {
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
        "redis": "django.core.cache.backends.redis.RedisCache",  # needs the redis package
        "rediss": "django.core.cache.backends.redis.RedisCache",
        "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",  # needs pymemcache
        "file": "django.core.cache.backends.filebased.FileBasedCache",
        "dummy": "django.core.cache.backends.dummy.DummyCache",
    }
    if not sep or scheme not in backends:
        raise ImproperlyConfigured(f"{name} must start with one of {sorted(backends)}://, got {raw!r}")
    location = {"redis": raw, "rediss": raw, "memcached": rest.split(",")}.get(scheme, rest)
    if scheme == "file" and not rest.startswith("/"):
        raise ImproperlyConfigured(f"{name}: file:// needs an absolute path, got {raw!r}")
    return {"BACKEND": backends[scheme], "LOCATION": location, "KEY_PREFIX": "tracker"}


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# A real secret is required whenever DEBUG is off. The development fallback is
# only ever used with DEBUG on, and is marked insecure so check --deploy flags it.
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak: use at least 50 random characters.")

# Never every host. Local development names are allowed only with DEBUG on.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list host names, not '*'.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for origin in CSRF_TRUSTED_ORIGINS:
    if not origin.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS entries need a scheme, got {origin!r}")

# The admin lives at a configurable path (never the only defence).
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("ADMIN_URL must not be empty.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "csp",
    "axes",
    "policies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # early, so error responses carry the policy too
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "policies.cache.PublicPageCacheMiddleware",  # anonymous GET pages; after authentication
    "policies.faults.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        # The public pages (policies/jinja2/): compiled to Python once per process, which
        # renders them several times faster than Django's language (policies/templating.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "policies.templating.environment"},
    },
    {
        # The admin and the error pages.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# SQLite in the project by default so `make run` needs no server; PostgreSQL
# (psycopg 3) through DATABASE_URL. dj-database-url does the parsing.
DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL") or DEFAULT_DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Dates typed in the admin: ISO 8601 only, never 01/02/2026 (tracker/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["tracker.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Where full exports and citable releases are written and served from.
EXPORTS_ROOT = Path(env_str("EXPORTS_ROOT", str(BASE_DIR / "var" / "exports")))

# django-simple-history: a long reason column from the first migration.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = False

# Production hardening. Secure by default; local development (DEBUG) relaxes it.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", not DEBUG) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)  # staff sign in again each day

# Content Security Policy (django-csp 4): only this site's own files; no inline
# scripts or styles, no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Staff login lockout (django-axes, database-backed): after LOGIN_FAILURE_LIMIT
# failures from one address, or against one username, logins are refused for
# LOGIN_LOCKOUT_MINUTES. `manage.py axes_reset` lifts every lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "policies/errors/lockout.html"
AXES_CLIENT_IP_CALLABLE = "policies.login_protection.client_ip"

# Gap analysis (policies/gaps/, docs/gap-analysis.md). The method page shows these values.
# A growth signal fires when a later value is MORE than GAP_GROWTH_THRESHOLD times the
# baseline (3.0: "more than tripled"); the windows are in days.
GAP_GROWTH_THRESHOLD = env_float("GAP_GROWTH_THRESHOLD", 3.0)
GAP_WEAKENED_WINDOW_DAYS = env_int("GAP_WEAKENED_WINDOW_DAYS", 365)
GAP_EMPLOYEE_RESPONSE_DAYS = env_int("GAP_EMPLOYEE_RESPONSE_DAYS", 90)
GAP_DETECT_ON_SAVE = env_bool("GAP_DETECT_ON_SAVE", True)
if GAP_GROWTH_THRESHOLD <= 1:
    raise ImproperlyConfigured("GAP_GROWTH_THRESHOLD must be greater than 1 (a growth factor).")

# Who the site says it is, for "cite this" blocks and feeds.
SITE_NAME = env_str("SITE_NAME", "Corporate Human-Rights Policy Tracker")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Cache (docs/performance.md): local memory by default, which is per process; set
# CACHE_URL to redis:// or memcached:// when several workers or machines serve the site.
# In development (DEBUG, `make run`) the default is a file cache in the checkout, so a command
# run in another terminal (an import, a release) invalidates the pages runserver caches too.
CACHES = {"default": env_cache("CACHE_URL", f"file://{BASE_DIR / 'var' / 'cache'}" if DEBUG else "locmem://")}
# Anonymous public pages are cached this long at most (0 turns the page cache off). Off by
# default in development, where a template being edited should show on the next request.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 600)
# When a page is missing, one request renders it and the others for the same page wait up
# to this long for its copy instead of all rendering it at once (0: every request renders).
PAGE_CACHE_LOCK_SECONDS = env_int("PAGE_CACHE_LOCK_SECONDS", 5)
# Uncached pages (policies/lib/prepared.py, policies/lib/precompiled.py): public pages' queries
# are prepared statements on PostgreSQL (turn off behind a pooler in transaction mode that
# cannot keep them, such as PgBouncer before 1.21), and the company page's querysets are
# compiled once per process. PRECOMPILED_CHECK (the test suite) compares every precompiled
# query with the same queryset built afresh.
PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
PRECOMPILED_CHECK = env_bool("PRECOMPILED_CHECK", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
