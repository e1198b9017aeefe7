"""The PostgreSQL fast path of the award-summary import: stage, check and write in SQL.

Same results as the Python path of `usaspending.DownloadImport` (tests compare them row
for row), many times faster on a large file, because nothing is done per row in Python:

1. A plain part (`rawcsv`) is parsed by PostgreSQL's `COPY` into `import_raw` and its
   used columns, stripped, copied to the temporary table `import_stage` with `ok` set
   where `award_sql.certainly_valid` vouches for the row; a large one on disk is staged
   in two halves at once (`_Stager`, a second connection). Any other part is read with
   the csv module (line numbers, damaged records and wrong widths as before) and its used
   columns streamed with `COPY`.
2. The rows `ok` does not cover, usually none, are parsed by `rows.parse_values`, the
   Python path's own validation: rejected ones are reported with their column and
   reason, unusual but valid ones are normalised.
3. `prepare`, one transaction: repeated keys (first occurrence wins, across the parts),
   the keys seen (`ImportRunKeys`), the distinct agencies and recipients (through the
   same `AgencyDirectory` and `CompanyDirectory` as the Python path), the typed rows to
   write with their contract ids (`import_work`), the comparison with existing contracts
   (`import_changes`), the Source. Refused, it rolls back and the Python path does all.
4. `write_rows`: new contracts and their "+" history rows, changed contracts (`revision`
   bumped) and their "~" history rows, citations and their history; in one transaction,
   or in two halves at once over two connections (`parallel_write`), each half one
   transaction. A rejected row was never staged for writing, so nothing is half-written
   for a row; a half the database refuses rolls back and its rows go through the Python
   path's batches, which isolate the bad row.
5. The row-by-row report is read back in file order through a server-side cursor.

Transaction files, SQLite, and files containing NUL bytes use the Python path.
"""

import contextlib
import operator
import os
import queue
import threading
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ..models import Citation, Contract, ImportKind, ImportRunKeys
from . import award_sql as sql
from . import rawcsv
from .parties import AgencyDirectory, CompanyDirectory
from .report import Outcome, RowResult
from .rows import RowRejected, award_title, check_width, parse_values
from .usaspending import DownloadImport, _shown
from .values import parse_date

STAGED = (
    "award_key",
    "piid",
    "agency_code",
    "agency_name",
    "sub_agency_code",
    "sub_agency_name",
    "recipient_name",
    "recipient_uei",
    "recipient_duns",
    "parent_name",
    "parent_uei",
    "parent_duns",
    "description",
    "amount",
    "potential_amount",
    "started_on",
    "ended_on",
    "latest_action_on",
)
_FIXED = ("amount", "potential_amount", "started_on", "ended_on", "latest_action_on")
PROGRESS_EVERY = 5000
NO_VENDOR = "recipient not matched to a company: listed for staff to map"
VIA_PARENT = "vendor matched through the recipient parent"


def can_stage(parts):
    """PostgreSQL, and no NUL byte anywhere (PostgreSQL text cannot hold one)."""
    return connection.vendor == "postgresql" and not any(_has_nul(part) for part in parts)


def _has_nul(part):
    part.binary.seek(0)
    while chunk := part.binary.read(1 << 20):
        if b"\0" in chunk:
            return True
    return False


class StagedAwardsImport(DownloadImport):
    """A `DownloadImport` whose award-summary rows are written set-wise at the end."""

    def __init__(self, parts, options, report):
        super().__init__(parts, options, report)
        self.part_names = []
        self.part_columns = []
        self.staged = False
        self.prepared = False
        self.params = {}

    # -- 1. staging --------------------------------------------------------------------------

    def import_file(self, part):
        self.csv_file = part
        return super().import_file(part)

    def read_rows(self, rows):
        if self.kind != ImportKind.AWARDS:
            return super().read_rows(rows)
        if not self.staged:
            sql.drop_temp_tables()
            self.saved_settings = sql.apply_settings()
            _create_stage()
            self.staged = True
        part = len(self.part_names)
        self.part_names.append(self.file_name)
        self.part_columns.append(self.columns)
        count = self.stage_raw(part)
        if count is not None:
            return count
        with connection.cursor() as cursor, connection.wrap_database_errors:
            columns = ", ".join(("part", "line", "title", *STAGED))
            with cursor.cursor.copy(f"COPY import_stage ({columns}) FROM STDIN") as copy:
                return self.stage(rows, part, copy)

    def stage_raw(self, part):
        """Let PostgreSQL parse a plain file (`rawcsv`); None when Python's reader must."""
        binary = self.csv_file.binary
        position = binary.tell()  # where Python's reader, past the header, will go on from
        try:
            return self._stage_raw(part, binary)
        finally:
            binary.seek(position)

    def _stage_raw(self, part, binary):
        if not rawcsv.shape(binary).plain:
            return None
        split = self.staging_split(binary)
        stager = _Stager(part, self.columns, *split) if split else None
        if stager:
            stager.start()
        try:
            count = _copy_raw(self.columns.width, binary, end=split[1] if split else None)
            if count is not None:
                sql.stage_raw(part, self.columns, STAGED, rawcsv.PY_WHITESPACE, rawcsv.PY_LINE_BREAKS)
            if count is not None and stager:
                received = stager.receive()
                if received is _Stager.FAILED:  # the second connection failed: stage it here
                    received = _copy_raw(self.columns.width, binary, start=split[1], header=False)
                    if received is not None:
                        sql.stage_raw(
                            part, self.columns, STAGED, rawcsv.PY_WHITESPACE, rawcsv.PY_LINE_BREAKS, split[2]
                        )
                if received is None:  # a row refused in the second half
                    sql.execute("DELETE FROM import_stage WHERE part = %s", [part])
                count = None if received is None else count + received
            elif stager:
                stager.cancel()
        except BaseException:
            if stager:
                stager.cancel()
            raise
        if count is None:
            return None  # a row PostgreSQL refuses: Python's reader says which and why
        if self.options.progress and count:
            self.options.progress(count)
        return count

    def staging_split(self, binary):
        """(path, start, lines before it) to stage a large file's second half over a second
        connection, or None. The file must be on disk (the worker opens it: the command's
        files, uploads Django spooled to a temporary file) and plain, so that every line
        break ends a record: the half starts after the line break nearest the middle."""
        path = getattr(binary, "name", None)
        if (
            self.options.jobs < 2
            or not isinstance(path, str)
            or connection.in_atomic_block
            or not os.path.isfile(path)
        ):
            return None
        size = binary.seek(0, os.SEEK_END)
        if size < PARALLEL_BYTES or os.path.getsize(path) != size:
            return None
        binary.seek(size // 2)
        tail = binary.read(1 << 20)
        newline = tail.find(b"\n")
        if newline < 0:
            return None
        start = size // 2 + newline + 1
        binary.seek(0)
        lines, left = 0, start
        while left > 0 and (chunk := binary.read(min(left, 1 << 20))):
            lines += chunk.count(b"\n")
            left -= len(chunk)
        return (path, start, lines) if lines > 1 else None  # the header and a record at least

    def stage(self, rows, part, copy):
        width = self.columns.width
        pick = operator.itemgetter(*(self.columns.index.get(name, width) for name in STAGED))
        piid_at, description_at = STAGED.index("piid"), STAGED.index("description")
        count = 0
        for line, fields, error in rows:
            count += 1
            if error:
                self.reject(line, "", error)
            elif len(fields) != width:
                try:
                    check_width(fields, self.columns)
                except RowRejected as exc:
                    self.reject(line, exc.column, exc.reason)
            else:
                fields.append("")  # the value of an absent optional column
                values = [value.strip() for value in pick(fields)]
                copy.write_row((part, line, award_title(values[piid_at], values[description_at]), *values))
            if self.options.progress and count % PROGRESS_EVERY == 0:
                self.options.progress(PROGRESS_EVERY)
        if self.options.progress and count % PROGRESS_EVERY:
            self.options.progress(count % PROGRESS_EVERY)
        return count

    # -- 2. checking ---------------------------------------------------------------------------

    def check_staged(self):
        """Parse the rows SQL does not vouch for; record the rejected and the normalised."""
        sql.execute(
            "CREATE TEMP TABLE import_rejected (part int, line int); "
            "CREATE TEMP TABLE import_fixed (part int, line int, "
            + ", ".join(f"{name} text" for name in _FIXED)
            + ")"
        )
        rejected, fixed = [], []
        for part, line, *values in _server_side(sql.unchecked_sql(STAGED)):
            get = dict(zip(STAGED, values, strict=True)).get
            try:
                row = parse_values(get, self.part_columns[part], ImportKind.AWARDS, line)
            except RowRejected as exc:
                self.file_name = self.part_names[part]
                self.reject(line, exc.column, exc.reason)
                rejected.append((part, line))
            else:
                latest = parse_date(get("latest_action_on"))
                typed = (row.amount, row.potential_amount, row.started_on, row.ended_on, latest)
                fixed.append((part, line, *("" if v is None else str(v) for v in typed)))
        _copy_into("import_rejected", ("part", "line"), rejected)
        self.rejected_rows = len(rejected)
        _copy_into("import_fixed", ("part", "line", *_FIXED), fixed)

    # -- 3 and 4. resolving and writing -------------------------------------------------------

    def write_pending(self):
        if not self.staged:
            return
        try:
            self.check_staged()
            saved = self.report_state()
            try:
                with transaction.atomic():
                    params = self.prepare()
            except DatabaseError:
                self.restore_report_state(saved)
                self.replay_in_python()
                return
            self.params = params
            self.write_rows(params)
        finally:
            sql.drop_temp_tables()
            sql.restore_settings(self.saved_settings)

    def prepare(self):
        """Everything but the contracts and citations, in one transaction: the keys seen,
        repeated keys, agencies (created if new), recipients, the rows to write and the
        download's Source. A refusal here rolls it all back and the Python path does it all."""
        self.pending_rejects = []
        self.pending_unknown = []
        self.kept = sql.kept(self.rejected_rows, sql.find_duplicates())
        # Statistics, or the planner takes the many-column joins with the agencies and
        # recipients for one row each and nests loops (a 100,000 x 500 loop: 9 s).
        sql.execute("ANALYZE import_stage, import_rejected, import_fixed, import_dups")
        sql.record_keys(ImportRunKeys, self.run_record.pk)
        self.resolve_parties()
        sql.execute("ANALYZE import_agencies, import_vendors")
        sql.match_contracts(Contract, self.kept)
        now = timezone.now()
        one_part = len(self.part_names) == 1
        params = {
            "now": now,
            "seen_on": self.seen_on,
            "status": self.status,
            "published_at": now if self.options.publish else None,
            "user_id": getattr(self.options.user, "pk", None),
            "attribution": self.attribution["public_attribution"],
            "one_part": one_part,
            "file": self.part_names[0],
            "reason": self.reason.format(file=self.part_names[0]),
        }
        sql.execute("CREATE TEMP TABLE import_parts (part int, file text, reason text)")
        _copy_into("import_parts", ("part", "file", "reason"), self.parts_rows())
        sql.compare_existing(params)
        new, changed = sql.write_counts()
        params["writes"] = new + changed
        if params["writes"]:
            self.file_name = self.part_names[0]
            params["source_id"] = self.download_source().pk
            params["content_type_id"] = ContentType.objects.get_for_model(Contract).pk
        return params

    def parts_rows(self):
        return [(n, name, self.reason.format(file=name)) for n, name in enumerate(self.part_names)]

    def write_rows(self, params):
        """Write the contracts and citations: in one transaction, or, for a large download
        outside any transaction, its two halves at once over two connections (each half
        one transaction). A half the database refuses is written by the Python batches,
        which isolate the bad row."""
        halves, failed = [None], []
        if params["writes"]:
            halves = self.halves(params)
            if halves == [None]:
                failed = [] if _write_half(params, None) else [None]
            else:
                failed = parallel_write(params, self.parts_rows())
        if failed:
            self.replay_in_python(failed, params)
        self.report_outcomes([None] if not failed else [h for h in halves if h not in failed])
        self.touched_companies.update(sql.touched_vendors(self.options.publish))

    def halves(self, params):
        """[None] (one transaction) or [0, 1] (two connections): see `PARALLEL_ROWS`."""
        if (
            self.options.jobs < 2
            or params["writes"] < PARALLEL_ROWS
            or connection.in_atomic_block  # a caller's transaction: only this connection sees it
        ):
            return [None]
        params["split_part"], params["split_line"] = sql.split_point()
        return [0, 1]

    def resolve_parties(self):
        """Resolve the distinct agencies, then the recipients of the rows whose agency could
        be resolved, in order of first appearance as the Python path meets them (one pass
        over the rows: each distinct agency and recipient pair, counted)."""
        pairs = sql.distinct_parties(self.kept)
        agencies = {}
        for *agency, _recipient, _count, first, early, late in pairs:
            seen = agencies.get(tuple(agency))
            if seen is None:
                agencies[tuple(agency)] = [first, early, late]
            else:
                seen[0] = min(seen[0], first)
                seen[1] = min(filter(None, (seen[1], early)), default=None)
                seen[2] = max(filter(None, (seen[2], late)), default=None)
        resolved, failed = {}, []
        for agency, (first, early, late) in sorted(agencies.items(), key=lambda item: item[1][0]):
            code, name, sub_code, sub_name = agency
            self.note_scope_of(code, name, sub_code, sub_name, early, late)
            self.file_name = self.part_names[first >> 32]
            row = SimpleNamespace(
                agency_code=code, agency_name=name, sub_agency_code=sub_code, sub_agency_name=sub_name
            )
            try:
                resolved[agency] = self.agencies.resolve(row)
            except DatabaseError as exc:
                failed.append((*agency, f"the agency could not be created: {exc}"))
        sql.execute(
            "CREATE TEMP TABLE import_agencies (agency_code text, agency_name text, sub_agency_code text, "
            "sub_agency_name text, agency_id bigint, error text)"
        )
        _copy_into(
            "import_agencies",
            ("agency_code", "agency_name", "sub_agency_code", "sub_agency_name", "agency_id", "error"),
            [(*agency, agency_id, None) for agency, agency_id in resolved.items()]
            + [(*agency, None, message) for *agency, message in failed],
        )
        if failed:
            self.pending_rejects += [
                (part, line, "awarding_sub_agency_name", message)
                for part, line, message in sql.agency_failures(self.kept)
            ]
        self.pending_rejects += [
            (
                part,
                line,
                "contract_award_unique_key",
                f"duplicate key {key}: already at {self.part_names[first_part]} line {first_line}",
            )
            for part, line, key, first_part, first_line in sql.duplicates()
        ]
        recipients = {}
        for *agency, recipient, count, first, _, _ in pairs:
            if tuple(agency) in resolved:
                seen = recipients.get(recipient)
                recipients[recipient] = (
                    [first, count] if seen is None else [min(seen[0], first), seen[1] + count]
                )
        self.resolve_recipients(sorted(recipients.items(), key=lambda item: item[1][0]))

    def note_scope_of(self, code, name, sub_code, sub_name, first, last):
        """The download's scope, from each distinct agency of the rows to write (as the Python
        path's `note_scope` does row by row)."""
        self.scope_codes.add(sub_code or code or sub_name or name)
        if first:
            self.first_date = min(self.first_date or first, first)
            self.last_date = max(self.last_date or last, last)

    def resolve_recipients(self, recipients):
        """`recipients`: ((name, UEI, DUNS, parent name, UEI, DUNS), (first, rows)) in order."""
        names = STAGED[6:12]  # recipient and parent: name, UEI, DUNS
        resolved = []
        for values, (first, count) in recipients:
            recipient = SimpleNamespace(name=values[0], uei=values[1], duns=values[2])
            parent = SimpleNamespace(name=values[3], uei=values[4], duns=values[5])
            vendor_id, via = self.companies.resolve(recipient, parent)
            if vendor_id is None:
                where = f"{self.part_names[first >> 32]} line {first & 0xFFFFFFFF}"
                self.pending_unknown.append((values[0], values[1], values[2], where, count))
            resolved.append((*values, vendor_id, via))
        sql.execute(
            "CREATE TEMP TABLE import_vendors ("
            + ", ".join(f"{name} text" for name in names)
            + ", vendor_id bigint, via text)"
        )
        _copy_into("import_vendors", (*names, "vendor_id", "via"), resolved)

    # -- 5. the report ------------------------------------------------------------------------

    def report_outcomes(self, halves):
        """Report the rows of `halves` (written set-wise) and what `prepare` found."""
        for part, line, column, reason in sorted(self.pending_rejects):
            self.file_name = self.part_names[part]
            self.reject(line, column, reason)
        for name, uei, duns, where, count in self.pending_unknown:
            self.report.note_unknown_recipient(name, uei, duns, where, rows=count)
        names = [name for name, _, _ in sql.CHANGES]
        outcomes = {"imported": Outcome.IMPORTED, "updated": Outcome.UPDATED, "unchanged": Outcome.UNCHANGED}
        wanted = [name for name, outcome in outcomes.items() if self.report.wants_rows(outcome)]
        for half in halves:
            if len(wanted) < len(outcomes):
                for name, rows in sql.outcome_counts(half, _split_params(self.params)):
                    if name not in wanted:
                        self.report.add_count(outcomes[name], rows)
            if not wanted:
                continue
            for part, line, key, is_new, changed, no_vendor, via, *pairs in _server_side(
                sql.outcomes_sql(wanted, half), _split_params(self.params) if half is not None else None
            ):
                changes = ()
                if is_new:
                    outcome = Outcome.IMPORTED
                elif changed:
                    outcome = Outcome.UPDATED
                    changes = tuple(
                        (name, _shown(old), _shown(new))
                        for name, old, new in zip(names, pairs[::2], pairs[1::2], strict=True)
                        if old != new
                    )
                else:
                    outcome = Outcome.UNCHANGED
                note = NO_VENDOR if no_vendor else (VIA_PARENT if via == "recipient parent" else "")
                self.report.add(
                    RowResult(self.part_names[part], line, outcome, key, reason=note, changes=changes)
                )

    def report_state(self):
        report = self.report
        return (
            list(report.created_agencies),
            {key: SimpleNamespace(**vars(entry)) for key, entry in report.unknown_recipients.items()},
            self.source,
        )

    def restore_report_state(self, saved):
        created, _, source = saved
        self.report.created_agencies[:] = created
        self.source = source
        self.agencies = AgencyDirectory(self.create_agency)
        self.companies = CompanyDirectory()
        self.scope_codes, self.first_date, self.last_date = set(), None, None
        self.touched_companies = set()

    # -- the safety net -----------------------------------------------------------------------

    def replay_in_python(self, halves=None, params=None):
        """The database refused a set-wise statement: write the rows in Python batches.

        Without `halves`, `prepare` was refused and rolled back: every staged row goes
        through the Python path from the start (keys, repeated keys, agencies). With
        `halves`, only writing them was refused: `prepare` stands (keys recorded, repeated
        keys and unknown recipients found, agencies and Source created), so only the rows
        to write of those halves are replayed, as they are.
        """
        if halves is None:
            query = (
                f"SELECT s.part, s.line, r.line IS NOT NULL, {', '.join('s.' + n for n in STAGED)} "
                "FROM import_stage s LEFT JOIN import_rejected r USING (part, line) ORDER BY s.part, s.line"
            )
            query_params = None
        else:
            self.prepared = True
            condition = " OR ".join(sql.half_condition(half) for half in halves)
            query = (
                f"SELECT s.part, s.line, false, {', '.join('s.' + n for n in STAGED)} "
                f"FROM import_work w JOIN import_stage s USING (part, line) WHERE {condition} "
                "ORDER BY s.part, s.line"
            )
            query_params = _split_params(params)
        batch, strays, current = [], [], None
        progress, self.options.progress = self.options.progress, None
        try:
            for part, line, rejected, *values in _server_side(query, query_params):
                if part != current:
                    self.flush(batch, strays)
                    batch, strays, current = [], [], part
                    self.file_name, self.columns = self.part_names[part], self.part_columns[part]
                key = values[0]
                if not rejected:
                    get = dict(zip(STAGED, values, strict=True)).get
                    batch.append(parse_values(get, self.columns, ImportKind.AWARDS, line))
                elif key and len(key) <= 300:
                    strays.append((key, line))
                if len(batch) + len(strays) >= self.options.batch_size:
                    self.flush(batch, strays)
                    batch, strays = [], []
            self.flush(batch, strays)
        finally:
            self.options.progress = progress
            self.prepared = False

    def drop_duplicates(self, rows, stray_keys):
        """Replaying prepared rows: their keys are recorded and repeated ones were left out."""
        return rows if self.prepared else super().drop_duplicates(rows, stray_keys)

    def note_unknown(self, row):
        """Replaying prepared rows: their unknown recipients were counted set-wise."""
        if not self.prepared:
            super().note_unknown(row)


# Below this many rows to write, one connection. Measured with both halves on two
# connections (staging and writing) against one, medians of 3 (bench/imports.py files):
# 10,000 rows 0.75 s against 0.82 s, 20,000 rows 1.21 s against 1.60 s.
PARALLEL_ROWS = 10_000


def _split_params(params):
    return {"split_part": params.get("split_part"), "split_line": params.get("split_line")}


def _write_half(params, half):
    """Write one half (or all, `half` None) in one transaction; False if the database refused it."""
    try:
        with transaction.atomic():
            sql.insert_contracts(Contract, params, half)
            sql.update_contracts(Contract, params, half)
            sql.insert_citations(Citation, params, half)
    except DatabaseError:
        return False
    return True


def parallel_write(params, parts_rows):
    """Write the first half of the rows here and the second over a second connection at once.

    The second connection is a thread's own: it receives its half of `import_work` and
    `import_changes` (a binary COPY out of this session's temporary tables streamed into
    its own) and writes them in its own transaction, with the same statements. Each half
    is one transaction, so each row is whole; the halves share no row and take no lock
    the other waits for (distinct keys and ids; foreign-key checks take shared locks).
    Returns the halves the database refused. If the second connection fails before
    writing (it cannot connect, say), its half is written here after the first. An
    interruption cancels the worker's query and waits for it.
    """
    worker = _Worker(dict(params), parts_rows)
    worker.start()
    failed = []
    try:
        worker.send()
        if not _write_half(params, 0):
            failed.append(0)
        written = worker.join()
        if written is None:
            written = _write_half(params, 1)
        if not written:
            failed.append(1)
    except BaseException:
        worker.cancel()
        raise
    return failed


class _Connection:
    """A thread of the import with a database connection of its own (Django gives each thread
    its connection): started, and cancelled (its query too) when the import is interrupted."""

    def __init__(self, name):
        self.stop = threading.Event()
        self.error = None
        self.pgconn = None
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)

    def start(self):
        self.thread.start()

    def cancel(self):
        """Stop the thread (the importing thread was interrupted) and wait for it."""
        self.stop.set()
        pgconn = self.pgconn
        if pgconn is not None:
            with contextlib.suppress(Exception):
                pgconn.cancel_safe()
        self.thread.join(timeout=30)


class _Worker(_Connection):
    """The second connection of `parallel_write` (a thread: Django gives each its own)."""

    CHUNK = 1 << 20  # rows are sent in blocks of about this many bytes (flat memory)

    def __init__(self, params, parts_rows):
        self.params = params
        self.parts_rows = parts_rows
        self.inbox = queue.Queue(maxsize=4)
        self.written = None  # True, or False if the database refused the half
        super().__init__("import-half")
        self.tables = {name: _columns_of(name) for name in ("import_work", "import_changes")}

    def send(self):
        """Stream the second half of import_work and import_changes to the worker."""
        split = f"(part, line) >= ({int(self.params['split_part'])}, {int(self.params['split_line'])})"
        for table in self.tables:
            with connection.cursor() as cursor, connection.wrap_database_errors:
                buffer = bytearray()
                with cursor.cursor.copy(
                    f"COPY (SELECT * FROM {table} WHERE {split}) TO STDOUT (FORMAT binary)"
                ) as copy:
                    for block in copy:
                        buffer += block
                        if len(buffer) >= self.CHUNK:
                            self._put((table, bytes(buffer)))
                            buffer.clear()
                if buffer:
                    self._put((table, bytes(buffer)))
        self._put(None)

    def _put(self, item):
        while self.thread.is_alive():  # else the worker failed, and join() says so
            try:
                self.inbox.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def run(self):
        try:
            connection.ensure_connection()
            self.pgconn = connection.connection
            saved = sql.apply_settings()
            for table, columns in self.tables.items():
                sql.execute(f"CREATE TEMP TABLE {table} ({columns})")
            sql.execute("CREATE TEMP TABLE import_parts (part int, file text, reason text)")
            _copy_into("import_parts", ("part", "file", "reason"), self.parts_rows)
            self.receive()
            if self.stop.is_set():
                raise _Stopped
            self.written = _write_half(self.params, None)
            sql.drop_temp_tables()
            sql.restore_settings(saved)
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            self.error = exc
        finally:
            connection.close()  # this thread's own connection

    def receive(self):
        """Copy what `send` streams into this connection's twins of the tables."""
        item = self._get()
        while item is not None:
            table = item[0]
            with connection.wrap_database_errors, connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    while item is not None and item[0] == table:
                        copy.write(item[1])
                        item = self._get()

    def _get(self):
        while True:
            try:
                return self.inbox.get(timeout=0.2)
            except queue.Empty:
                if self.stop.is_set():
                    raise _Stopped from None

    def join(self):
        """Wait for the worker: True if its half was written, False if the database refused
        it, None if the worker failed before writing."""
        self.thread.join()
        if self.error is not None and not isinstance(self.error, DatabaseError):
            raise self.error
        return self.written


class _Stopped(Exception):
    """The worker was told to stop before it had written anything."""


def _columns_of(table):
    """The column definitions of a temporary table of this session, to create its twin."""
    ((columns,),) = sql.fetch(
        """SELECT string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ', '
            ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped""",
        [table],
    )
    return columns


def _create_stage():
    sql.execute(
        "CREATE TEMP TABLE import_stage (part int, line int, title text, ok boolean, "
        + ", ".join(f"{name} text" for name in STAGED)
        + ")"
    )


def _copy_raw(width, binary, *, start=0, end=None, header=True):
    """COPY the bytes of `binary` from `start` to `end` (a whole number of lines) into a new
    `import_raw`, numbered from 1; the number of records, or None if PostgreSQL refused one."""
    sql.execute("DROP TABLE IF EXISTS import_raw")
    names = [f"c{i}" for i in range(width)]
    sql.execute(
        "CREATE TEMP TABLE import_raw (n bigint GENERATED ALWAYS AS IDENTITY, "
        + ", ".join(f"{name} text" for name in names)
        + ")"
    )
    binary.seek(start)
    left = (end - start) if end is not None else None
    try:
        with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
            raw = cursor.cursor
            options = f"FORMAT csv, HEADER {'true' if header else 'false'}, ENCODING 'UTF8'"
            with raw.copy(f"COPY import_raw ({', '.join(names)}) FROM STDIN ({options})") as copy:
                while chunk := binary.read(1 << 20 if left is None else min(left, 1 << 20)):
                    copy.write(chunk)
                    if left is not None:
                        left -= len(chunk)
                        if not left:
                            break
            return raw.rowcount
    except DatabaseError:
        return None


# A plain file at least this large has its second half staged over a second connection
# (about 10,000 rows of the 286-column layout; see PARALLEL_ROWS).
PARALLEL_BYTES = 6 << 20


class _Stager(_Connection):
    """Stages the second half of a plain file over a second connection, in a thread of its
    own (Django gives each thread its connection): COPY of the bytes from `start`, then
    `award_sql.stage_raw` with the lines numbered on from `lines`; then streams its
    `import_stage` rows to the importing session (`receive`), by binary COPY."""

    CHUNK = 1 << 20
    FAILED = "failed"

    def __init__(self, part, columns, path, start, lines):
        self.part, self.columns = part, columns
        self.path, self.offset, self.lines = path, start, lines
        self.outbox = queue.Queue(maxsize=4)
        super().__init__("import-stage")

    def run(self):
        try:
            connection.ensure_connection()
            self.pgconn = connection.connection
            sql.apply_settings()
            _create_stage()
            with open(self.path, "rb") as binary:
                count = _copy_raw(self.columns.width, binary, start=self.offset, header=False)
            if count is None:
                self._put(("refused", None))
                return
            sql.stage_raw(
                self.part,
                self.columns,
                STAGED,
                rawcsv.PY_WHITESPACE,
                rawcsv.PY_LINE_BREAKS,
                line_offset=self.lines,
            )
            self._put(("count", count))
            with connection.wrap_database_errors, connection.connection.cursor() as cursor:
                buffer = bytearray()
                with cursor.copy("COPY import_stage TO STDOUT (FORMAT binary)") as copy:
                    for block in copy:
                        buffer += block
                        if len(buffer) >= self.CHUNK:
                            self._put(("rows", bytes(buffer)))
                            buffer.clear()
                if buffer:
                    self._put(("rows", bytes(buffer)))
            self._put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            self.error = exc
            self._put(("failed", None))
        finally:
            connection.close()  # this thread's own connection (and its temporary tables)

    def _put(self, item):
        while not self.stop.is_set():
            try:
                self.outbox.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def receive(self):
        """Append the second half's staged rows to this session's `import_stage`: their
        number, None if PostgreSQL refused a row of that half, or FAILED if the second
        connection failed otherwise (it could not connect, say): nothing was appended."""
        kind, count = self.outbox.get()
        if kind == "count":
            with connection.cursor() as cursor, connection.wrap_database_errors:
                with cursor.cursor.copy("COPY import_stage FROM STDIN (FORMAT binary)") as copy:
                    while (item := self.outbox.get())[0] == "rows":
                        copy.write(item[1])
                    if item[0] != "done":
                        raise self.error or DatabaseError("the second connection failed while staging")
            kind = "done"
        self.thread.join()
        if kind == "refused":
            return None
        if kind == "failed":
            if not isinstance(self.error, DatabaseError):
                raise self.error
            return self.FAILED
        return count


def _copy_into(table, columns, rows):
    if not rows:
        return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _server_side(query, params=None, size=2000):
    """Rows of `query`, fetched `size` at a time (a WITH HOLD cursor survives commits)."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor(name="import_rows", withhold=True)
        try:
            cursor.itersize = size
            cursor.execute(query, params)
            yield from cursor
        finally:
            cursor.close()
