"""One row of a USAspending file, parsed and checked without touching the database.

`parse_row` returns an `AwardRow` or raises `RowRejected(column, reason)`. Everything a row
can be rejected for is found here, before any write, so a bad row never half-writes.
"""

from dataclasses import dataclass

from ..models import ImportKind
from .values import BadValue, parse_amount, parse_date

TITLE_LENGTH = 300


class RowRejected(Exception):
    def __init__(self, column, reason):
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(slots=True)
class Party:
    name: str
    uei: str
    duns: str


@dataclass(slots=True)
class AwardRow:
    line: int
    award_key: str
    piid: str
    agency_code: str
    agency_name: str
    sub_agency_code: str
    sub_agency_name: str
    recipient: Party
    parent: Party
    description: str
    amount: object
    potential_amount: object
    started_on: object
    ended_on: object
    scope_date: object
    transaction_key: str = ""
    obligation: object = None
    action_on: object = None
    modification: str = ""

    @property
    def title(self):
        return award_title(self.piid, self.description)

    @property
    def scope_agency_code(self):
        return self.sub_agency_code or self.agency_code or self.sub_agency_name or self.agency_name


def award_title(piid, description):
    """The contract's title: the PIID and the description's first line, cut to fit."""
    first_line = description.splitlines()[0] if description else ""
    title = f"{piid} — {first_line}" if first_line else f"Award {piid}"
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1] + "…"


def check_width(fields, columns):
    if len(fields) != columns.width:
        raise RowRejected(
            "",
            f"the row has {len(fields)} fields but the header has {columns.width} "
            "(a truncated or damaged row)",
        )


def parse_row(fields, columns, kind, line):
    check_width(fields, columns)
    return parse_values(columns.getter(fields), columns, kind, line)


def parse_values(get, columns, kind, line):
    """Like `parse_row`, reading each field's stripped value with `get(field)`."""
    get = _without_nul(get, columns)
    amount_field = "amount" if kind == ImportKind.AWARDS else "award_amount"
    row = AwardRow(
        line=line,
        award_key=_required(get, columns, "award_key", 300),
        piid=_required(get, columns, "piid", 200),
        agency_code=_text(get, columns, "agency_code", 20),
        agency_name=_required(get, columns, "agency_name", 200),
        sub_agency_code=_text(get, columns, "sub_agency_code", 20),
        sub_agency_name=_text(get, columns, "sub_agency_name", 200),
        recipient=Party(
            _required(get, columns, "recipient_name", 300),
            _text(get, columns, "recipient_uei", 300),
            _text(get, columns, "recipient_duns", 300),
        ),
        parent=Party(
            _text(get, columns, "parent_name", 300),
            _text(get, columns, "parent_uei", 300),
            _text(get, columns, "parent_duns", 300),
        ),
        description=get("description"),
        amount=_amount(get, columns, amount_field, allow_negative=False),
        potential_amount=_amount(get, columns, "potential_amount", allow_negative=False),
        started_on=_date(get, columns, "started_on"),
        ended_on=_date(get, columns, "ended_on"),
        scope_date=None,
    )
    if row.started_on and row.ended_on and row.ended_on < row.started_on:
        raise RowRejected(
            columns.column("ended_on"),
            f"the period of performance ends ({row.ended_on}) before it starts ({row.started_on})",
        )
    if kind == ImportKind.TRANSACTIONS:
        row.transaction_key = _required(get, columns, "transaction_key", 300)
        row.obligation = _amount(get, columns, "obligation", max_digits=20, required=True)
        row.action_on = _date(get, columns, "action_on", required=True)
        row.modification = _text(get, columns, "modification", 100)
        row.scope_date = row.action_on
    else:
        row.scope_date = _date(get, columns, "latest_action_on") or row.started_on
    return row


def _without_nul(get, columns):
    """`get`, refusing a value with a NUL byte: no database text column can hold one."""

    def checked(field):
        value = get(field)
        if "\x00" in value:
            raise RowRejected(columns.column(field), "contains a NUL byte, which a text field cannot hold")
        return value

    return checked


def _text(get, columns, field, max_length):
    value = get(field)
    if len(value) > max_length:
        raise RowRejected(columns.column(field), f"longer than {max_length} characters")
    return value


def _required(get, columns, field, max_length):
    value = _text(get, columns, field, max_length)
    if not value:
        raise RowRejected(columns.column(field), "is empty but required")
    return value


def _amount(get, columns, field, *, max_digits=16, allow_negative=True, required=False):
    try:
        value = parse_amount(get(field), max_digits=max_digits, allow_negative=allow_negative)
    except BadValue as exc:
        raise RowRejected(columns.column(field), str(exc)) from None
    if value is None and required:
        raise RowRejected(columns.column(field), "is empty but required")
    return value


def _date(get, columns, field, required=False):
    try:
        value = parse_date(get(field))
    except BadValue as exc:
        raise RowRejected(columns.column(field), str(exc)) from None
    if value is None and required:
        raise RowRejected(columns.column(field), "is empty but required")
    return value
