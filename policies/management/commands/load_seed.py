from django.core.management.base import BaseCommand, CommandError

from ...seed import (
    DEFAULT_SEED,
    SeedError,
    attach_signals_to_seeded_gaps,
    load_seed,
    seeded_gap_slugs,
)


class Command(BaseCommand):
    help = "Load the seed data (founding case) idempotently, writing history with a reason."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_SEED))

    def handle(self, *args, path, **options):
        try:
            report = load_seed(path)
        except (OSError, SeedError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Seed data from {path}: {report}")
        attached = attach_signals_to_seeded_gaps(seeded_gap_slugs(path))
        self.stdout.write(f"Signals attached to seeded gaps: {attached}")
