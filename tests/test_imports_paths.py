"""The PostgreSQL set-wise import (policies/imports/staged.py) gives exactly the Python path's results.

Each scenario runs twice in one test on PostgreSQL: through the Python path (forced by
making `can_stage` say no), snapshotting every row, history row, citation, agency, key
record and the report, then rolled back; and through the staged path. The snapshots must
be equal. Skipped on SQLite, which only has the Python path.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.imports import award_sql, staged, usaspending
from policies.imports.csvfile import CsvFile
from policies.imports.report import ImportReport
from policies.imports.usaspending import ImportOptions, import_files
from policies.models import (
    Agency,
    AliasScheme,
    Citation,
    CompanyAlias,
    Contract,
    ImportRun,
    Source,
    SourceStatus,
)
from tests import factories
from tests.usaspending_files import AWARDS_286, OLDER_AWARDS, award, csv_bytes, csv_file, raw_file

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the staged path is PostgreSQL only"),
]

NAME = "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
NEWER = "Contracts_PrimeAwardSummaries_2026-02-09_H10M00S00_1.csv"
CONTRACT_FIELDS = [
    f.attname for f in Contract._meta.concrete_fields if f.attname not in ("id", "created_at", "updated_at")
]


def snapshot():
    agencies = dict(Agency.objects.values_list("pk", "slug"))
    contract_keys = dict(Contract.objects.values_list("pk", "award_key"))

    def contract_row(values):
        values["agency_id"] = agencies.get(values["agency_id"])
        values.pop("published_at", None)
        return values

    history = sorted(
        (
            contract_keys.get(h["id"]),
            h["history_type"],
            h["history_change_reason"],
            h["public_attribution"],
            h["revision"],
            str(h["amount"]),
            str(h["last_seen_in_source_on"]),
            h["source_status"],
            h["vendor_id"],
        )
        for h in Contract.history.values()
    )
    return {
        "contracts": sorted(
            (contract_row(v) for v in Contract.objects.values(*CONTRACT_FIELDS)), key=lambda v: v["award_key"]
        ),
        "history": history,
        "citations": sorted(
            (contract_keys.get(c.object_id, c.object_id), c.locator, c.source.title)
            for c in Citation.objects.select_related("source")
            if c.content_type.model == "contract"
        ),
        "citation history": sorted(
            Citation.history.values_list(
                "locator", "history_type", "history_change_reason", "public_attribution"
            )
        ),
        "agencies": sorted(
            Agency.objects.values_list(
                "slug", "name", "code", "editorial_status", "parent__slug", "internal_notes"
            )
        ),
        "agency history": Agency.history.count(),
        "sources": sorted(Source.objects.values_list("title", "editorial_status")),
        # The Python path stores a row per key (with its file and line, which it uses to find
        # repeated keys), the set-wise path lists of keys: both are the keys each run saw.
        "keys seen": sorted((r.download_name, r.status, r.seen_keys()) for r in ImportRun.objects.all()),
        "runs": sorted(
            (r.status, r.agency_codes, r.period_start, r.period_end, str(r.summary))
            for r in ImportRun.objects.all()
        ),
    }


def report_of(report):
    rows = sorted((r.file, r.line, str(r.outcome), r.key, r.column, r.reason, r.changes) for r in report.rows)
    return rows, report.summary_lines()


def both_paths(monkeypatch, scenario):
    """Run `scenario` (a function returning reports) on each path; return both results."""
    results = []
    for path in ("python", "staged"):
        with monkeypatch.context() as patch:
            staged_runs = []
            original = staged.StagedAwardsImport.write_pending
            patch.setattr(
                staged.StagedAwardsImport,
                "write_pending",
                lambda job, runs=staged_runs, write=original: (runs.append(job.staged), write(job))[1],
            )
            if path == "python":
                patch.setattr(staged, "can_stage", lambda parts: False)
            with transaction.atomic():
                reports = scenario()
                assert any(staged_runs) == (path == "staged")
                results.append(([report_of(r) for r in reports], snapshot()))
                transaction.set_rollback(True)
    return results


def files(name, rows, header=AWARDS_286, **kwargs):
    return [csv_file(name, header, rows, **kwargs)]


def imported(*batches, **options):
    return [import_files(list(batch), ImportOptions(**options)) for batch in batches]


def alias(company, scheme, value):
    obj = CompanyAlias(company=company, scheme=scheme, value=value)
    obj._change_reason = "Test data"
    obj.save()


@pytest.fixture
def companies():
    known = factories.company(name="Example Cloud 0042")
    alias(known, AliasScheme.NAME, "Example Cloud 0042 LLC")
    parent = factories.company(name="Example Holdings 0007")
    alias(parent, AliasScheme.UEI, "EXMPLHLD0007")
    return known, parent


MIXED = [
    award("P1"),
    award("P2", total_obligated_amount="$16,000.00"),
    award("P3", period_of_performance_start_date="2025-02-30"),
    award("P4", period_of_performance_current_end_date="3/4/25"),
    award("P5", period_of_performance_start_date="2025-01-15 00:00:00"),
    award("P6", period_of_performance_start_date="2024-02-29", total_obligated_amount="16000"),
    award("P1", award_id_piid="P1-again"),
    award("P7", recipient_name="Microsoft Corp.", recipient_uei="", recipient_duns=""),
    award("P8", recipient_name="UNKNOWN 1", recipient_uei="UNK1", recipient_parent_uei="EXMPLHLD0007"),
    award("P9", recipient_name="UNKNOWN 2", recipient_uei="UNK2", recipient_duns=""),
    award("P10", recipient_name="UNKNOWN 2 again", recipient_uei="UNK2"),
    award(
        "P11",
        awarding_agency_name="DEPARTMENT OF JUSTICE",
        awarding_agency_code="015",
        awarding_sub_agency_name="DEPARTMENT OF JUSTICE",
        awarding_sub_agency_code="",
    ),
    award(
        "P12", prime_award_base_transaction_description="  FIRST LINE\nSECOND LINE  ", recipient_name=" X "
    ),
    award("P13", total_obligated_amount="١٦٠٠٠"),
    award("P14", period_of_performance_current_end_date="2024-12-31"),
    award("P15", total_obligated_amount="-5.00", potential_total_value_of_award=""),
    award("P16", award_latest_action_date="2025-13-01"),
    award("", award_id_piid="P17"),
    award("P18", prime_award_base_transaction_description="x" * 400),
    ["too", "few", "fields"],
]


def test_a_file_of_good_bad_and_odd_rows_gives_the_same_rows_history_and_report(monkeypatch, companies):
    python, staged_ = both_paths(monkeypatch, lambda: imported(files(NAME, MIXED)))
    assert python == staged_
    ((rows, _),) = staged_[0]
    assert {outcome for _, _, outcome, *_ in rows} == {"imported", "rejected"}


def test_a_newer_download_updates_flags_vanished_and_fills_vendors_the_same_way(monkeypatch, companies):
    known, _ = companies
    first = [award("P1"), award("P2"), award("P3", recipient_name="LATER KNOWN", recipient_uei="LATER")]
    newer = [
        award("P1", total_obligated_amount="17000.00"),
        award(
            "P3", recipient_name="LATER KNOWN", recipient_uei="LATER", award_latest_action_date="2025-03-01"
        ),
    ]

    def scenario():
        reports = imported(
            files(NAME, first), period=(datetime.date(2024, 10, 1), datetime.date(2025, 9, 30))
        )
        alias(known, AliasScheme.UEI, "LATER")
        reports += imported(files(NAME, first))  # the same file again: all unchanged
        reports += imported(
            files(NEWER, newer), period=(datetime.date(2024, 10, 1), datetime.date(2025, 9, 30))
        )
        return reports

    python, staged_ = both_paths(monkeypatch, scenario)
    assert python == staged_
    reports, state = staged_
    assert [outcome for _, _, outcome, *_ in reports[1][0]] == ["unchanged"] * 3
    assert [c["source_status"] for c in state["contracts"]] == [
        SourceStatus.PRESENT,
        SourceStatus.VANISHED,
        SourceStatus.PRESENT,
    ]


def test_split_downloads_older_layouts_and_options_behave_the_same(monkeypatch, companies):
    user = User.objects.create_user("reviewer", password="x" * 12, is_staff=True)

    def scenario():
        part_1 = csv_file(NAME, AWARDS_286, [award("P1"), award("P2")], bom=True)
        part_2 = csv_file(
            NAME.replace("_1.csv", "_2.csv"), AWARDS_286, [award("P3"), award("P1")], line_end="\n"
        )
        return [
            import_files([part_1, part_2], ImportOptions(reason="FY2025", publish=True, user=user)),
            import_files(files("old.csv", [award("P9")], header=OLDER_AWARDS), ImportOptions()),
            import_files(
                files("bad.csv", [award("P4"), award("P5", total_obligated_amount="x")]),
                ImportOptions(all_or_nothing=True),
            ),
            import_files(files("dry.csv", [award("P6")]), ImportOptions(dry_run=True)),
        ]

    python, staged_ = both_paths(monkeypatch, scenario)
    assert python == staged_


def test_when_the_database_refuses_the_set_wise_write_the_python_batches_take_over(monkeypatch, companies):
    def refuse(*args, **kwargs):
        raise DatabaseError("refused for the test")

    monkeypatch.setattr(award_sql, "insert_citations", refuse)
    python, staged_ = both_paths(monkeypatch, lambda: imported(files(NAME, MIXED)))
    assert python == staged_


def test_rows_of_an_agency_that_cannot_be_created_are_rejected_the_same_way(monkeypatch, companies):
    original = usaspending.DownloadImport.create_agency

    def create_agency(job, agency):
        if agency.name == "Department of Justice":
            raise DatabaseError("refused for the test")
        return original(job, agency)

    monkeypatch.setattr(usaspending.DownloadImport, "create_agency", create_agency)
    rows = [*MIXED, award("P30", awarding_agency_name="DEPARTMENT OF JUSTICE", awarding_agency_code="015")]
    python, staged_ = both_paths(monkeypatch, lambda: imported(files(NAME, rows)))
    assert python == staged_
    ((report_rows, _),) = staged_[0]
    refused = [r for r in report_rows if "could not be created" in r[5]]
    assert [(line, column) for _, line, _, _, column, *_ in refused] == [
        (13, "awarding_sub_agency_name"),
        (len(rows) + 2, "awarding_sub_agency_name"),  # the header and P12's quoted line break
    ]


def test_files_with_a_nul_byte_take_the_python_path():
    data = csv_bytes(AWARDS_286, [award("P1", prime_award_base_transaction_description="A\0B")])
    assert not staged.can_stage([raw_file(NAME, data)])
    assert staged.can_stage([raw_file(NAME, csv_bytes(AWARDS_286, [award("P1")]))])


def test_a_large_file_is_written_with_a_flat_number_of_queries(django_assert_max_num_queries):
    rows = [award(f"P{n}", recipient_uei=f"U{n % 7}") for n in range(300)]
    with django_assert_max_num_queries(60):  # statements per step, none per row
        report = import_files(files(NAME, rows), ImportOptions())
    assert report.counts["imported"] == 300


CELL = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\0"), max_size=12),
    st.sampled_from(
        ["", "-1", "0", "16000", "16000.5", "2025-02-29", "2024-02-29", "1/2/03", "2025-01-15T00:00"]
    ),
)
RANDOM_FIELDS = [
    "contract_award_unique_key",
    "award_id_piid",
    "total_obligated_amount",
    "potential_total_value_of_award",
    "period_of_performance_start_date",
    "period_of_performance_current_end_date",
    "award_latest_action_date",
    "awarding_agency_name",
    "awarding_sub_agency_name",
    "recipient_name",
    "recipient_uei",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.fixed_dictionaries({}, optional={n: CELL for n in RANDOM_FIELDS}), min_size=1, max_size=5
    )
)
def test_random_rows_give_the_same_results_on_both_paths(monkeypatch, rows):
    data = csv_bytes(AWARDS_286, [award(**row) for row in rows])

    def scenario():
        return [import_files([CsvFile(NAME, io.BytesIO(data))], ImportOptions(), ImportReport())]

    python, staged_ = both_paths(monkeypatch, scenario)
    assert python == staged_
