"""`manage.py generate_synthetic --companies N --seed S`: an obviously fictional world."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from policies.synthetic import generate


class TerminalProgress:
    """A one-line progress bar on a terminal; silent when output is not a TTY."""

    def __init__(self, stream):
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, label, done, total):
        if not self.enabled:
            return
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {done:>7}/{total:<7} {label[:40]:<40}")
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")


class Command(BaseCommand):
    requires_system_checks = []  # a data generator needs the models, not the URLs or admin
    help = "Generate a deterministic synthetic world (fictional companies and agencies) with full history."

    def add_arguments(self, parser):
        parser.add_argument("--companies", type=int, default=100, help="How many companies (default 100).")
        parser.add_argument("--seed", type=int, default=0, help="Random seed; same seed, same world.")
        parser.add_argument(
            "--giant-events",
            type=int,
            default=2000,
            help="Timeline events of each of the few very large companies (default 2000).",
        )

    def handle(self, *args, companies, seed, giant_events, **options):
        if companies < 1:
            raise CommandError("--companies must be at least 1.")
        progress = TerminalProgress(sys.stderr)
        started = time.monotonic()
        try:
            stats = generate(companies, seed=seed, giant_events=giant_events, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        finally:
            progress.close()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Generated {companies} companies (seed {seed}): {stats.total_records} records, "
            f"{stats.history_rows} history rows in {elapsed:.1f}s."
        )
        for name, count in sorted(stats.records.items()):
            self.stdout.write(f"  {name}: {count}")
