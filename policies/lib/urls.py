"""`reverse()` remembered. A company page links each of the hundred-odd records it shows,
and Django works each link out afresh (about 20 microseconds, ~2 ms a page); the same
record's link is the same string for as long as the URL configuration and the script
prefix are the same, and both are part of the key: the configuration in use, the request's
own or else ROOT_URLCONF as it is now (a test swapping it, as pytest-django's `urls` marker
does, sends no setting_changed signal)."""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=8192)
def _reverse(prefix, urlconf, viewname, args):
    return reverse(viewname, urlconf=urlconf, args=args)


def cached_reverse(viewname, *args):
    return _reverse(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, viewname, args)


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "ADMIN_URL"):
        _reverse.cache_clear()
