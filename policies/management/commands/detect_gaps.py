"""Run the gap rules and create, update or withdraw signals (see docs/gap-analysis.md)."""

from django.core.management.base import BaseCommand, CommandError

from ...gaps.detect import detect_gaps
from ...gaps.matching import match_unmatched_versions
from ...models import Company


class Command(BaseCommand):
    help = "Find possible gaps between commitments and practice. Idempotent; --dry-run writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would change; write nothing.")
        parser.add_argument("--company", action="append", default=[], metavar="SLUG",
                            help="Only this company (and its parents); repeatable.")

    def handle(self, *args, dry_run=False, company=(), **options):
        ids = None
        if company:
            found = dict(Company.objects.filter(slug__in=company).values_list("slug", "pk"))
            missing = sorted(set(company) - set(found))
            if missing:
                raise CommandError(f"No company with slug {', '.join(missing)}")
            ids = list(found.values())
        matched = match_unmatched_versions(dry_run=dry_run)
        for result in matched:
            self.stdout.write(f"{'would match' if dry_run else 'matched'} {result}")
        report = detect_gaps(ids, dry_run=dry_run)
        for change in report.changes:
            self.stdout.write(("would " if dry_run else "") + str(change))
        self.stdout.write(str(report))
