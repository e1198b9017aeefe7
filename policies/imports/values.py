"""Cell values of a USAspending file: amounts and dates, parsed strictly.

A value that cannot be read unambiguously raises `BadValue` with a reason written for
staff; the importer rejects the row and names the column.

Spreadsheet damage is refused, not guessed at: a date like `3/4/24` could be 3 April or
4 March, and `24` could be 1924 or 2024, so `M/D/YY` (and any other slash date) is
rejected with a reason; re-export the original download instead. Whole-number amounts
(`16000`) are unambiguous and accepted; `$16,000.00` is not (a comma may be a decimal
mark in some locales).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

# re.ASCII: `\d` alone also matches other scripts' digits ('١٦', '１６'), which Decimal and
# int() would quietly read as 16; a USAspending file never holds them.
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.+Z-]*)?$", re.ASCII)
_SLASH_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$", re.ASCII)


class BadValue(ValueError):
    """A cell that cannot be read; the message says why."""


def parse_amount(text, *, max_digits=16, allow_negative=True):
    """A money amount with at most two decimal places, or None when the cell is empty."""
    text = (text or "").strip()
    if not text:
        return None
    if not _AMOUNT.match(text):
        raise BadValue(
            f"{_shown(text)} is not a plain amount (expected digits with up to two decimals, "
            "like 16000.00, without $ or thousands separators)"
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already guards this
        raise BadValue(f"{_shown(text)} is not a number") from None
    if abs(value) >= Decimal(10) ** (max_digits - 2):
        raise BadValue(f"{_shown(text)} is too large for the tracker ({max_digits - 2} digits at most)")
    if value < 0 and not allow_negative:
        raise BadValue(f"{_shown(text)} is negative; this total cannot be stored as negative")
    return value.quantize(Decimal("0.01"))


def parse_date(text):
    """A `YYYY-MM-DD` date (a trailing time is ignored), or None when the cell is empty."""
    text = (text or "").strip()
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise BadValue(f"{_shown(text)} is not a real date") from None
    if _SLASH_DATE.match(text):
        raise BadValue(
            f"{_shown(text)} looks like a spreadsheet date (M/D/YY): day/month order and century "
            "are ambiguous, so it is not guessed; import the original USAspending download"
        )
    raise BadValue(f"{_shown(text)} is not a date in YYYY-MM-DD form")


def _shown(text, limit=40):
    return repr(text if len(text) <= limit else text[:limit] + "…")
