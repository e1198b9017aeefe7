"""Event dates that carry their precision.

Sources often give only a month or a year ("July 2025", "in 2018"). A date is
stored as the first day of the period it names plus its precision, so sorting
and filtering still work, and it is shown no more precisely than it is known.
"""

import datetime
from dataclasses import dataclass

from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def truncate(date, precision):
    """The first day of the period `date` falls in, at `precision`."""
    if date is None:
        return None
    if precision == Precision.YEAR:
        return date.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return date.replace(day=1)
    return date


@dataclass(frozen=True, order=True)
class EventDate:
    date: datetime.date | None
    precision: str = Precision.DAY

    def __bool__(self):
        return self.date is not None

    def __str__(self):
        if self.date is None:
            return "date unknown"
        if self.precision == Precision.YEAR:
            return f"{self.date.year}"
        if self.precision == Precision.MONTH:
            return self.date.strftime("%B %Y")
        return f"{self.date.day} {self.date.strftime('%B %Y')}"

    def iso(self):
        """ISO 8601 at the known precision: 2025, 2025-07 or 2025-07-14."""
        if self.date is None:
            return ""
        if self.precision == Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    @property
    def end(self):
        """The last day of the period (for "active after" comparisons)."""
        if self.date is None:
            return None
        if self.precision == Precision.YEAR:
            return self.date.replace(month=12, day=31)
        if self.precision == Precision.MONTH:
            nxt = (self.date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return nxt - datetime.timedelta(days=1)
        return self.date


def parse_event_date(text):
    """Parse "2025", "2025-07" or "2025-07-14" into an EventDate; ValueError otherwise."""
    text = (text or "").strip()
    parts = text.split("-")
    try:
        if len(parts) == 1 and len(parts[0]) == 4:
            return EventDate(datetime.date(int(parts[0]), 1, 1), Precision.YEAR)
        if len(parts) == 2 and len(parts[0]) == 4:
            return EventDate(datetime.date(int(parts[0]), int(parts[1]), 1), Precision.MONTH)
        if len(parts) == 3 and len(parts[0]) == 4:
            return EventDate(datetime.date.fromisoformat(text), Precision.DAY)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date like 2025, 2025-07 or 2025-07-14")
