"""Reading a Select out of the database: COPY on PostgreSQL, the cursor iterator elsewhere.

Both paths read the same SELECT (see sql.py), so they see the same text values.
`iterator=True` forces the cursor path on PostgreSQL too; tests use it to prove the
two paths write the same bytes.
"""

import contextlib
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

BATCH = 2000
CHUNK = 256 * 1024  # bytes handed on at a time: COPY sends one row per message


class Tally:
    """How many rows a stream produced (known once it is exhausted)."""

    def __init__(self):
        self.rows = 0


def uses_copy(iterator=False):
    return connection.vendor == "postgresql" and not iterator


def copy_csv(select, tally):
    """Raw CSV bytes from PostgreSQL's COPY, gathered into chunks of about CHUNK bytes."""
    statement = f"COPY ({select.sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, export_settings():
        raw = cursor.cursor
        buffer = bytearray()
        with raw.copy(statement, select.params or None) as copy:
            for row in copy:
                buffer += row
                if len(buffer) >= CHUNK:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)
        tally.rows = raw.rowcount


def copy_csv_into(select, out, ids=None):
    """Write COPY's CSV rows straight into a binary file as they arrive; return the count.

    Row by row into the file's own buffer, exactly as a bare COPY to a file is written:
    gathering rows into large chunks first (as `copy_csv` does for a stream) made the
    reading loop slower and let PostgreSQL wait on a full socket while a chunk was
    written.

    The rows are read with libpq's own calls (`_copy_out`) rather than psycopg's `Copy`
    iterator, which runs a generator and a wait per row: that iterator was 0.13 s of
    the client's CPU for the 116,395 current rows of the N=1000 world; a row that has
    already arrived costs one call here.

    `ids`: a list to append every row's first column to (bytes: the id, an integer,
    never quoted). COPY sends each row in a message of its own, so a row's first
    comma ends its id even when a later field holds a line break.
    """
    from psycopg import ClientCursor

    statement = f"COPY ({select.sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, export_settings():
        conn = cursor.cursor.connection
        # What psycopg's copy() does with parameters: merge them client-side.
        query = ClientCursor(conn).mogrify(statement, select.params or None)
        with conn.lock:
            return conn.wait(_copy_out(conn, query.encode(conn.info.encoding), out.write, ids))


def _copy_out(conn, query, write, ids):
    """A psycopg generator (run by `Connection.wait`, which cancels the query on a
    Ctrl-C that arrives while it waits): run a COPY ... TO STDOUT, hand every row to
    `write`; return the row count.

    Whatever stops it half-way (a full disk in `write`, a Ctrl-C between two rows)
    cancels the COPY and reads what is left of it, so that the connection is free
    for the rollback that follows, and is raised again.
    """
    from psycopg import errors, pq
    from psycopg.waiting import WAIT_R, WAIT_RW, Ready

    pgconn = conn.pgconn
    pgconn.send_query(query)
    while pgconn.flush():  # a long statement (with ids in it) may take several sends
        if (yield WAIT_RW) & Ready.R:
            pgconn.consume_input()
    results = yield from _results(pgconn, WAIT_R, first=True)
    if results[-1].status != pq.ExecStatus.COPY_OUT:
        raise errors.error_from_result(results[-1], encoding=conn.info.encoding)
    get = pgconn.get_copy_data
    keep = ids.append if ids is not None else None
    try:
        while True:
            nbytes, row = get(1)
            if nbytes > 0:
                write(row)
                if keep:
                    head = bytes(row[:24])
                    keep(head[: head.index(b",")])
            elif nbytes == 0:  # the next row has not arrived yet
                while not (yield WAIT_R):
                    pass
                pgconn.consume_input()
            else:  # -1: the end; -2: an error, which the result reports
                break
    except BaseException:
        with contextlib.suppress(Exception):
            conn.cancel_safe(timeout=5.0)
        while (nbytes := get(1)[0]) >= 0:
            if nbytes == 0:
                while not (yield WAIT_R):
                    pass
                pgconn.consume_input()
        yield from _results(pgconn, WAIT_R)
        raise
    results = yield from _results(pgconn, WAIT_R)
    for result in results:
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise errors.error_from_result(result, encoding=conn.info.encoding)
    return results[-1].command_tuples


def _results(pgconn, wait_r, first=False):
    """Every result of the command (just the first with `first`), as psycopg reads them."""
    from psycopg import pq

    results = []
    while True:
        while pgconn.is_busy():
            while not (yield wait_r):
                pass
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            return results
        results.append(result)
        if first and result.status == pq.ExecStatus.COPY_OUT:
            return results


def copy_rows(select, tally):
    """Batches of text tuples (None for NULL) from COPY's text format."""
    statement = f"COPY ({select.sql}) TO STDOUT"
    with connection.cursor() as cursor, export_settings():
        with cursor.cursor.copy(statement, select.params or None) as copy:
            copy.set_types(["text"] * len(select.columns))
            batch = []
            for row in copy.rows():
                batch.append(row)
                if len(batch) >= BATCH:
                    tally.rows += len(batch)
                    yield batch
                    batch = []
            if batch:
                tally.rows += len(batch)
                yield batch


def iterate_rows(select, tally):
    """Batches of text tuples through a server-side (chunked) cursor: flat memory."""
    with export_settings(), connection.chunked_cursor() as cursor:
        if connection.vendor == "postgresql":
            _load_as_text(cursor.cursor)
        cursor.execute(select.sql, select.params)
        while batch := cursor.fetchmany(BATCH):
            tally.rows += len(batch)
            yield batch


def rows(select, tally, iterator=False):
    if uses_copy(iterator):
        return copy_rows(select, tally)
    return iterate_rows(select, tally)


@contextmanager
def snapshot():
    """One consistent view of the database for a whole export, its settings throughout.

    On PostgreSQL, outside any transaction, the export runs in one REPEATABLE READ, READ
    ONLY transaction (allowed on a hot standby too): every table is read as of the same
    instant, so an id in one file points at a row the other file holds even while
    editors publish. Inside a caller's transaction the caller's isolation applies.

    Yields True when the snapshot is the export's own, so other connections may adopt
    it (parallel.py); False on SQLite or inside a caller's transaction.
    """
    if connection.vendor != "postgresql":
        yield False
        return
    if connection.in_atomic_block:
        with export_settings():
            yield False
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with export_settings(whole_export=True), one_snapshot():
            yield True


@contextmanager
def one_snapshot():
    """Mark this connection as reading the export's own snapshot (snapshot(), or a
    parallel worker that adopted it) until the block ends."""
    previous = getattr(connection, "_exports_one_snapshot", False)
    connection._exports_one_snapshot = True
    try:
        yield
    finally:
        connection._exports_one_snapshot = previous


def reads_one_snapshot():
    """Whether every statement of this export on this connection sees the same instant:
    what one statement finds (selection._kinds) then holds for the next."""
    return getattr(connection, "_exports_one_snapshot", False) and connection.in_atomic_block


# Set for every export query on PostgreSQL (export_settings), put back afterwards.
SETTINGS = {
    # The public-row filter is a large expression (the citation history's has 1,766
    # functions), and `jit_above_cost` judges it worth compiling: a second and a quarter
    # of compiling for a query that then runs in a quarter of a second. Exports are
    # bound by writing rows, not by evaluating the filter, so JIT never pays here.
    "jit": "off",
}

# Added for the whole-export paths only (snapshot() and its parallel workers: the
# command and releases, run by staff and one at a time), not for a web download, where
# many visitors at once could each hold this much server memory per sort.
WHOLE_EXPORT_SETTINGS = {
    # Room to sort a table's rows by their key in memory: at the default 4 MB, sorting
    # the 5,680 policy versions spilled 4.4 MB to disk (16 ms instead of 6), the 39,102
    # citations 4.7 MB. It also keeps the public-id sets of the filter hashed (a set
    # hashed only while it fits; past that PostgreSQL reruns the subquery per row).
    "work_mem": "64MB",
}


@contextmanager
def export_settings(whole_export=False):
    """SETTINGS (and WHOLE_EXPORT_SETTINGS when `whole_export`) while export queries run,
    then back as they were (one round trip each way).

    Nested uses (an export's tables inside `snapshot()`) cost no round trip.
    """
    if connection.vendor != "postgresql" or getattr(connection, "_exports_settings", False):
        yield
        return
    settings = SETTINGS | (WHOLE_EXPORT_SETTINGS if whole_export else {})
    names = list(settings)
    reads = ", ".join("current_setting(%s)" for _ in names)
    writes = ", ".join("set_config(%s, %s, false)" for _ in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reads}, {writes}", [*names, *(v for n in names for v in (n, settings[n]))])
        previous = dict(zip(names, cursor.fetchone()[: len(names)], strict=True))
    connection._exports_settings = True
    try:
        yield
    finally:
        connection._exports_settings = False
        _restore(previous)


def _restore(previous):
    from psycopg.pq import TransactionStatus

    # In a failed transaction the rollback undoes the SET by itself. A connection a
    # broken stream left unusable is not worth a second error: these only tune speed.
    if connection.connection.info.transaction_status == TransactionStatus.INERROR:
        return
    writes = ", ".join("set_config(%s, %s, false)" for _ in previous)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {writes}", [v for item in previous.items() for v in item])
    except DatabaseError:
        pass


def _load_as_text(cursor):
    """Every value as PostgreSQL's own text output, exactly what COPY writes."""
    from psycopg.types.string import TextLoader

    for name in ("int2", "int4", "int8", "numeric", "date", "timestamptz", "timestamp", "bool"):
        cursor.adapters.register_loader(name, TextLoader)
