"""Several tables at once on PostgreSQL, every one read in the export's own snapshot.

A full export is bound by the database producing rows (filtering the public ones and
formatting them), one table after another on one core. With `jobs` > 1, the export's
own connection and `jobs` - 1 threads, each with a connection of its own that adopts
the snapshot the export's transaction exported (`pg_export_snapshot()` / `SET
TRANSACTION SNAPSHOT`, as `pg_dump --jobs` does), take tables from a queue, largest
first (a table that filters on ids another one writes waits for it: `Resource.after`).
Every file is therefore the same instant of the database as with one connection, byte
for byte.

The serial path stays for SQLite, for the cursor path (`--iterator`), for one table, and
inside a caller's transaction (tests; a snapshot there may hold rows no other connection
can see).
"""

import contextlib
import re
import threading

from django.db import connection, transaction

from .copy import export_settings, one_snapshot

DEFAULT_JOBS = 2
LOCK_TIMEOUT = "60s"
_SNAPSHOT_ID = re.compile(r"^[0-9A-F-]+$")


def export_snapshot():
    """The id of the current transaction's snapshot, for other connections to adopt."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
    if not _SNAPSHOT_ID.match(snapshot_id):  # it is spliced into SET TRANSACTION SNAPSHOT
        raise ValueError(f"Unexpected snapshot id {snapshot_id!r}")
    return snapshot_id


def largest_first(resources):
    """The resources ordered by the estimated rows of the table each reads, largest first;
    where a resource waits for others (`after`), by the longest chain of estimated rows
    it leads to, so that the waiting ones can start as early as possible."""
    tables = {_db_table(r) for r in resources}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
            [sorted(tables)],
        )
        sizes = dict(cursor.fetchall())
    size = {r: max(sizes.get(_db_table(r), 0), 0) for r in resources}
    waiting = {r: [w for w in resources if r in w.after] for r in resources}
    chain = {}

    def longest(r):
        if r not in chain:
            chain[r] = size[r] + max((longest(w) for w in waiting[r]), default=0)
        return chain[r]

    return sorted(resources, key=lambda r: -longest(r))


def _db_table(resource):
    model = resource.table.history_model if resource.history else resource.table.model
    return model._meta.db_table


def run(resources, write_one, snapshot_id, jobs, on_done=None):
    """Call `write_one(resource)` for every resource on `jobs` connections (this thread's,
    in the export's snapshot, and `jobs` - 1 workers'); {name: result}.

    `on_done(resource, result)` is called (one at a time) as each finishes. The first
    error stops the others taking new tables and is raised here. An interruption of the
    caller (Ctrl-C) cancels the workers' queries and waits for them to end.
    """
    pending = largest_first(resources)
    present = set(resources)
    results, errors = {}, []
    finished = set()
    lock = threading.Condition()
    stop = threading.Event()
    live = []  # the workers' psycopg connections, to cancel a COPY when the export is abandoned

    def take():
        """The first pending resource whose `after` are all written; None when none is left
        (or the export stops). Waits while the others are still being written."""
        with lock:
            while not errors and not stop.is_set() and pending:
                for index, resource in enumerate(pending):
                    if all(r in finished or r not in present for r in resource.after):
                        return pending.pop(index)
                lock.wait()
            return None

    def work():
        while (resource := take()) is not None:
            result = write_one(resource)
            with lock:
                results[resource.name] = result
                finished.add(resource)
                if on_done:
                    on_done(resource, result)
                lock.notify_all()

    def worker():
        try:
            with transaction.atomic():
                live.append(connection.connection)
                with connection.cursor() as cursor:
                    # lock_timeout: a worker only takes ACCESS SHARE locks, which wait only
                    # behind DDL (a migration). Such a migration could itself wait for a lock
                    # the export's own transaction holds while it waits for this worker, a
                    # cycle PostgreSQL cannot see; the worker gives up instead of hanging.
                    cursor.execute(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
                        f"SET TRANSACTION SNAPSHOT '{snapshot_id}'; "
                        f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"
                    )
                with export_settings(whole_export=True), one_snapshot():
                    work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            with lock:
                errors.append(exc)
                lock.notify_all()
        finally:
            connection.close()  # this thread's own connection

    count = min(jobs, len(resources)) - 1  # the export's own connection reads tables too
    # Daemons: Ctrl-C in the main thread ends the command; the partial output is removed there.
    threads = [threading.Thread(target=worker, name=f"export-{n}", daemon=True) for n in range(count)]
    with connection.cursor() as cursor:  # the same reason as the workers' (above)
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    for thread in threads:
        thread.start()
    try:
        work()  # one connection fewer to open, and its catalog caches are warm already
        _wait(threads)
    except BaseException:  # Ctrl-C, say: stop the workers before the caller removes the output
        stop.set()
        with lock:
            lock.notify_all()
        for pgconn in list(live):
            with contextlib.suppress(Exception):
                pgconn.cancel_safe()
        for thread in threads:
            thread.join(timeout=30)
        raise
    if errors:
        raise errors[0]
    return {r.name: results[r.name] for r in resources}


def _wait(threads):
    for thread in threads:
        thread.join()
