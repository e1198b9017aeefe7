"""The public page cache: anonymous GET pages, invalidated whenever the record changes.

One content-version number lives in the cache and is part of every page key. Any write
to a model of this app (a save, a delete, a many-to-many change, a history row) bumps
it, so the next request renders afresh; old entries simply expire. Writers that bypass
signals (bulk_create, raw SQL, imports) call `bump_content_version()` themselves.

Staff (authenticated users) are never served from the cache and never fill it. Only
200 responses that set no cookie and are not private are stored.

When a page is missing (after every bump, all of them are), one request renders it and
the others asking for the same page meanwhile wait for its copy instead of rendering it
too: a story breaking brings both the visitors and the edits, and without this every
edit made every concurrent visitor render the same page at once. A waiter never gets
an older page than a fresh render would give (the copy it waits for is keyed by the same
version), and it renders the page itself when the renderer finishes without storing one
(an error, a page not cached) or when `PAGE_CACHE_LOCK_SECONDS` run out.

Settings: `PAGE_CACHE_SECONDS` (0 turns the cache off; the test suite does),
`PAGE_CACHE_LOCK_SECONDS` (how long a request waits for another one rendering the same
page; 0 turns waiting off) and the `default` cache from `CACHE_URL`. The local-memory
default is per process: with several worker processes set `CACHE_URL` to Redis or
Memcached so every worker sees each bump.
"""

import hashlib
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from simple_history.signals import post_create_historical_record

VERSION_KEY = "page-cache:content-version"
CACHED_METHODS = ("GET", "HEAD")
STORED_HEADERS = ("Content-Type", "Content-Language", "Last-Modified", "ETag", "Link")
SKIPPED_PREFIXES = ("/static/", "/media/")
POLL_SECONDS = 0.01  # how often a waiting request looks for the copy being rendered

_rendering_here = {}  # page key -> Event set when this process's render of it ends
_here_lock = threading.Lock()


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh (or flushed) cache starts from the clock, never from an old number.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version():
    """Invalidate every cached page (they are keyed by the version)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def bump_now_and_after_commit():
    # Now, so this process never serves the old page again; and after commit, so a
    # page rendered from the not-yet-committed state by another request is dropped too.
    bump_content_version()
    transaction.on_commit(bump_content_version)


def _is_tracked(sender):
    return getattr(getattr(sender, "_meta", None), "app_label", None) == "policies"


@receiver(post_save, dispatch_uid="page_cache_post_save")
@receiver(post_delete, dispatch_uid="page_cache_post_delete")
@receiver(m2m_changed, dispatch_uid="page_cache_m2m_changed")
def _record_changed(sender, **kwargs):
    if _is_tracked(sender):
        bump_now_and_after_commit()


@receiver(post_create_historical_record, dispatch_uid="page_cache_history")
def _history_written(sender, **kwargs):
    if _is_tracked(sender):
        bump_now_and_after_commit()


def page_key(request, version):
    digest = hashlib.sha256(f"{request.get_host()}|{request.get_full_path()}".encode()).hexdigest()
    return f"page-cache:{version}:{digest}"


def _request_is_cacheable(request):
    if request.method not in CACHED_METHODS:
        return False
    path = request.path
    admin_prefix = "/" + settings.ADMIN_URL
    if path.startswith(admin_prefix) or path.startswith(SKIPPED_PREFIXES):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _response_is_cacheable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token for this visitor only
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _freeze(response):
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    return (response.content, headers)


def _thaw(frozen):
    content, headers = frozen
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


class PublicPageCacheMiddleware:
    """Serve anonymous GET/HEAD requests from the page cache (place after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if not seconds or not _request_is_cacheable(request):
            return self.get_response(request)
        key = page_key(request, content_version())
        frozen = cache.get(key)
        if frozen is not None:
            return _thaw(frozen)
        wait = getattr(settings, "PAGE_CACHE_LOCK_SECONDS", 0)
        if not wait or request.method != "GET":
            return self._render(request, key, seconds)
        # Threads of this process wait on an event; processes, on a key in the shared cache.
        with _here_lock:
            done = _rendering_here.get(key)
            mine = done is None
            if mine:
                done = _rendering_here[key] = threading.Event()
        if not mine:
            done.wait(wait)
            frozen = cache.get(key)
            return _thaw(frozen) if frozen is not None else self._render(request, key, seconds)
        try:
            return self._render_once(request, key, seconds, wait)
        finally:
            with _here_lock:
                del _rendering_here[key]
            done.set()

    def _render_once(self, request, key, seconds, wait):
        """Render unless another process is rendering the same page; then wait for its copy."""
        rendering = f"{key}:rendering"
        if cache.add(rendering, 1, wait):
            try:
                return self._render(request, key, seconds)
            finally:
                cache.delete(rendering)
        frozen = _wait_for_copy(key, rendering, wait)
        if frozen is not None:
            return _thaw(frozen)
        return self._render(request, key, seconds)

    def _render(self, request, key, seconds):
        response = self.get_response(request)
        if request.method == "GET" and _response_is_cacheable(request, response):
            cache.set(key, _freeze(response), seconds)
            response["X-Page-Cache"] = "miss"
        return response


def _wait_for_copy(key, rendering, wait):
    """The page another request is rendering, once stored; None if it stores none in time."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get_many([key, rendering])
        if key in found:
            return found[key]
        if rendering not in found:  # finished without storing a copy (an error, say)
            return cache.get(key)
    return None
