"""The PostgreSQL fast path of the award-summary import: stage, check and write in SQL.

Same results as the Python path of `usaspending.DownloadImport` (tests compare them row
for row), about thirty times faster on a large file, because nothing is done per row in
Python but reading the CSV:

1. Each part is read once with the csv module (line numbers, damaged records and wrong
   widths are handled exactly as before) and only the columns the import uses, stripped,
   are streamed with `COPY` into a temporary table `import_stage`.
2. One SQL condition (`award_sql.certainly_valid`) vouches for the rows that are plainly
   valid. The others, usually none, are read back and parsed by `rows.parse_values`, the
   Python path's own validation: rejected ones are reported with its column and reason,
   unusual but valid ones are normalised.
3. Duplicate keys (first occurrence wins, across the parts), agencies and recipients are
   resolved set-wise: the few distinct agencies and recipients go through the same
   `AgencyDirectory` and `CompanyDirectory` as the Python path.
4. In one transaction: new contracts and their "+" history rows, changed contracts
   (compared in SQL, `revision` bumped) and their "~" history rows, citations and their
   history, and the keys seen. A rejected row was never staged for writing, so nothing is
   half-written for a row; if the database refuses a statement, the transaction rolls back
   and the rows go through the Python path's batches instead, which isolate the bad row.
5. The row-by-row report is read back in file order through a server-side cursor.

Transaction files, SQLite, and files containing NUL bytes use the Python path.
"""

import operator
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ..models import Citation, Contract, ImportKind
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

    # -- 1. staging --------------------------------------------------------------------------

    def import_file(self, part):
        self.csv_file = part
        return super().import_file(part)

    def read_rows(self, rows):
        if self.kind != ImportKind.AWARDS:
            return super().read_rows(rows)
        if not self.staged:
            sql.drop_temp_tables()
            (self.saved_work_mem,) = sql.fetch(
                "SELECT current_setting('work_mem'), set_config('work_mem', %s, false)", [sql.WORK_MEM]
            )[0][:1]
            sql.execute(
                "CREATE TEMP TABLE import_stage (part int, line int, title text, "
                + ", ".join(f"{name} text" for name in STAGED)
                + ")"
            )
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
        width = self.columns.width
        sql.execute("DROP TABLE IF EXISTS import_raw")
        names = [f"c{i}" for i in range(width)]
        sql.execute(
            "CREATE TEMP TABLE import_raw (n bigint GENERATED ALWAYS AS IDENTITY, "
            + ", ".join(f"{name} text" for name in names)
            + ")"
        )
        binary.seek(0)
        try:
            with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
                raw = cursor.cursor
                options = "FORMAT csv, HEADER true, ENCODING 'UTF8'"
                with raw.copy(f"COPY import_raw ({', '.join(names)}) FROM STDIN ({options})") as copy:
                    while chunk := binary.read(1 << 20):
                        copy.write(chunk)
                count = raw.rowcount
        except DatabaseError:
            return None  # a row PostgreSQL refuses: Python's reader says which and why
        sql.stage_raw(part, self.columns, STAGED, rawcsv.PY_WHITESPACE, rawcsv.PY_LINE_BREAKS)
        if self.options.progress and count:
            self.options.progress(count)
        return count

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
        query = (
            f"SELECT part, line, {', '.join(STAGED)} FROM import_stage "
            f"WHERE NOT ({sql.certainly_valid()}) ORDER BY part, line"
        )
        for part, line, *values in _server_side(query):
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
                    self.write_staged()
            except DatabaseError:
                self.restore_report_state(saved)
                self.replay_in_python()
            else:
                self.report_outcomes()
        finally:
            sql.drop_temp_tables()
            sql.execute("SELECT set_config('work_mem', %s, false)", [self.saved_work_mem])

    def write_staged(self):
        self.pending_rejects = []
        self.pending_unknown = []
        sql.keys_and_plan()
        sql.execute("CREATE TEMP TABLE import_parts (part int, file text, reason text)")
        _copy_into(
            "import_parts",
            ("part", "file", "reason"),
            [(n, name, self.reason.format(file=name)) for n, name in enumerate(self.part_names)],
        )
        sql.record_keys(self.run_record.pk)
        self.resolve_agencies()
        self.resolve_recipients()
        sql.execute(
            "ANALYZE import_plan, import_agencies, import_vendors"
        )  # for the joins of match_contracts
        sql.match_contracts()
        now = timezone.now()
        params = {
            "now": now,
            "seen_on": self.seen_on,
            "status": self.status,
            "published_at": now if self.options.publish else None,
            "user_id": getattr(self.options.user, "pk", None),
            "attribution": self.attribution["public_attribution"],
        }
        sql.compare_existing(params)
        (writes,) = sql.fetch(
            "SELECT (SELECT count(*) FROM import_work WHERE is_new) + "
            "(SELECT count(*) FROM import_changes WHERE changed)"
        )[0]
        if writes:
            self.file_name = self.part_names[0]
            params["source_id"] = self.download_source().pk
            params["content_type_id"] = ContentType.objects.get_for_model(Contract).pk
            sql.insert_contracts(Contract, params)
            sql.update_contracts(Contract, params)
            sql.insert_citations(Citation, params)
        self.scope_codes, self.first_date, self.last_date = sql.scope()
        self.touched_companies.update(sql.touched_vendors())

    def resolve_agencies(self):
        resolved = []
        for code, name, sub_code, sub_name, (part, _) in sql.distinct_agencies():
            self.file_name = self.part_names[part]
            row = SimpleNamespace(
                agency_code=code, agency_name=name, sub_agency_code=sub_code, sub_agency_name=sub_name
            )
            try:
                resolved.append((code, name, sub_code, sub_name, self.agencies.resolve(row), None))
            except DatabaseError as exc:
                message = f"the agency could not be created: {exc}"
                resolved.append((code, name, sub_code, sub_name, None, message))
        sql.execute(
            "CREATE TEMP TABLE import_agencies (agency_code text, agency_name text, sub_agency_code text, "
            "sub_agency_name text, agency_id bigint, error text)"
        )
        _copy_into(
            "import_agencies",
            ("agency_code", "agency_name", "sub_agency_code", "sub_agency_name", "agency_id", "error"),
            resolved,
        )
        self.pending_rejects += [
            (part, line, "awarding_sub_agency_name", message) for part, line, message in sql.agency_failures()
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

    def resolve_recipients(self):
        names = STAGED[6:12]  # recipient and parent: name, UEI, DUNS
        resolved = []
        for *values, count, (part, line) in sql.distinct_recipients():
            recipient = SimpleNamespace(name=values[0], uei=values[1], duns=values[2])
            parent = SimpleNamespace(name=values[3], uei=values[4], duns=values[5])
            vendor_id, via = self.companies.resolve(recipient, parent)
            if vendor_id is None:
                where = f"{self.part_names[part]} line {line}"
                self.pending_unknown.append((values[0], values[1], values[2], where, count))
            resolved.append((*values, vendor_id, via))
        sql.execute(
            "CREATE TEMP TABLE import_vendors ("
            + ", ".join(f"{name} text" for name in names)
            + ", vendor_id bigint, via text)"
        )
        _copy_into("import_vendors", (*names, "vendor_id", "via"), resolved)

    # -- 5. the report ------------------------------------------------------------------------

    def report_outcomes(self):
        for part, line, column, reason in sorted(self.pending_rejects):
            self.file_name = self.part_names[part]
            self.reject(line, column, reason)
        for name, uei, duns, where, count in self.pending_unknown:
            self.report.note_unknown_recipient(name, uei, duns, where, rows=count)
        names = [name for name, _, _ in sql.CHANGES]
        outcomes = {"imported": Outcome.IMPORTED, "updated": Outcome.UPDATED, "unchanged": Outcome.UNCHANGED}
        wanted = [name for name, outcome in outcomes.items() if self.report.wants_rows(outcome)]
        if len(wanted) < len(outcomes):
            for name, rows in sql.outcome_counts():
                if name not in wanted:
                    self.report.add_count(outcomes[name], rows)
        if not wanted:
            return
        for part, line, key, is_new, changed, no_vendor, via, *pairs in _server_side(
            sql.outcomes_sql(wanted)
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

    def replay_in_python(self):
        """The database refused the set-wise write: write the staged rows in Python batches."""
        query = (
            f"SELECT s.part, s.line, r.line IS NOT NULL, {', '.join('s.' + n for n in STAGED)} "
            "FROM import_stage s LEFT JOIN import_rejected r USING (part, line) ORDER BY s.part, s.line"
        )
        batch, strays, current = [], [], None
        progress, self.options.progress = self.options.progress, None
        try:
            for part, line, rejected, *values in _server_side(query):
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
