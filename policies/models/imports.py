"""A log of data imports, so a later download can be compared with an earlier one.

These are operational records for staff, not public facts: they carry no history of
their own (the records they write do), and nothing here is shown on the public site
or exported. `ImportRun` records the *scope* of a download (which file layout, which
awarding agencies, which period) so the importer can tell when a newer full download
of the same scope no longer contains an award ("vanished from the official source").
"""

from django.conf import settings
from django.db import models


class ImportKind(models.TextChoices):
    AWARDS = "awards", "USAspending prime award summaries"
    TRANSACTIONS = "transactions", "USAspending prime transactions"


class ImportRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    REJECTED = "rejected", "File rejected"
    ROLLED_BACK = "rolled_back", "Rolled back (all or nothing)"
    INTERRUPTED = "interrupted", "Interrupted (rows written before the stop are kept)"


class ImportRun(models.Model):
    """One import of one download (all its parts): what it covered and what happened."""

    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    download_name = models.CharField(
        max_length=300, help_text="File name without the part suffix (_1.csv, _2.csv)."
    )
    files = models.TextField(help_text="The file names imported, one per line.")
    agency_codes = models.CharField(
        max_length=500, blank=True, help_text="Awarding (sub-)agency codes found, sorted, comma-separated."
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    period_given = models.BooleanField(
        default=False, help_text="The period was given by staff (--period), not inferred from the rows."
    )
    seen_on = models.DateField(help_text="The date of the download: records in it were in the source then.")
    status = models.CharField(
        max_length=12, choices=ImportRunStatus.choices, default=ImportRunStatus.RUNNING
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["kind", "agency_codes", "period_start", "period_end"], name="import_run_scope_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ImportKind.values), name="import_run_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ImportRunStatus.values), name="import_run_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.download_name} ({self.get_kind_display()}, {self.seen_on})"

    def seen_keys(self):
        """Every key this run saw, sorted, from either store (`ImportRunRecord`, `ImportRunKeys`)."""
        from django.db import connection

        sql, params = seen_keys_sql(connection, [self.pk])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return sorted(key for (key,) in cursor.fetchall())


def seen_keys_sql(connection, run_ids):
    """SQL and parameters of the keys the runs `run_ids` saw: one row per key (`key`) and
    per run, whichever path stored them."""
    ids = ", ".join(["%s"] * len(run_ids)) or "NULL"
    elements = (
        "jsonb_array_elements_text(c.keys) AS j(value)"
        if connection.vendor == "postgresql"
        else "json_each(c.keys) AS j"
    )
    sql = (
        f"SELECT r.key AS key FROM policies_importrunrecord r WHERE r.run_id IN ({ids}) "
        f"UNION ALL SELECT j.value AS key FROM policies_importrunkeys c, {elements} WHERE c.run_id IN ({ids})"
    )
    return sql, [*run_ids, *run_ids]


class ImportRunRecord(models.Model):
    """A key (award or transaction) a run saw, and where: for vanished and duplicate checks.

    Written by the Python path (transaction files, SQLite), which also looks keys up here to
    find a key repeated in a later batch. The PostgreSQL set-wise path finds repeated keys
    in SQL and stores what it saw as `ImportRunKeys` instead.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="records")
    key = models.CharField(max_length=300)
    file_name = models.CharField(max_length=300)
    line = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="import_run_record_unique_key"),
        ]

    def __str__(self):
        return f"{self.key} ({self.file_name}, line {self.line})"


class ImportRunKeys(models.Model):
    """Keys a run saw, as one JSON list per chunk of lines: for vanished checks.

    The set-wise award import (PostgreSQL) writes these instead of an `ImportRunRecord` per
    key: a row, three index entries and a foreign-key check per key were 0.4 s of a
    100,000-row import, ten lists 0.05 s. Nothing looks a single key up here; the vanished
    check reads whole runs (`seen_keys_sql`).
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="key_chunks")
    keys = models.JSONField(default=list)

    class Meta:
        verbose_name_plural = "import run keys"

    def __str__(self):
        return f"{len(self.keys)} keys of run {self.run_id}"
