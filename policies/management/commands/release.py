"""Write the next citable release under settings.EXPORTS_ROOT/releases/."""

from django.core.management.base import BaseCommand, CommandError

from policies.exports import progress, releases


class Command(BaseCommand):
    help = "Write a numbered, dated data package with history, checksums, CITATION.cff and changelog."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-changed", action="store_true",
            help="Write nothing when every table is the same as in the latest release (for a schedule).",
        )

    def handle(self, *args, **opts):
        try:
            manifest = releases.make_release(progress=progress.for_stream(), if_changed=opts["if_changed"])
        except releases.Unchanged as unchanged:
            self.stdout.write(f"{unchanged} No release written.")
            return
        except OSError as exc:  # written beside its final place, so nothing half-written is listed
            where = exc.filename or releases.root()
            raise CommandError(f"Cannot write the release ({where}): {exc.strerror or exc}") from None
        self.stdout.write(f"Release {manifest['number']:04d} ({manifest['date']}):")
        for f in manifest["files"]:
            self.stdout.write(f"  {f['sha256']}  {f['name']} ({f['bytes']:,} bytes)")
