"""Write the next citable release under settings.EXPORTS_ROOT/releases/."""

from django.core.management.base import BaseCommand, CommandError

from policies.exports import progress, releases


class Command(BaseCommand):
    help = "Write a numbered, dated data package with history, checksums, CITATION.cff and changelog."

    def handle(self, *args, **opts):
        try:
            manifest = releases.make_release(progress=progress.for_stream())
        except OSError as exc:  # written beside its final place, so nothing half-written is listed
            where = exc.filename or releases.root()
            raise CommandError(f"Cannot write the release ({where}): {exc.strerror or exc}") from None
        self.stdout.write(f"Release {manifest['number']:04d} ({manifest['date']}):")
        for f in manifest["files"]:
            self.stdout.write(f"  {f['sha256']}  {f['name']} ({f['bytes']:,} bytes)")
