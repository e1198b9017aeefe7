"""Build USAspending CSV files for tests from the exact published headers (tests/data/).

Names are fictional ("Example Cloud 0042"); the agency is the immigration agency as real
files write it (code 7012 under the Department of Homeland Security).
"""

import csv
import io
from pathlib import Path

from policies.imports.csvfile import CsvFile

DATA = Path(__file__).parent / "data"


def _header(name):
    with open(DATA / name, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


AWARDS_286 = _header("usaspending-contracts-prime-award-summaries.header.csv")
TRANSACTIONS_297 = _header("usaspending-contracts-prime-transactions.header.csv")
# An older award summary layout: `award_description`, DUNS but no UEI, no *_raw names.
OLDER_AWARDS = [
    "award_description" if name == "prime_award_base_transaction_description" else name
    for name in AWARDS_286
    if name not in ("recipient_uei", "recipient_parent_uei") and not name.endswith("_raw")
]


def award_key(piid, agency="7012"):
    return f"CONT_AWD_{piid}_{agency}_-NONE-_-NONE-"


def award(piid="70CMSD25C0001", **overrides):
    row = {
        "contract_award_unique_key": award_key(piid),
        "award_id_piid": piid,
        "total_obligated_amount": "16000.00",
        "potential_total_value_of_award": "20000.00",
        "award_base_action_date": "2025-01-15",
        "award_latest_action_date": "2025-02-01",
        "period_of_performance_start_date": "2025-01-15",
        "period_of_performance_current_end_date": "2025-12-31",
        "awarding_agency_code": "070",
        "awarding_agency_name": "Department of Homeland Security",
        "awarding_sub_agency_code": "7012",
        "awarding_sub_agency_name": "U.S. Immigration and Customs Enforcement",
        "recipient_uei": "EXMPLCLD0042",
        "recipient_duns": "000000042",
        "recipient_name": "EXAMPLE CLOUD 0042 LLC",
        "recipient_parent_name": "EXAMPLE CLOUD 0042 LLC",
        "prime_award_base_transaction_description": "CLOUD STORAGE SERVICES",
        "award_description": "CLOUD STORAGE SERVICES",
        "usaspending_permalink": f"https://www.usaspending.gov/award/{award_key(piid)}/",
    }
    row.update(overrides)
    return row


def transaction(piid="70CMSD25C0001", modification="0", **overrides):
    row = award(piid)
    row.update(
        {
            "contract_transaction_unique_key": f"9700_7012_{piid}_{modification}_-NONE-_0",
            "modification_number": modification,
            "federal_action_obligation": "16000.00",
            "total_dollars_obligated": "16000.00",
            "base_and_all_options_value": "20000.00",
            "action_date": "2025-01-15",
            "transaction_description": "CLOUD STORAGE SERVICES",
        }
    )
    row.update(overrides)
    return row


def csv_bytes(header, rows, *, bom=False, line_end="\r\n"):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header] if isinstance(row, dict) else row)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def csv_file(name, header, rows, **kwargs):
    """An in-memory CsvFile, as the importer receives an upload."""
    return CsvFile(name, io.BytesIO(csv_bytes(header, rows, **kwargs)))


def raw_file(name, data):
    return CsvFile(name, io.BytesIO(data))
