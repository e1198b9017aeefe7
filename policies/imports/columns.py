"""Which columns the importer reads, keyed on names (never on positions).

USAspending's layouts change over time (286 columns for award summaries today, 259 in
2018; `award_description` became `prime_award_base_transaction_description` in 2022;
`recipient_uei` appeared in 2021). Each field the importer wants lists the column names
it may arrive under, newest first. Missing optional columns are fine; a missing required
one rejects the file with a message naming it.
"""

from ..models import ImportKind

# field → column names, newest first
FIELDS = {
    "award_key": ("contract_award_unique_key",),
    "piid": ("award_id_piid",),
    "parent_piid": ("parent_award_id_piid",),
    "agency_code": ("awarding_agency_code",),
    "agency_name": ("awarding_agency_name",),
    "sub_agency_code": ("awarding_sub_agency_code",),
    "sub_agency_name": ("awarding_sub_agency_name",),
    "recipient_name": ("recipient_name", "recipient_name_raw"),
    "recipient_uei": ("recipient_uei",),
    "recipient_duns": ("recipient_duns",),
    "parent_name": ("recipient_parent_name", "recipient_parent_name_raw"),
    "parent_uei": ("recipient_parent_uei",),
    "parent_duns": ("recipient_parent_duns",),
    "description": ("prime_award_base_transaction_description", "award_description"),
    "started_on": ("period_of_performance_start_date",),
    "ended_on": ("period_of_performance_current_end_date",),
    "permalink": ("usaspending_permalink",),
    # award summaries
    "amount": ("total_obligated_amount",),
    "potential_amount": ("potential_total_value_of_award", "base_and_all_options_value"),
    "latest_action_on": ("award_latest_action_date", "action_date"),
    # transactions
    "transaction_key": ("contract_transaction_unique_key",),
    "award_amount": ("total_dollars_obligated",),
    "obligation": ("federal_action_obligation",),
    "action_on": ("action_date",),
    "modification": ("modification_number",),
    "transaction_description": ("transaction_description",),
}

REQUIRED = {
    ImportKind.AWARDS: ("award_key", "piid", "agency_name", "recipient_name", "amount"),
    ImportKind.TRANSACTIONS: (
        "transaction_key",
        "award_key",
        "piid",
        "agency_name",
        "recipient_name",
        "obligation",
        "action_on",
    ),
}


def detect_kind(header):
    """Transactions files have a transaction key; award summaries do not."""
    return ImportKind.TRANSACTIONS if "contract_transaction_unique_key" in header else ImportKind.AWARDS


class MissingColumn(Exception):
    pass


class Columns:
    """Maps field names to positions in one file's header."""

    def __init__(self, header, kind):
        self.width = len(header)
        seen = {}
        for index, name in enumerate(header):
            name = name.strip()
            if name in seen:
                raise MissingColumn(f"the column {name!r} appears twice in the header")
            seen[name] = index
        self.index = {}
        self.source = {}
        for field, names in FIELDS.items():
            for name in names:
                if name in seen:
                    self.index[field] = seen[name]
                    self.source[field] = name
                    break
        for field in REQUIRED[kind]:
            if field not in self.index:
                raise MissingColumn(
                    f"the required column {FIELDS[field][0]!r} is missing"
                    + (f" (or {', '.join(map(repr, FIELDS[field][1:]))})" if len(FIELDS[field]) > 1 else "")
                )

    def getter(self, fields):
        """A function returning the stripped value of a field in `fields` ('' when absent)."""
        index = self.index

        def get(field):
            position = index.get(field)
            return fields[position].strip() if position is not None else ""

        return get

    def column(self, field):
        """The header name a field was read from (for messages)."""
        return self.source.get(field, FIELDS[field][0])
