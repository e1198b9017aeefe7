"""Backup and restore of every row of every table, history included, in a portable format.

The backup is Django's JSON Lines serialisation (one object per line, streamed
both ways, times to the microsecond), so a backup taken on SQLite restores on PostgreSQL and back.
Foreign keys to content types, permissions and users are written as natural keys,
so a backup restores into any freshly migrated database even when its content
type ids differ. Content types and permissions are not in the backup: `migrate`
recreates them.

Both directions are all-or-nothing: the backup is read inside one transaction (a
consistent snapshot) and written to a temporary file that is renamed over PATH
only when complete; the restore is one transaction.
"""

import bz2
import datetime
import gzip
import lzma
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

# Rebuilt by `migrate` (and its post_migrate handlers), so never written to a backup.
RECREATED_BY_MIGRATE = ("contenttypes.ContentType", "auth.Permission")
# Filled by `migrate` too, but staff may have changed them: the backup's copy wins.
REPLACED_ON_RESTORE = ("auth.Group",)
# Derived from the records, never written to a backup: a fresh database fills it as soon
# as its home page is shown, and a restore has it recounted (policies.counts).
DERIVED = ("policies.PublicCount",)
SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.bz2", ".jsonl.xz")


class BackupError(Exception):
    pass


def check_path(path):
    path = Path(path)
    if not path.name.endswith(SUFFIXES):
        raise BackupError(f"{path.name}: the file name must end with one of {', '.join(SUFFIXES)}")
    return path


def backed_up_models(using=DEFAULT_DB_ALIAS):
    """Every concrete model stored in the database, history models included."""
    skip = {apps.get_model(label) for label in (*RECREATED_BY_MIGRATE, *DERIVED)}
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model not in skip
        and router.allow_migrate_model(using, model)
    ]


def row_counts(using=DEFAULT_DB_ALIAS):
    return {model._meta.label: model._base_manager.using(using).count() for model in backed_up_models(using)}


def _snapshot(using, outermost):
    """First thing in a new transaction: make its reads one consistent snapshot (PostgreSQL)."""
    connection = connections[using]
    if connection.vendor == "postgresql" and outermost:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _all_rows(using):
    """Every row, models in dependency order (natural keys first), each model in pk order."""
    app_list = {config: None for config in apps.get_app_configs() if config.models_module}
    wanted = set(backed_up_models(using))
    for model in serializers.sort_dependencies(app_list.items(), allow_cycles=True):
        if model in wanted:
            yield from model._base_manager.using(using).order_by(model._meta.pk.name).iterator(2000)


def write_backup(path, using=DEFAULT_DB_ALIAS):
    """Write the whole database to PATH atomically; return the row count of each model."""
    path = check_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # In the same directory, so the final rename is atomic.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    outermost = not connections[using].in_atomic_block
    try:
        with transaction.atomic(using=using), _open_for_writing_as(path, tmp_name) as stream:
            _snapshot(using, outermost)
            counts = row_counts(using)
            serializers.serialize(
                "jsonl", _all_rows(using), stream=stream, cls=ExactJSONEncoder, use_natural_foreign_keys=True
            )
        _fsync(tmp_name)
        os.replace(tmp_name, path)
        _fsync(path.parent)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return counts


def _open_for_writing_as(path, tmp_name):
    """Open the temporary file, compressed as PATH's name says."""
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix, open)
    return opener(tmp_name, "wt", encoding="utf-8")


def _fsync(name):
    fd = os.open(name, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rows_in_the_way(using=DEFAULT_DB_ALIAS):
    """Models that already hold rows a restore would collide with."""
    replaced = {apps.get_model(label) for label in REPLACED_ON_RESTORE}
    return {
        label: count
        for label, count in row_counts(using).items()
        if count and apps.get_model(label) not in replaced
    }


@contextmanager
def _alone(path):
    """`path`, seen by loaddata in a folder of its own.

    loaddata finds a fixture by name, trying every compression: 2026-11-22.jsonl beside
    2026-11-22.jsonl.gz (yesterday's plain copy beside today's compressed one, say) is
    "Multiple fixtures named ...". A symbolic link in an empty temporary folder is the
    only match, and costs no copy.
    """
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as folder:
        link = Path(folder) / path.name
        link.symlink_to(path)
        yield link


def restore_backup(path, using=DEFAULT_DB_ALIAS):
    """Load PATH into an empty, migrated database in one transaction; return row counts."""
    path = check_path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    in_the_way = rows_in_the_way(using)
    if in_the_way:
        listing = ", ".join(f"{label} ({n})" for label, n in sorted(in_the_way.items()))
        raise BackupError(f"The database is not empty; restore only into a fresh, migrated one: {listing}")
    with transaction.atomic(using=using), _alone(path.resolve()) as fixture:
        for label in (*REPLACED_ON_RESTORE, *DERIVED):
            apps.get_model(label)._base_manager.using(using).all().delete()
        call_command("loaddata", str(fixture), database=using, verbosity=0)
    # Content types were replaced with the backup's ids: forget the ones cached before.
    ContentType.objects.clear_cache()
    return row_counts(using)
