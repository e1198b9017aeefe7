"""Today's date for the rules that depend on it (embargoes), overridable by precompiled queries.

`today()` is `timezone.localdate()`, unless code compiling a query shape once
(`lib.precompiled`) has set a probe date in its place, so that it can find the date
among the query's parameters and put the real day there on every run.
"""

import contextlib
import contextvars

from django.utils import timezone

_override = contextvars.ContextVar("tracker_today", default=None)


def today():
    day = _override.get()
    return timezone.localdate() if day is None else day


@contextlib.contextmanager
def today_is(day):
    token = _override.set(day)
    try:
        yield
    finally:
        _override.reset(token)
