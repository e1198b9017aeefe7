"""Prepared statements for the public pages, on PostgreSQL.

Most of the database time of a public page went to planning, not running, its queries:
the public rule (`asof.linked_public_q`) joins every record to what it points at, and
PostgreSQL planned those joins afresh on every request (the median company page: 13.8 ms
planning against 4.1 ms executing for its 24 queries, EXPLAIN ANALYZE). Inside
`prepared_statements()` every query of this thread's connection is sent with
server-side parameters and prepared: the SQL the ORM builds is the same text for every
company, so each statement is parsed once per connection, and after five runs PostgreSQL
keeps one generic plan for it unless plans for the actual values are estimated cheaper
(`plan_cache_mode = auto`). Connections are kept between requests (`DB_CONN_MAX_AGE`), so
the prepared statements are too; psycopg keeps the 100 most recently used per connection
and deallocates the others.

Django turns prepared statements off by default because a connection pooler in
transaction mode (PgBouncer before 1.21) loses them between transactions: set
`DB_PREPARED_STATEMENTS=false` behind such a pooler. On SQLite this does nothing.
"""

import contextlib
import functools

from django.conf import settings
from django.db import connection

try:
    from django.db.backends.postgresql.base import ServerBindingCursor
except ImportError:  # psycopg is not installed: SQLite only
    ServerBindingCursor = None


# A statement is prepared the first time a connection runs it (the same work as running it
# unprepared); psycopg keeps the 100 most recently used per connection.
PREPARE_THRESHOLD = 0


def enabled():
    return (
        ServerBindingCursor is not None
        and connection.vendor == "postgresql"
        and getattr(settings, "PREPARED_STATEMENTS", True)
    )


@contextlib.contextmanager
def prepared_statements():
    """Prepare every statement this thread runs inside the block (PostgreSQL only), on the
    connection it already holds: none is opened for it, so a page that reads nothing from the
    database (robots.txt, the method page) still answers while the database is away. A
    connection is opened by its first request and kept for the next (`DB_CONN_MAX_AGE`),
    which are the ones a prepared statement pays off on."""
    raw = connection.connection
    if raw is None or not enabled():
        yield
        return
    previous = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, PREPARE_THRESHOLD
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = previous


def prepared(view):
    """A view decorator: run the view with `prepared_statements()`."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with prepared_statements():
            return view(request, *args, **kwargs)

    return wrapper
