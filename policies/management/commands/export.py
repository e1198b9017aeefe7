"""Export the public record: `manage.py export --format datapackage --history --output tracker.zip`."""

from django.core.management.base import BaseCommand, CommandError

from policies import exports
from policies.exports import progress
from policies.exports.options import FORMATS
from policies.exports.parallel import DEFAULT_JOBS


class Command(BaseCommand):
    help = (
        "Export every public table (or one, with --table) as CSV, JSON Lines or a Frictionless "
        "data package. Bad input exits with code 2 and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, help=f"One of: {', '.join(FORMATS)}.")
        parser.add_argument("--output", required=True, help="A file (.zip, or one --table), else a folder.")
        parser.add_argument("--company", help="Slug of one company: only its records.")
        parser.add_argument("--from", dest="start", help="Event time: records on or after YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", help="Event time: records on or before YYYY-MM-DD.")
        parser.add_argument("--as-of", help="Record time: the record as held at the end of YYYY-MM-DD.")
        parser.add_argument("--history", action="store_true", help="Add every public version of every row.")
        parser.add_argument("--table", help="Only this table (its history with --history).")
        parser.add_argument("--iterator", action="store_true", help="Use the cursor path even on PostgreSQL.")
        parser.add_argument(
            "--jobs", type=int, default=DEFAULT_JOBS,
            help=f"PostgreSQL: tables of a csv or jsonl folder read over this many connections at once, "
            f"in one snapshot (default {DEFAULT_JOBS}; 1: one connection).",
        )

    def handle(self, *args, **opts):
        try:
            if opts["jobs"] < 1:
                raise exports.ExportInputError(f"--jobs must be 1 or more, got {opts['jobs']}.")
            if opts["company"] is not None and not opts["company"].strip():
                # An empty value (an unset shell variable, say) would silently export everyone.
                raise exports.ExportInputError("--company is empty: give a company's slug, or leave it out.")
            options = exports.parse(
                opts["format"], company=opts["company"], start=opts["start"], end=opts["end"],
                as_of=opts["as_of"], history=opts["history"], table=opts["table"],
            )
            counts = exports.write_export(
                options, opts["output"], progress=progress.for_stream(), iterator=opts["iterator"],
                jobs=opts["jobs"],
            )
        except exports.ExportInputError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except OSError as exc:  # an unwritable folder, a full disk: nothing is left behind
            message = f"Cannot write {opts['output']}: {exc.strerror or exc}"
            raise CommandError(message, returncode=2) from None
        total = sum(counts.values())
        self.stdout.write(f"Wrote {total:,} rows in {len(counts)} tables to {opts['output']}")
