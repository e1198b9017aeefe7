"""Bad USAspending files: each gets a clear message, and nothing is half-written."""

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.imports.csvfile import FIELD_SIZE_LIMIT
from policies.imports.report import Outcome
from policies.imports.usaspending import ImportOptions, import_files
from policies.models import Agency, Contract, ImportRun, ImportRunStatus, Source
from tests.usaspending_files import (
    AWARDS_286,
    TRANSACTIONS_297,
    award,
    csv_bytes,
    csv_file,
    raw_file,
    transaction,
)

pytestmark = pytest.mark.django_db

NAME = "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"


def run_bytes(data, **options):
    return import_files([raw_file(NAME, data)], ImportOptions(**options))


def nothing_written():
    return not (Contract.objects.exists() or Agency.objects.exists() or Source.objects.exists())


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "the file is empty"),
        (csv_bytes(AWARDS_286, []), "the file has a header but no rows"),
        (
            csv_bytes([c for c in AWARDS_286 if c != "total_obligated_amount"], [award()]),
            "the required column 'total_obligated_amount' is missing",
        ),
        (
            csv_bytes(AWARDS_286, [award(recipient_name="EXAMPLE CAFÉ 0042")]).replace(b"\xc3\x89", b"\xc9"),
            "the file is not UTF-8 (byte 0xc9 on line 2)",
        ),
        (csv_bytes(AWARDS_286 + ["award_id_piid"], [award()]), "the column 'award_id_piid' appears twice"),
    ],
    ids=["empty", "blank-lines", "header-only", "missing-column", "wrong-encoding", "duplicate-column"],
)
def test_a_bad_file_is_rejected_whole_with_a_message_and_nothing_written(data, message):
    report = run_bytes(data)

    assert not report.ok
    ((file_name, text),) = report.file_errors
    assert file_name == NAME and message in text
    assert nothing_written()


def test_wrong_encoding_late_in_a_file_still_writes_nothing():
    rows = [award(f"P{i}") for i in range(50)] + [award("LAST", recipient_name="EXAMPLE CAFÉ")]
    data = csv_bytes(AWARDS_286, rows).replace("É".encode(), b"\xc9")
    report = run_bytes(data)
    assert "line 52" in report.file_errors[0][1]
    assert nothing_written()


def test_a_missing_required_column_is_named_for_transactions_too():
    header = [c for c in TRANSACTIONS_297 if c != "federal_action_obligation"]
    report = import_files([csv_file("t.csv", header, [transaction()])], ImportOptions())
    assert "'federal_action_obligation' is missing" in report.file_errors[0][1]


def test_missing_optional_columns_are_tolerated():
    header = [
        c
        for c in AWARDS_286
        if c not in ("recipient_uei", "potential_total_value_of_award", "usaspending_permalink")
    ]
    report = import_files([csv_file(NAME, header, [award()])], ImportOptions())
    assert report.ok and report.counts[Outcome.IMPORTED] == 1


def _rejected(report):
    return [(r.line, r.column, r.reason) for r in report.rows if r.outcome == Outcome.REJECTED]


@pytest.mark.parametrize(
    "bad, column, reason",
    [
        (award("BAD", total_obligated_amount="12,000.00"), "total_obligated_amount", "is not a plain amount"),
        (award("BAD", total_obligated_amount="$16000"), "total_obligated_amount", "without $"),
        (award("BAD", total_obligated_amount="-5.00"), "total_obligated_amount", "is negative"),
        (
            award("BAD", period_of_performance_start_date="2025-02-30"),
            "period_of_performance_start_date",
            "'2025-02-30' is not a real date",
        ),
        (
            award("BAD", period_of_performance_start_date="1/15/25"),
            "period_of_performance_start_date",
            "looks like a spreadsheet date (M/D/YY)",
        ),
        (
            award("BAD", award_latest_action_date="Jan 5 2025"),
            "award_latest_action_date",
            "is not a date in YYYY-MM-DD form",
        ),
        (
            award("BAD", period_of_performance_current_end_date="2024-01-01"),
            "period_of_performance_current_end_date",
            "ends (2024-01-01) before it starts",
        ),
        (award("BAD", contract_award_unique_key=""), "contract_award_unique_key", "is empty but required"),
        (award("BAD", recipient_name=""), "recipient_name", "is empty but required"),
    ],
    ids=[
        "comma",
        "dollar",
        "negative",
        "impossible-date",
        "m-d-yy",
        "words-date",
        "end-before-start",
        "no-key",
        "no-recipient",
    ],
)
def test_a_bad_row_is_rejected_with_line_column_and_reason_and_the_others_import(bad, column, reason):
    report = import_files(
        [csv_file(NAME, AWARDS_286, [award("GOOD1"), bad, award("GOOD2")])], ImportOptions()
    )

    ((line, rejected_column, rejected_reason),) = _rejected(report)
    assert (line, rejected_column) == (3, column)
    assert reason in rejected_reason
    assert set(Contract.objects.values_list("award_id", flat=True)) == {"GOOD1", "GOOD2"}
    assert report.ok  # the file was imported; one row was refused


def test_whole_number_amounts_from_a_spreadsheet_are_accepted():
    import_files([csv_file(NAME, AWARDS_286, [award(total_obligated_amount="16000")])], ImportOptions())
    assert str(Contract.objects.get().amount) == "16000.00"


def test_a_truncated_row_is_rejected():
    data = csv_bytes(AWARDS_286, [award("GOOD1"), award("CUT"), award("GOOD2")])
    lines = data.split(b"\r\n")
    lines[2] = lines[2][: len(lines[2]) // 2]
    report = run_bytes(b"\r\n".join(lines))
    ((line, column, reason),) = _rejected(report)
    assert line == 3 and "fields but the header has 286" in reason
    assert Contract.objects.count() == 2


def test_a_final_row_cut_inside_a_quoted_field_is_rejected():
    data = csv_bytes(AWARDS_286, [award("GOOD1")]) + b'CONT_AWD_CUT,"CUT OFF IN THE MIDDLE'
    report = run_bytes(data)
    ((line, _, reason),) = _rejected(report)
    assert line == 3 and "truncated" in reason
    assert Contract.objects.count() == 1


def test_an_enormous_field_is_rejected_and_the_next_rows_still_import():
    huge = award("HUGE", prime_award_base_transaction_description="x" * (FIELD_SIZE_LIMIT + 10))
    data = csv_bytes(AWARDS_286, [award("GOOD1"), huge, award("GOOD2")])
    report = run_bytes(data)
    ((line, _, reason),) = _rejected(report)
    assert line == 3 and "longer than 1,000,000 characters" in reason
    assert set(Contract.objects.values_list("award_id", flat=True)) == {"GOOD1", "GOOD2"}
    assert csv.field_size_limit() == FIELD_SIZE_LIMIT


def test_duplicate_keys_within_a_file_keep_the_first_and_reject_the_rest():
    rows = [award("P1"), award("P2"), award("P1", total_obligated_amount="99.00")]
    report = import_files([csv_file(NAME, AWARDS_286, rows)], ImportOptions(batch_size=2))
    ((line, column, reason),) = _rejected(report)
    assert (line, column) == (4, "contract_award_unique_key")
    assert reason == f"duplicate key {award('P1')['contract_award_unique_key']}: already at {NAME} line 2"
    assert str(Contract.objects.get(award_id="P1").amount) == "16000.00"


def test_duplicate_transaction_keys_are_rejected():
    rows = [transaction(modification="0"), transaction(modification="0")]
    report = import_files([csv_file("t.csv", TRANSACTIONS_297, rows)], ImportOptions())
    assert [line for line, *_ in _rejected(report)] == [3]


def test_all_or_nothing_saves_nothing_when_one_row_is_bad():
    rows = [award("P1"), award("P2", total_obligated_amount="oops"), award("P3")]
    report = import_files([csv_file(NAME, AWARDS_286, rows)], ImportOptions(all_or_nothing=True))

    assert report.rolled_back and not report.ok
    assert nothing_written()
    assert "Rolled back" in " ".join(report.summary_lines())
    (trace,) = ImportRun.objects.all()
    assert trace.status == ImportRunStatus.ROLLED_BACK


def test_the_same_piid_under_another_parent_award_is_its_own_contract():
    # USAspending keys awards by award key, not PIID: a PIID repeats under one agency when
    # the parent awards differ, and both are real awards.
    rows = [award("P1"), award("P2"), award("P1", contract_award_unique_key="CONT_AWD_P1_7012_OTHER_-NONE-")]
    report = import_files([csv_file(NAME, AWARDS_286, rows)], ImportOptions())
    assert _rejected(report) == []
    assert Contract.objects.filter(award_id="P1").count() == 2


# -- property tests: whatever the cells hold, the importer reports, never crashes ---------------

CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "-1", "0", "1e9", "16000.00", "2025-13-01", "2025-02-29", "1/2/03", "NaN", '"', "\r\n"]
    ),
)
FIELDS = [
    "contract_award_unique_key",
    "award_id_piid",
    "total_obligated_amount",
    "potential_total_value_of_award",
    "period_of_performance_start_date",
    "period_of_performance_current_end_date",
    "award_latest_action_date",
    "awarding_agency_name",
    "awarding_sub_agency_code",
    "awarding_sub_agency_name",
    "recipient_name",
    "recipient_uei",
    "recipient_parent_name",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.fixed_dictionaries({}, optional={name: CELL for name in FIELDS}), min_size=1, max_size=4)
)
def test_random_award_rows_never_raise(rows):
    report = import_files([csv_file(NAME, AWARDS_286, [award(**row) for row in rows])], ImportOptions())
    assert report.total == len(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "federal_action_obligation": CELL,
                "action_date": CELL,
                "contract_transaction_unique_key": CELL,
                "modification_number": CELL,
                "total_dollars_obligated": CELL,
            },
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_transaction_rows_never_raise(rows):
    report = import_files(
        [csv_file("t.csv", TRANSACTIONS_297, [transaction(**row) for row in rows])], ImportOptions()
    )
    assert report.total == len(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=st.binary(max_size=300))
def test_random_bytes_after_a_valid_header_never_raise(tail):
    report = run_bytes(csv_bytes(AWARDS_286, []) + tail)
    assert report.file_errors or report.total >= 1


def test_a_nul_byte_in_a_transaction_key_rejects_the_row_not_the_run():
    # Found by the property test on PostgreSQL: text columns cannot hold NUL bytes.
    row = transaction("T1", contract_transaction_unique_key="\x00")
    name = "Contracts_PrimeTransactions_2026-01-05_1.csv"
    report = import_files([csv_file(name, TRANSACTIONS_297, [row])], ImportOptions())
    ((line, column, reason),) = _rejected(report)
    assert column == "contract_transaction_unique_key" and "NUL byte" in reason
