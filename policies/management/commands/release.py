"""Write the next citable release under settings.EXPORTS_ROOT/releases/."""

from django.core.management.base import BaseCommand

from policies.exports import progress, releases


class Command(BaseCommand):
    help = "Write a numbered, dated data package with history, checksums, CITATION.cff and changelog."

    def handle(self, *args, **opts):
        manifest = releases.make_release(progress=progress.for_stream())
        self.stdout.write(f"Release {manifest['number']:04d} ({manifest['date']}):")
        for f in manifest["files"]:
            self.stdout.write(f"  {f['sha256']}  {f['name']} ({f['bytes']:,} bytes)")
