"""Import USAspending contract downloads (award summaries or transactions).

    manage.py import_usaspending Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv [..._2.csv]
        [--dry-run] [--reason TEXT] [--publish --user USERNAME] [--all-or-nothing]
        [--period 2024-10-01:2025-09-30] [--seen-on 2026-01-05] [--report rows.csv] [--jobs 2]

Prints every row that was not simply imported or unchanged (every row with -v 2),
writes every row to --report, and a summary. Exits non-zero when a file is rejected or
an --all-or-nothing import is rolled back. See docs/imports.md.
"""

import argparse
import csv
import datetime
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from policies.imports.csvfile import CsvFile, FileRejected
from policies.imports.report import ImportReport, Outcome
from policies.imports.usaspending import ImportOptions, import_files
from policies.roles import REVIEWERS, can_publish_imports

QUIET_OUTCOMES = {Outcome.IMPORTED, Outcome.UNCHANGED}
LOUD_OUTCOMES = frozenset(set(Outcome) - QUIET_OUTCOMES)
REPORT_COLUMNS = ["file", "line", "outcome", "key", "column", "reason", "changes"]


class Command(BaseCommand):
    help = "Import USAspending contract award summaries or transactions (CSV downloads)."
    # An import needs the models, not the URLs or the admin: the system checks (`manage.py
    # check`, run in CI and on deploy) imported every view and checked every admin, 0.09 s
    # of each run's start-up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; save nothing.")
        parser.add_argument("--reason", default="", help="Added to the history reason of every change.")
        parser.add_argument("--publish", action="store_true", help="Publish new records (reviewers only).")
        parser.add_argument("--user", help="Username of the staff member running the import.")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="Save nothing if any row is rejected."
        )
        parser.add_argument(
            "--period", type=_period, help="The download's date filter, START:END (YYYY-MM-DD:YYYY-MM-DD)."
        )
        parser.add_argument(
            "--seen-on", type=_past_date, help="Date of the download (default: the date in the file name)."
        )
        parser.add_argument("--report", help="Write every row's outcome to this CSV file.")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            help="Connections writing at once (PostgreSQL award summaries of 20,000 rows or more; 1: one).",
        )

    def handle(self, *args, **options):
        if options["jobs"] < 1:
            raise CommandError(f"--jobs must be 1 or more, got {options['jobs']}.", returncode=2)
        user = _user(options["user"], options["publish"])
        files = []
        try:
            for path in options["files"]:
                files.append(_open(path))
            report_file = _open_report(options["report"]) if options["report"] else None
        except CommandError:
            for f in files:
                f.close()
            raise
        try:
            report = ImportReport(
                keep_rows=False,
                sink=self._sink(options["verbosity"], report_file),
                sink_outcomes=None if report_file or options["verbosity"] >= 2 else LOUD_OUTCOMES,
                dry_run=options["dry_run"],
            )
            progress = _Progress(self.stderr) if sys.stderr.isatty() else None
            import_files(
                files,
                ImportOptions(
                    dry_run=options["dry_run"],
                    reason=options["reason"],
                    publish=options["publish"],
                    user=user,
                    all_or_nothing=options["all_or_nothing"],
                    period=options["period"],
                    seen_on=options["seen_on"],
                    batch_size=options["batch_size"],
                    jobs=options["jobs"],
                    progress=progress,
                    on_wait=lambda: self.stderr.write("Another import is running: waiting for it to finish…"),
                ),
                report,
            )
            if progress:
                progress.done()
        finally:
            for f in files:
                f.close()
            if report_file:
                report_file.close()
        for line in report.summary_lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The import did not complete: see the messages above.")

    def _sink(self, verbosity, report_file):
        writer = csv.writer(report_file) if report_file else None
        if writer:
            writer.writerow(REPORT_COLUMNS)

        def sink(result):
            if writer:
                changes = "; ".join(f"{name}: {old} → {new}" for name, old, new in result.changes)
                writer.writerow(
                    [
                        result.file,
                        result.line,
                        result.outcome,
                        result.key,
                        result.column,
                        result.reason,
                        changes,
                    ]
                )
            if verbosity >= 2 or result.outcome not in QUIET_OUTCOMES:
                self.stdout.write(result.describe())

        return sink


class _Progress:
    """A one-line progress counter, only when stderr is a terminal."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def __call__(self, rows):
        self.count += rows
        self.stream.write(f"\r{self.count:,} rows…", ending="")
        self.stream.flush()

    def done(self):
        self.stream.write("")


def _open(path):
    try:
        return CsvFile.open(path)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
    except FileRejected as exc:
        raise CommandError(f"Cannot import {path}: {exc}") from None


def _open_report(path):
    try:
        return open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in handle()
    except OSError as exc:
        raise CommandError(f"Cannot write the report {path}: {exc.strerror or exc}") from None


def _user(username, publish):
    if not username:
        if publish:
            raise CommandError("--publish needs --user USERNAME (a member of the Reviewers group).")
        return None
    try:
        user = get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
    if publish and not can_publish_imports(user):
        raise CommandError(f"{username} may not publish contracts (the {REVIEWERS} group may).")
    return user


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _past_date(text):
    date = _date(text)
    if date > datetime.date.today() + datetime.timedelta(days=1):
        raise argparse.ArgumentTypeError(f"{text} is in the future: a download cannot be from then")
    return date


def _period(text):
    start, sep, end = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError("use START:END, e.g. 2024-10-01:2025-09-30")
    start, end = _date(start), _date(end)
    if end < start:
        raise argparse.ArgumentTypeError("the period ends before it starts")
    return start, end
