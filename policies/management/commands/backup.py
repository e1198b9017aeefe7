"""`manage.py backup PATH`: every row of every table, history included (policies/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from ...backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Write every row of every table (history included) to PATH (.jsonl or .jsonl.gz), atomically."

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. /var/backups/tracker/2026-11-22.jsonl.gz")
        parser.add_argument("--database", default="default")

    def handle(self, path, database, **options):
        try:
            counts = write_backup(path, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # an unwritable folder, a full disk: the temporary file is removed
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from None
        history = sum(n for label, n in counts.items() if ".Historical" in label)
        self.stdout.write(
            f"Wrote {sum(counts.values())} rows from {len(counts)} tables "
            f"({history} history rows) to {path}"
        )
