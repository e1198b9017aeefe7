"""What a researcher asked for, checked once for the command and the web page alike.

Every mistake raises ExportInputError with a sentence that says what to fix; callers
turn it into exit code 2 or HTTP 400 before anything is written.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ..models import Company
from .selection import Scope
from .tables import BY_NAME

FORMATS = ("csv", "jsonl", "datapackage")


class ExportInputError(ValueError):
    pass


@dataclass(frozen=True)
class ExportOptions:
    format: str
    scope: Scope
    history: bool = False
    table: str | None = None  # one table, or every table
    company_slug: str | None = None

    @property
    def tables(self):
        return [BY_NAME[self.table]] if self.table else list(BY_NAME.values())


def parse_date(value, label):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ExportInputError(f"{label} must be a date written YYYY-MM-DD, got {value!r}.") from None


# How the messages name the inputs: the command's options, or the download form's fields.
COMMAND_LABELS = {"from": "--from", "to": "--to", "as_of": "--as-of"}
FORM_LABELS = {"from": "“Event date from”", "to": "“to”", "as_of": "“As of (record date)”"}


def parse(format, company=None, start=None, end=None, as_of=None, history=False, table=None,
          labels=COMMAND_LABELS):
    """Check every input; return ExportOptions or raise ExportInputError."""
    if format not in FORMATS:
        raise ExportInputError(f"Unknown format {format!r}: choose one of {', '.join(FORMATS)}.")
    if table and table not in BY_NAME:
        raise ExportInputError(f"Unknown table {table!r}: choose one of {', '.join(BY_NAME)}.")
    start, end = parse_date(start, labels["from"]), parse_date(end, labels["to"].capitalize())
    if start and end and start > end:
        raise ExportInputError(f"{labels['from']} ({start}) is after {labels['to']} ({end}).")
    as_of = parse_date(as_of, labels["as_of"])
    if as_of and as_of > timezone.localdate():
        raise ExportInputError(
            f"{labels['as_of']} ({as_of}) is in the future: the record cannot say that yet."
        )
    company_id = _company_id(company) if company else None
    scope = Scope(company_id=company_id, start=start, end=end, as_of=as_of)
    return ExportOptions(format, scope, bool(history), table or None, company or None)


def _company_id(slug):
    found = Company.objects.public().filter(slug=slug).values_list("id", flat=True).first()
    if found is None:
        raise ExportInputError(f"No public company has the slug {slug!r}.")
    return found
