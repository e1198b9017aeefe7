"""Counts of public records, kept so that a page reads them in one small query."""

from django.db import models


class PublicCount(models.Model):
    """How many public records of one kind there are (`policies.counts` keeps it exact).

    Derived data, recomputed from the records after every change to them: no history, no
    admin. A row that is missing is computed on first read."""

    name = models.CharField(max_length=30, primary_key=True)
    n = models.BigIntegerField()
    refreshed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.n} {self.name}"
