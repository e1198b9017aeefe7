import json
from pathlib import Path

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
            _check_shape(path)
            report = load_seed(path)
        except (OSError, SeedError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Seed data from {path}: {report}")
        attached = attach_signals_to_seeded_gaps(seeded_gap_slugs(path))
        self.stdout.write(f"Signals attached to seeded gaps: {attached}")


def _check_shape(path):
    """A seed file is a JSON object whose "records" is a list of objects."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SeedError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SeedError(f"{path} is not valid JSON ({exc})") from None
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(isinstance(entry, dict) for entry in records):
        raise SeedError(f'{path} is not a seed file: expected {{"records": [{{...}}, ...]}}')
