"""Import USAspending contract downloads: award summaries and transactions.

    report = import_files([CsvFile.open(path)], ImportOptions(reason="..."))

Each download (all the parts of a split file) is one `ImportRun`. For every file:

1. `CsvFile.check()` refuses an empty or non-UTF-8 file before anything is written; the
   header must name every required column (`columns.REQUIRED`).
2. Rows are parsed and validated in Python (`rows.parse_row`); a bad row is rejected with
   its line, column and reason, and never reaches the database. Keys are checked for
   duplicates within the download (`ImportRunRecord`).
3. Valid rows are written in batches: contracts upserted by `award_key`, compared field by
   field first, so an unchanged row writes nothing at all (no history); changed ones are
   saved with the reason "Imported from <file name>", and transactions become
   `Observation(metric="obligation")` keyed by the transaction key. A batch is one
   transaction written with `bulk_create_with_history` / `bulk_update_with_history`; if the
   database refuses it, its rows are retried one by one, each in its own transaction, so a
   row is either fully written or rejected. `--all-or-nothing` wraps the whole download in
   one transaction and rolls it back when any row is rejected.
4. After a complete award-summary download, awards an earlier download of the *same scope*
   (same agencies, same period) had and this one lacks are flagged vanished
   (`Contract.source_status`), keeping the date they were last seen.
"""

import contextlib
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.db.models.expressions import RawSQL
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import (
    Citation,
    Contract,
    EditorialStatus,
    ImportKind,
    ImportRun,
    ImportRunRecord,
    ImportRunStatus,
    Metric,
    Observation,
    Source,
    SourceKind,
    SourceStatus,
)
from ..models.imports import seen_keys_sql
from .columns import Columns, MissingColumn, detect_kind
from .csvfile import CsvFile, FileRejected
from .parties import AgencyDirectory, CompanyDirectory
from .pgcopy import copy_create_with_history, copy_rows, copy_rows_with_history
from .report import ImportReport, Outcome, RowResult
from .rows import RowRejected, parse_row

# PostgreSQL advisory lock key: one USAspending import at a time. Two imports of the same
# download at once would each see the other's contracts as new, and the second would report
# rows "refused by the database" (unique award keys) instead of unchanged.
IMPORT_LOCK = 0x7472_6163_6B49  # "trackI"
SPLIT_SIZE = 1_000_000  # USAspending splits downloads into files of this many rows
PUBLISHER = "USAspending.gov"
DOWNLOAD_URL = "https://www.usaspending.gov/download_center/custom_award_data"
AUTOMATED = "Tracker (automated)"
EDITORIAL = "Editorial team"

# Fields the import keeps in step with the source on every run. Title, agency, route and
# intermediary are set only when a contract is created (staff may correct them), and the
# vendor only while it is empty.
CONTRACT_FIELDS = ("description", "award_id", "amount", "potential_amount", "started_on", "ended_on")
OBSERVATION_FIELDS = ("value", "observed_on", "note")


@dataclass
class ImportOptions:
    dry_run: bool = False
    reason: str = ""
    publish: bool = False
    user: object = None
    all_or_nothing: bool = False
    period: tuple | None = None  # (start, end) of the download's filter, if staff know it
    seen_on: datetime.date | None = None  # the download date; default: from the file name
    batch_size: int = 1000
    jobs: int = 2  # connections writing at once (PostgreSQL award summaries, see staged.py)
    progress: object = None  # called with the number of rows just processed
    on_wait: object = None  # called once if another import holds the lock and this one waits


def import_files(files, options, report=None):
    """Import `CsvFile`s, grouping the parts of each download. Returns the ImportReport."""
    report = report or ImportReport(dry_run=options.dry_run)
    groups = {}
    for csv_file in files:
        groups.setdefault(csv_file.download_name, []).append(csv_file)
    with one_import_at_a_time(options.on_wait):
        for parts in groups.values():
            parts.sort(key=lambda f: f.name)
            _import_download(parts, options, report)
    return report


@contextlib.contextmanager
def one_import_at_a_time(on_wait=None):
    """On PostgreSQL, wait for any other import (another process, another worker) to finish.

    A session-level advisory lock, since an import spans many transactions; PostgreSQL
    releases it if the process dies.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [IMPORT_LOCK])
        if not cursor.fetchone()[0]:
            if on_wait:
                on_wait()
            cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK])
        except (DatabaseError, TransactionManagementError):
            # A broken outer transaction: closing the session releases the lock.
            if not connection.in_atomic_block:
                connection.close()


def _import_download(parts, options, report):
    rejected_before = report.counts[Outcome.REJECTED]
    errors_before = len(report.file_errors)
    all_or_nothing = options.all_or_nothing and not options.dry_run
    job = _job_class(parts)(parts, options, report)
    try:
        _run_job(job, options, report, all_or_nothing, rejected_before, errors_before)
    finally:
        if not options.dry_run:
            # Its contracts are written in bulk or with raw SQL, which send no signal: the
            # public counts are recounted once it ends, however it ends (an import stopped
            # by Ctrl-C or an error has committed batches too; policies.counts).
            from .. import counts

            counts.changed()


def _run_job(job, options, report, all_or_nothing, rejected_before, errors_before):
    with transaction.atomic() if (all_or_nothing or options.dry_run) else contextlib.nullcontext():
        try:
            job.run()
        except BaseException:  # Ctrl-C, a killed connection: say so rather than "running" for ever
            if not (all_or_nothing or options.dry_run):
                _log_interrupted(job)
            raise
        failed = report.counts[Outcome.REJECTED] > rejected_before or len(report.file_errors) > errors_before
        if options.dry_run or (all_or_nothing and failed):
            transaction.set_rollback(True)
            report.rolled_back = report.rolled_back or (all_or_nothing and failed)
    if all_or_nothing and failed and job.run_record is not None:
        job.log_rolled_back()


def _log_interrupted(job):
    """Mark the run interrupted: its committed batches stay, and no vanished check was made."""
    run = job.run_record
    if run is None or run.pk is None:
        return
    try:
        ImportRun.objects.filter(pk=run.pk, status=ImportRunStatus.RUNNING).update(
            status=ImportRunStatus.INTERRUPTED, finished_at=timezone.now(), summary=job.report.as_dict()
        )
    except DatabaseError:
        pass  # the database itself is what failed: the run stays "running", nothing else to do


def _job_class(parts):
    """Award summaries on PostgreSQL are checked and written set-wise (`staged.py`)."""
    from .staged import StagedAwardsImport, can_stage

    return StagedAwardsImport if can_stage(parts) else DownloadImport


@dataclass
class Plan:
    """What one valid row will write."""

    row: object
    contract: Contract
    contract_action: Outcome  # IMPORTED (create), UPDATED, UNCHANGED; None when done earlier in the run
    contract_changes: list = field(default_factory=list)
    observation: Observation | None = None
    observation_action: Outcome | None = None
    observation_changes: list = field(default_factory=list)
    skip_reason: str = ""
    note: str = ""

    def changes_of(self, model):
        return self.contract_changes if model is Contract else self.observation_changes


class DownloadImport:
    """One download (one or more parts) imported into one ImportRun."""

    def __init__(self, parts, options, report):
        self.parts = parts
        self.options = options
        self.report = report
        self.kind = None
        self.run_record = None
        self.source = None
        self.file_name = ""
        self.columns = None
        self.complete = True
        self.last_part_rows = 0
        self.scope_codes = set()
        self.first_date = self.last_date = None
        self.handled_awards = {}  # transactions: award key → Contract already upserted this run
        self.seen_on = options.seen_on or _date_from_names(parts) or timezone.localdate()
        self.reason = f"Imported from {{file}}{f': {options.reason}' if options.reason else ''}"
        self.attribution = {"public_attribution": EDITORIAL if options.user else AUTOMATED}
        self.status = EditorialStatus.PUBLISHED if options.publish else EditorialStatus.DRAFT
        self.agencies = None
        self.companies = None
        self.touched_companies = set()

    # -- the run ------------------------------------------------------------------------

    def run(self):
        for part in self.parts:
            self.file_name = part.name
            try:
                self.import_file(part)
            except FileRejected as exc:
                self.complete = False
                self.report.reject_file(part.name, str(exc))
        if self.run_record is not None:
            self.write_pending()
            self.finish()

    def write_pending(self):
        """Write what the parts left for the end (nothing here: rows are written in batches)."""

    def import_file(self, part):
        if self.seen_on > timezone.localdate() + datetime.timedelta(days=1):
            # Every later real download would count as older: vanished records would
            # never be checked again for this scope, and last-seen dates would be wrong.
            raise FileRejected(
                f"the download date {self.seen_on} (from --seen-on or the file name) is in the future"
            )
        part.check()
        rows = part.rows()
        _, header, error = next(rows, (0, None, None))
        if error or not header:
            raise FileRejected(f"the header cannot be read ({error or 'no header'})")
        kind = detect_kind(header)
        if self.kind and kind != self.kind:
            raise FileRejected(f"this part is a {kind} file but the download's first part was {self.kind}")
        try:
            self.columns = Columns(header, kind)
        except MissingColumn as exc:
            raise FileRejected(str(exc)) from None
        if self.kind is None:
            self.start(kind)
        count = self.read_rows(rows)
        if count == 0:
            raise FileRejected("the file has a header but no rows")
        self.last_part_rows = count

    def start(self, kind):
        self.kind = kind
        self.agencies = AgencyDirectory(self.create_agency)
        self.companies = CompanyDirectory()
        self.run_record = ImportRun.objects.create(
            kind=kind,
            download_name=self.parts[0].download_name[:300],
            files="\n".join(p.name for p in self.parts),
            seen_on=self.seen_on,
            user=self.options.user,
            reason=self.options.reason,
        )

    def read_rows(self, rows):
        count = 0
        batch, stray_keys = [], []
        for line, fields, error in rows:
            count += 1
            if error:
                self.reject(line, "", error)
            else:
                try:
                    batch.append(parse_row(fields, self.columns, self.kind, line))
                except RowRejected as exc:
                    self.reject(line, exc.column, exc.reason)
                    key = self.readable_key(fields)
                    if key and "\x00" not in key:  # a NUL key can't be stored, nor match
                        stray_keys.append((key, line))
            if len(batch) + len(stray_keys) >= self.options.batch_size:
                self.flush(batch, stray_keys)
                batch, stray_keys = [], []
        self.flush(batch, stray_keys)
        return count

    def readable_key(self, fields):
        if len(fields) != self.columns.width:
            return ""
        get = self.columns.getter(fields)
        key = get("transaction_key" if self.kind == ImportKind.TRANSACTIONS else "award_key")
        return key if len(key) <= 300 else ""

    def key_of(self, row):
        return row.transaction_key if self.kind == ImportKind.TRANSACTIONS else row.award_key

    def finish(self):
        run = self.run_record
        run.agency_codes = ",".join(sorted(self.scope_codes))[:500]
        if self.options.period:
            run.period_start, run.period_end = self.options.period
            run.period_given = True
        elif self.first_date:
            run.period_start, run.period_end = (
                _fiscal_year_start(self.first_date),
                _fiscal_year_end(self.last_date),
            )
        run.status = ImportRunStatus.COMPLETE if self.complete else ImportRunStatus.REJECTED
        if self.complete and self.kind == ImportKind.AWARDS:
            self.flag_vanished()
        run.finished_at = timezone.now()
        run.summary = self.report.as_dict()
        run.save()
        if not self.options.dry_run:
            _schedule_gap_detection(self.touched_companies)

    def log_rolled_back(self):
        """The rolled-back run is gone with everything else; keep a trace of the attempt."""
        run = self.run_record
        ImportRun.objects.create(
            kind=run.kind,
            download_name=run.download_name,
            files=run.files,
            seen_on=run.seen_on,
            user=run.user,
            reason=run.reason,
            status=ImportRunStatus.ROLLED_BACK,
            summary=self.report.as_dict(),
            finished_at=timezone.now(),
        )

    # -- batches --------------------------------------------------------------------------

    def flush(self, rows, stray_keys):
        if not rows and not stray_keys:
            return
        rows = self.drop_duplicates(rows, stray_keys)
        self.existing_contracts = {
            c.award_key: c
            for c in Contract.objects.filter(
                award_key__in={r.award_key for r in rows if r.award_key not in self.handled_awards}
            )
        }
        self.existing_observations = {
            o.transaction_key: o
            for o in Observation.objects.filter(
                transaction_key__in=[r.transaction_key for r in rows if r.transaction_key]
            )
        }
        plans = [plan for plan in (self.plan(row) for row in rows) if plan]
        self.write(plans)
        if self.options.progress:
            self.options.progress(len(rows) + len(stray_keys))

    def drop_duplicates(self, rows, stray_keys):
        """Record every key seen; reject a row whose key was already seen in this download."""
        entries = sorted(
            [(row.line, self.key_of(row), row) for row in rows]
            + [(line, key, None) for key, line in stray_keys],
            key=lambda entry: entry[0],
        )
        seen = {
            key: f"{file_name} line {line}"
            for key, file_name, line in ImportRunRecord.objects.filter(
                run=self.run_record, key__in=[key for _, key, _ in entries]
            ).values_list("key", "file_name", "line")
        }
        kept, records = [], []
        for line, key, row in entries:
            if key in seen:
                if row is not None:
                    column = (
                        "contract_transaction_unique_key"
                        if self.kind == ImportKind.TRANSACTIONS
                        else ("contract_award_unique_key")
                    )
                    self.reject(line, column, f"duplicate key {key}: already at {seen[key]}")
                continue
            seen[key] = f"{self.file_name} line {line}"
            records.append((self.run_record.pk, key, self.file_name[:300], line))
            if row is not None:
                kept.append(row)
        if connection.vendor == "postgresql":
            copy_rows(ImportRunRecord, ["run", "key", "file_name", "line"], records)
        else:
            ImportRunRecord.objects.bulk_create(
                ImportRunRecord(run_id=run, key=key, file_name=name, line=line)
                for run, key, name, line in records
            )
        return kept

    def plan(self, row):
        self.note_scope(row)
        try:
            agency_id = self.agencies.resolve(row)
        except DatabaseError as exc:
            self.reject(row.line, "awarding_sub_agency_name", f"the agency could not be created: {exc}")
            return None
        vendor_id, via = self.companies.resolve(row.recipient, row.parent)
        if vendor_id is None:
            self.note_unknown(row)
        plan = self.plan_contract(row, agency_id, vendor_id)
        if vendor_id is None:
            plan.note = "recipient not matched to a company: listed for staff to map"
        elif via == "recipient parent":
            plan.note = "vendor matched through the recipient parent"
        if self.kind == ImportKind.TRANSACTIONS:
            self.plan_observation(plan, vendor_id)
        return plan

    def note_unknown(self, row):
        self.report.note_unknown_recipient(
            row.recipient.name, row.recipient.uei, row.recipient.duns, f"{self.file_name} line {row.line}"
        )

    def note_scope(self, row):
        self.scope_codes.add(row.scope_agency_code)
        if row.scope_date:
            self.first_date = min(self.first_date or row.scope_date, row.scope_date)
            self.last_date = max(self.last_date or row.scope_date, row.scope_date)

    def plan_contract(self, row, agency_id, vendor_id):
        handled = self.handled_awards.get(row.award_key)
        if handled is not None:
            return Plan(row, handled, None)
        contract = self.existing_contracts.get(row.award_key)
        if contract is None:
            contract = self.new_contract(row, agency_id, vendor_id)
            plan = Plan(row, contract, Outcome.IMPORTED)
        else:
            changes = self.changes(contract, row, vendor_id)
            plan = Plan(row, contract, Outcome.UPDATED if changes else Outcome.UNCHANGED, changes)
        if self.kind == ImportKind.TRANSACTIONS:
            self.handled_awards[row.award_key] = contract
        return plan

    def new_contract(self, row, agency_id, vendor_id):
        return Contract(
            agency_id=agency_id,
            vendor_id=vendor_id,
            title=row.title,
            description=row.description,
            award_id=row.piid,
            award_key=row.award_key,
            amount=row.amount,
            potential_amount=row.potential_amount,
            currency="USD",
            amount_note="Total obligated, as reported by USAspending.gov",
            started_on=row.started_on,
            ended_on=row.ended_on,
            source_status=SourceStatus.PRESENT,
            last_seen_in_source_on=self.seen_on,
            editorial_status=self.status,
            published_at=timezone.now() if self.options.publish else None,
            internal_notes=f"Imported from USAspending: {row.award_key}",
        )

    def changes(self, contract, row, vendor_id):
        """Apply the source's values to `contract`; return (field, old, new) for each change."""
        wanted = {name: getattr(row, name) for name in CONTRACT_FIELDS if name != "award_id"}
        wanted["award_id"] = row.piid
        if contract.vendor_id is None and vendor_id:
            wanted["vendor_id"] = vendor_id
        if contract.source_status != SourceStatus.PRESENT:
            wanted["source_status"] = SourceStatus.PRESENT
        if contract.last_seen_in_source_on is None or contract.last_seen_in_source_on < self.seen_on:
            wanted["last_seen_in_source_on"] = self.seen_on
        return _apply(contract, wanted)

    def plan_observation(self, plan, vendor_id):
        row = plan.row
        contract = plan.contract
        company_id = contract.vendor_id or vendor_id
        existing = self.existing_observations.get(row.transaction_key)
        note = f"Modification {row.modification}" if row.modification else "Base award"
        if existing is not None:
            wanted = {"value": row.obligation, "observed_on": row.action_on, "note": note}
            changes = _apply(existing, wanted)
            plan.observation = existing
            plan.observation_action = Outcome.UPDATED if changes else Outcome.UNCHANGED
            plan.observation_changes = changes
        elif company_id is None:
            plan.skip_reason = (
                "transaction not recorded: the recipient is not matched to a company "
                "(add an alias, then import again)"
            )
        else:
            plan.observation = Observation(
                company_id=company_id,
                agency_id=contract.agency_id,
                contract=contract,
                metric=Metric.OBLIGATION,
                value=row.obligation,
                unit="USD",
                observed_on=row.action_on,
                transaction_key=row.transaction_key,
                note=note,
                editorial_status=self.status,
                published_at=timezone.now() if self.options.publish else None,
            )
            plan.observation_action = Outcome.IMPORTED

    # -- writing ----------------------------------------------------------------------------

    def write(self, plans):
        try:
            with transaction.atomic():
                self.write_plans(plans)
        except (DatabaseError, ValueError):
            for plan in plans:
                try:
                    with transaction.atomic():
                        self.write_plans([plan])
                except SavedSinceRead as exc:
                    self.reject(plan.row.line, "", str(exc))
                except (DatabaseError, ValueError) as exc:
                    self.reject(plan.row.line, "", f"the database refused the row: {_first_line(exc)}")
                else:
                    self.report_plan(plan)
            return
        for plan in plans:
            self.report_plan(plan)

    def write_plans(self, plans):
        reason = self.reason.format(file=self.file_name)
        history = dict(
            default_user=self.options.user,
            default_change_reason=reason,
            custom_historical_attrs=self.attribution,
        )
        written = []
        for model, attr, action_attr in (
            (Contract, "contract", "contract_action"),
            (Observation, "observation", "observation_action"),
        ):
            creates = [(p, getattr(p, attr)) for p in plans if getattr(p, action_attr) == Outcome.IMPORTED]
            updates = [(p, getattr(p, attr)) for p in plans if getattr(p, action_attr) == Outcome.UPDATED]
            for _, obj in creates:
                obj.pk = None
                obj._state.adding = True
            if creates:
                self.create_with_history([obj for _, obj in creates], model, history)
            if updates:
                _refuse_if_saved_since_read(model, [obj for _, obj in updates])
                names = {f.attname: f.name for f in model._meta.concrete_fields}
                fields = {"revision", "updated_at"}
                for plan, _ in updates:
                    fields.update(names[name] for name, _, _ in plan.changes_of(model))
                fields = sorted(fields)
                bulk_update_with_history([obj for _, obj in updates], model, fields, **history)
            written += [(p, obj) for p, obj in creates + updates]
        # The gap rules read published records only: a draft written changes nothing they see.
        self.touched_companies.update(
            obj.vendor_id if isinstance(obj, Contract) else obj.company_id
            for _, obj in written
            if obj.editorial_status == EditorialStatus.PUBLISHED
        )
        self.cite(written)

    def cite(self, written):
        if not written:
            return
        source = self.download_source()
        existing = set(
            Citation.objects.filter(source=source)
            .filter(object_id__in=[obj.pk for _, obj in written])
            .values_list("content_type_id", "object_id")
        )
        citations = []
        for plan, obj in written:
            content_type = ContentType.objects.get_for_model(obj)
            if (content_type.pk, obj.pk) in existing:
                continue
            citations.append(
                {
                    "source_id": source.pk,
                    "content_type_id": content_type.pk,
                    "object_id": obj.pk,
                    "locator": f"{self.file_name}, line {plan.row.line}"[:200],
                }
            )
        if not citations:
            return
        reason = self.reason.format(file=self.file_name)
        if connection.vendor == "postgresql":
            copy_rows_with_history(
                Citation, citations, reason=reason, user=self.options.user, historical_attrs=self.attribution
            )
        else:
            bulk_create_with_history(
                [Citation(**values) for values in citations],
                Citation,
                default_user=self.options.user,
                default_change_reason=reason,
                custom_historical_attrs=self.attribution,
            )

    def create_with_history(self, objs, model, history):
        """COPY on PostgreSQL (several times faster), the ORM's bulk insert elsewhere."""
        if connection.vendor == "postgresql":
            copy_create_with_history(
                objs,
                model,
                reason=history["default_change_reason"],
                user=history["default_user"],
                historical_attrs=history["custom_historical_attrs"],
            )
        else:
            bulk_create_with_history(objs, model, **history)

    def download_source(self):
        """The Source every imported record cites, created on the first write of the download."""
        if self.source is None:
            title = f"USAspending.gov contract download {self.run_record.download_name}"[:400]
            self.source = Source.objects.filter(title=title, publisher=PUBLISHER).first()
            if self.source is None:
                self.source = Source(
                    title=title,
                    publisher=PUBLISHER,
                    kind=SourceKind.GOVERNMENT,
                    url=DOWNLOAD_URL,
                    accessed_on=self.seen_on,
                    published_on=self.seen_on,
                    editorial_status=self.status,
                    published_at=timezone.now() if self.options.publish else None,
                )
                self.source._change_reason = self.reason.format(file=self.file_name)
                self.source._history_user = self.options.user
                self.source.save()
        return self.source

    def create_agency(self, agency):
        agency.editorial_status = EditorialStatus.DRAFT
        agency.internal_notes = f"Created by the USAspending import of {self.file_name}: check and publish."
        agency._change_reason = self.reason.format(file=self.file_name)
        agency._history_user = self.options.user
        with transaction.atomic():
            agency.save()
            Citation(
                source=self.download_source(),
                content_type=ContentType.objects.get_for_model(agency),
                object_id=agency.pk,
                locator=f"{self.file_name}, awarding agency columns"[:200],
            ).save()
        self.report.created_agencies.append(f"{agency.name}{f' (code {agency.code})' if agency.code else ''}")
        return agency.pk

    # -- outcomes ---------------------------------------------------------------------------

    def reject(self, line, column, reason):
        self.report.add(RowResult(self.file_name, line, Outcome.REJECTED, column=column, reason=reason))

    def report_plan(self, plan):
        key = self.key_of(plan.row)
        if plan.skip_reason and plan.observation_action is None:
            contract_done = {Outcome.IMPORTED: "contract imported", Outcome.UPDATED: "contract updated"}
            prefix = contract_done.get(plan.contract_action)
            reason = f"{prefix}; {plan.skip_reason}" if prefix else plan.skip_reason
            self.report.add(RowResult(self.file_name, plan.row.line, Outcome.SKIPPED, key, reason=reason))
            return
        actions = {plan.contract_action, plan.observation_action}
        if self.kind == ImportKind.TRANSACTIONS:
            outcome = plan.observation_action
            if outcome == Outcome.UNCHANGED and Outcome.UPDATED in actions:
                outcome = Outcome.UPDATED
        else:
            outcome = plan.contract_action
        changes = tuple(
            (name, _shown(old), _shown(new))
            for name, old, new in plan.contract_changes + plan.observation_changes
        )
        self.report.add(
            RowResult(self.file_name, plan.row.line, outcome, key, reason=plan.note, changes=changes)
        )

    # -- vanished records -------------------------------------------------------------------

    def flag_vanished(self):
        """Flag awards an earlier full download of the same scope had and this one lacks."""
        run = self.run_record
        if self.last_part_rows == SPLIT_SIZE:
            self.report.notes.append(
                f"The last part has exactly {SPLIT_SIZE:,} rows, so more parts may exist: "
                "import all parts together to check for vanished records."
            )
            return
        same_scope = ImportRun.objects.filter(
            kind=ImportKind.AWARDS,
            status=ImportRunStatus.COMPLETE,
            agency_codes=run.agency_codes,
            period_start=run.period_start,
            period_end=run.period_end,
        ).exclude(pk=run.pk)
        newest = same_scope.aggregate(newest=Max("seen_on"))["newest"]  # one query for both checks
        if newest is None:
            return
        if newest > run.seen_on:
            self.report.notes.append(
                "A newer download of the same agencies and period was imported before; "
                "vanished records were not checked against this older one."
            )
            return
        earlier = list(same_scope.filter(seen_on__lte=run.seen_on).values_list("pk", flat=True))
        before, before_params = seen_keys_sql(connection, earlier)
        now, now_params = seen_keys_sql(connection, [run.pk])
        gone = RawSQL(
            f"SELECT key FROM ({before}) b EXCEPT SELECT key FROM ({now}) n", [*before_params, *now_params]
        )
        contracts = list(Contract.objects.filter(award_key__in=gone, source_status=SourceStatus.PRESENT))
        for contract in contracts:
            contract.source_status = SourceStatus.VANISHED
            contract.revision += 1
            contract.updated_at = timezone.now()
        if contracts:
            bulk_update_with_history(
                contracts,
                Contract,
                ["source_status", "revision", "updated_at"],
                default_user=self.options.user,
                default_change_reason=f"No longer in the official source: missing from {run.download_name}",
                custom_historical_attrs=self.attribution,
            )
        self.report.vanished.extend(sorted(c.award_key for c in contracts))


def _schedule_gap_detection(company_ids):
    """Bulk writes send no post_save, so ask the gap rules to re-check these companies."""
    if not getattr(settings, "GAP_DETECT_ON_SAVE", True):
        return
    try:
        from ..gaps.hooks import schedule
    except ImportError:
        return
    schedule(company_ids)


class SavedSinceRead(ValueError):
    """A record the import is about to update was saved by someone else after it was read."""


def _refuse_if_saved_since_read(model, objs):
    """Lock the rows about to be updated; refuse if any was saved since the import read it.

    The import reads the existing records, then writes a batch: a member of staff saving
    one of them in between would otherwise be overwritten without a word (the import
    writes its own copy of the fields it changes, and its history row would show the
    rest of the record as it was before that save). Refused, the rows are retried one by
    one (`write`), and the one that changed is rejected with this message.
    """
    read = {obj.pk: obj._revision_read for obj in objs}
    now = dict(model.objects.select_for_update().filter(pk__in=list(read)).values_list("pk", "revision"))
    changed = sorted(pk for pk, revision in read.items() if now.get(pk) != revision)
    if changed:
        raise SavedSinceRead(
            f"the {model._meta.verbose_name} was saved by someone else while this import ran "
            f"(id {', '.join(map(str, changed))}); nothing was changed: import the file again"
        )


def _apply(obj, wanted):
    changes = []
    for name, new in wanted.items():
        old = getattr(obj, name)
        if old != new:
            changes.append((name, old, new))
            setattr(obj, name, new)
    if changes:
        if not hasattr(obj, "_revision_read"):
            obj._revision_read = obj.revision  # checked when written (_refuse_if_saved_since_read)
        obj.revision += 1
        obj.updated_at = timezone.now()
    return changes


def _shown(value):
    return "empty" if value is None or value == "" else str(value)


def _first_line(exc):
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _date_from_names(parts):
    for part in parts:
        if part.date_in_name:
            try:
                return datetime.date.fromisoformat(part.date_in_name)
            except ValueError:
                continue
    return None


def _fiscal_year_start(date):
    """US federal fiscal years run from 1 October to 30 September.

    A date in the first or last fiscal year the calendar can hold (year 1, or
    October to December 9999: damaged or placeholder dates) gives the calendar's end.
    """
    year = date.year if date.month >= 10 else date.year - 1
    return datetime.date(year, 10, 1) if year >= datetime.MINYEAR else datetime.date.min


def _fiscal_year_end(date):
    year = date.year + 1 if date.month >= 10 else date.year
    return datetime.date(year, 9, 30) if year <= datetime.MAXYEAR else datetime.date.max


__all__ = ["CsvFile", "FileRejected", "ImportOptions", "ImportReport", "import_files", "one_import_at_a_time"]
