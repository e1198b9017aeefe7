"""`manage.py restore PATH`: load a backup into an empty, migrated database (policies/backup.py)."""

import lzma

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

from ...backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Load a backup written by `manage.py backup` into an empty, freshly migrated database."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default="default")

    def handle(self, path, database, **options):
        try:
            counts = restore_backup(path, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except (DeserializationError, DatabaseError, OSError, EOFError, ValueError, lzma.LZMAError) as exc:
            # A damaged or truncated file: the restore is one transaction, so nothing was loaded.
            cause = exc.__cause__ or exc
            detail = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
            raise CommandError(
                f"{path} cannot be restored (damaged, truncated or not a backup): {detail}. "
                "Nothing was loaded."
            ) from None
        history = sum(n for label, n in counts.items() if ".Historical" in label)
        self.stdout.write(
            f"Restored {sum(counts.values())} rows into {len(counts)} tables "
            f"({history} history rows) from {path}"
        )
