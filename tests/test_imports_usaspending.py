"""Importing USAspending contract downloads: layouts, upserts, aliases, vanished records."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies.imports.report import Outcome
from policies.imports.usaspending import ImportOptions, import_files
from policies.models import (
    Agency,
    AliasScheme,
    Citation,
    Company,
    CompanyAlias,
    Contract,
    ImportRun,
    ImportRunStatus,
    Observation,
    SourceStatus,
)
from tests import factories
from tests.usaspending_files import (
    AWARDS_286,
    OLDER_AWARDS,
    TRANSACTIONS_297,
    award,
    award_key,
    csv_file,
    transaction,
)

pytestmark = pytest.mark.django_db

NAME = "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
NEWER = "Contracts_PrimeAwardSummaries_2026-02-09_H10M00S00_1.csv"
TRANSACTIONS = "Contracts_PrimeTransactions_2026-01-05_H10M00S00_1.csv"


def run(name, header, rows, **options):
    return import_files([csv_file(name, header, rows)], ImportOptions(**options))


def alias(company, scheme, value):
    obj = CompanyAlias(company=company, scheme=scheme, value=value)
    obj._change_reason = "Test data"
    obj.save()
    return obj


def history_rows():
    return Contract.history.count() + Observation.history.count() + Citation.history.count()


def test_the_286_column_layout_imports_contracts_as_drafts_under_the_agency():
    assert len(AWARDS_286) == 286
    report = run(
        NAME, AWARDS_286, [award("70CMSD25C0001"), award("70CMSD25C0002", total_obligated_amount="250.5")]
    )

    assert report.ok and report.counts[Outcome.IMPORTED] == 2
    contract = Contract.objects.get(award_key=award_key("70CMSD25C0001"))
    assert contract.editorial_status == "draft"
    assert contract.title == "70CMSD25C0001 — CLOUD STORAGE SERVICES"
    assert contract.amount == Decimal("16000.00")
    assert contract.potential_amount == Decimal("20000.00")
    assert (contract.started_on, contract.ended_on) == (
        datetime.date(2025, 1, 15),
        datetime.date(2025, 12, 31),
    )
    assert contract.source_status == SourceStatus.PRESENT
    assert contract.last_seen_in_source_on == datetime.date(2026, 1, 5)  # the date in the file name
    assert Contract.objects.get(award_id="70CMSD25C0002").amount == Decimal("250.50")
    lines = report.summary_lines()
    assert any(line.startswith("New agency (draft): ") for line in lines)
    assert any("stay off the public site and the exports" in line for line in lines)
    ice = contract.agency
    assert (ice.name, ice.code, ice.editorial_status) == (
        "U.S. Immigration and Customs Enforcement",
        "7012",
        "draft",
    )
    assert ice.parent.name == "Department of Homeland Security"
    assert contract.citations.get().locator == f"{NAME}, line 2"
    assert contract.history.get().history_change_reason == f"Imported from {NAME}"
    assert contract.history.get().public_attribution == "Tracker (automated)"


def test_the_297_column_transactions_layout_records_each_obligation_even_negative():
    assert len(TRANSACTIONS_297) == 297
    company = factories.company(name="Example Cloud 0042")
    alias(company, AliasScheme.UEI, "EXMPLCLD0042")
    rows = [
        transaction(
            modification="0", federal_action_obligation="16000.00", total_dollars_obligated="12000.00"
        ),
        transaction(
            modification="P00001",
            federal_action_obligation="-4000.00",
            action_date="2025-06-30",
            total_dollars_obligated="12000.00",
        ),
    ]
    report = run(TRANSACTIONS, TRANSACTIONS_297, rows)

    assert report.ok and report.counts[Outcome.IMPORTED] == 2
    contract = Contract.objects.get()
    assert (contract.vendor, contract.amount) == (company, Decimal("12000.00"))
    observations = list(Observation.objects.order_by("observed_on"))
    assert [(o.metric, o.value, o.observed_on) for o in observations] == [
        ("obligation", Decimal("16000.00"), datetime.date(2025, 1, 15)),
        ("obligation", Decimal("-4000.00"), datetime.date(2025, 6, 30)),
    ]
    assert observations[1].transaction_key == "9700_7012_70CMSD25C0001_P00001_-NONE-_0"
    assert all(o.contract == contract and o.editorial_status == "draft" for o in observations)


def test_an_older_layout_with_award_description_and_duns_but_no_uei_imports():
    assert "award_description" in OLDER_AWARDS and "recipient_uei" not in OLDER_AWARDS
    company = factories.company(name="Example Cloud 0042")
    alias(company, AliasScheme.DUNS, "000000042")
    report = run(NAME, OLDER_AWARDS, [award(awarding_agency_name="DEPARTMENT OF HOMELAND SECURITY")])

    assert report.ok and report.counts[Outcome.IMPORTED] == 1
    contract = Contract.objects.get()
    assert (contract.vendor, contract.description) == (company, "CLOUD STORAGE SERVICES")


def test_reimporting_the_same_file_changes_nothing_and_writes_no_history():
    rows = [award("70CMSD25C0001"), award("70CMSD25C0002")]
    run(NAME, AWARDS_286, rows)
    before = (
        history_rows(),
        Agency.history.count(),
        list(Contract.objects.values_list("revision", flat=True)),
    )

    report = run(NAME, AWARDS_286, rows)

    assert report.counts[Outcome.UNCHANGED] == 2 and report.total == 2
    after = (
        history_rows(),
        Agency.history.count(),
        list(Contract.objects.values_list("revision", flat=True)),
    )
    assert after == before


def test_a_changed_amount_updates_the_contract_and_history_shows_old_and_new_with_the_reason():
    run(NAME, AWARDS_286, [award(total_obligated_amount="16000.00")])
    report = run(NAME.replace("H10", "H11"), AWARDS_286, [award(total_obligated_amount="18500.00")])

    assert report.counts[Outcome.UPDATED] == 1
    assert ("amount", "16000.00", "18500.00") in report.rows[0].changes
    contract = Contract.objects.get()
    latest, previous = contract.history.order_by("-history_id")[:2]
    assert (previous.amount, latest.amount) == (Decimal("16000.00"), Decimal("18500.00"))
    assert latest.history_change_reason == f"Imported from {NAME.replace('H10', 'H11')}"
    delta = latest.diff_against(previous, excluded_fields=["updated_at", "revision"])
    assert [change.field for change in delta.changes] == ["amount"]


def test_the_reason_given_is_added_to_the_history_reason():
    run(NAME, AWARDS_286, [award()], reason="Monthly refresh")
    assert Contract.history.get().history_change_reason == f"Imported from {NAME}: Monthly refresh"


def test_name_variants_and_a_known_uei_land_on_one_company():
    company = factories.company(name="Microsoft Corporation", slug="microsoft")
    alias(company, AliasScheme.UEI, "QWERTY123456")
    rows = [
        award("P1", recipient_name="MICROSOFT CORPORATION", recipient_uei="", recipient_duns=""),
        award("P2", recipient_name="Microsoft Corp.", recipient_uei="", recipient_duns=""),
        award("P3", recipient_name="A NAME NEVER SEEN", recipient_uei="qwerty123456", recipient_duns=""),
    ]
    report = run(NAME, AWARDS_286, rows)

    assert report.counts[Outcome.IMPORTED] == 3 and not report.unknown_recipients
    assert set(Contract.objects.values_list("vendor", flat=True)) == {company.pk}
    assert Company.objects.count() == 1


def test_a_recipient_is_matched_through_its_parent_when_it_is_unknown():
    company = factories.company(name="Example Cloud 0099")
    report = run(
        NAME,
        AWARDS_286,
        [
            award(
                recipient_name="EXAMPLE CLOUD FEDERAL UNIT",
                recipient_uei="",
                recipient_parent_name="EXAMPLE CLOUD 0099 INC",
            )
        ],
    )
    assert Contract.objects.get().vendor == company
    assert report.rows[0].reason == "vendor matched through the recipient parent"


def test_unknown_recipients_are_listed_for_staff_and_no_company_is_created():
    report = run(NAME, AWARDS_286, [award("P1"), award("P2")])

    assert Company.objects.count() == 0
    assert Contract.objects.filter(vendor__isnull=True).count() == 2
    (entry,) = report.unknown_recipients.values()
    assert (entry.name, entry.uei, entry.rows) == ("EXAMPLE CLOUD 0042 LLC", "EXMPLCLD0042", 2)
    assert any("not matched to a company" in line for line in report.summary_lines())


def test_mapping_an_unknown_recipient_then_reimporting_fills_in_the_vendor():
    run(NAME, AWARDS_286, [award()])
    company = factories.company(name="Example Cloud 0042")
    report = run(NAME, AWARDS_286, [award()])

    assert report.counts[Outcome.UPDATED] == 1
    assert Contract.objects.get().vendor == company


def test_the_vendor_set_by_staff_is_never_overwritten():
    run(NAME, AWARDS_286, [award()])
    contract = Contract.objects.get()
    contract.vendor = factories.company(name="Example Maker 0007")
    contract.save()
    factories.company(name="Example Cloud 0042")
    run(NAME, AWARDS_286, [award()])
    contract.refresh_from_db()
    assert contract.vendor.name == "Example Maker 0007"


def test_existing_agencies_are_found_by_code_and_by_name_in_any_case():
    dhs = factories.agency(name="Department of Homeland Security", slug="dhs")
    ice = factories.agency(name="Immigration Enforcement (local name)", slug="ice", code="7012", parent=dhs)
    run(NAME, OLDER_AWARDS, [award(awarding_agency_name="DEPARTMENT OF HOMELAND SECURITY")])

    assert Contract.objects.get().agency == ice
    assert Agency.objects.count() == 2


def test_an_agency_without_a_sub_agency_gets_the_contract_directly():
    run(NAME, AWARDS_286, [award(awarding_sub_agency_name="", awarding_sub_agency_code="")])
    assert Contract.objects.get().agency.name == "Department of Homeland Security"


def test_a_newer_full_download_of_the_same_scope_flags_a_missing_award_as_vanished():
    run(NAME, AWARDS_286, [award("P1"), award("P2"), award("P3")])
    report = run(NEWER, AWARDS_286, [award("P1"), award("P2")])

    gone = Contract.objects.get(award_id="P3")
    assert report.vanished == [award_key("P3")]
    assert gone.source_status == SourceStatus.VANISHED
    assert gone.last_seen_in_source_on == datetime.date(2026, 1, 5)  # kept: when it was last seen
    assert gone.history.latest("history_id").history_change_reason.startswith(
        "No longer in the official source"
    )
    assert Contract.objects.get(award_id="P1").last_seen_in_source_on == datetime.date(2026, 2, 9)


def test_a_vanished_award_that_comes_back_is_present_again():
    run(NAME, AWARDS_286, [award("P1"), award("P2")])
    run(NEWER, AWARDS_286, [award("P1")])
    run(NEWER.replace("02-09", "03-09"), AWARDS_286, [award("P1"), award("P2")])
    assert Contract.objects.get(award_id="P2").source_status == SourceStatus.PRESENT


def test_a_download_of_another_period_or_agency_flags_nothing():
    run(NAME, AWARDS_286, [award("P1"), award("P2")])
    other_year = run(NEWER, AWARDS_286, [award("P1", award_latest_action_date="2023-05-01")])
    assert other_year.vanished == []
    other_agency = run(
        NEWER,
        AWARDS_286,
        [award("P9", awarding_sub_agency_code="7014", awarding_sub_agency_name="Example Border Office")],
    )
    assert other_agency.vanished == []
    assert not Contract.objects.filter(source_status=SourceStatus.VANISHED).exists()


def test_an_explicit_period_defines_the_scope():
    period = (datetime.date(2024, 10, 1), datetime.date(2025, 9, 30))
    run(NAME, AWARDS_286, [award("P1"), award("P2")], period=period)
    report = run(NEWER, AWARDS_286, [award("P1")], period=period)
    assert report.vanished == [award_key("P2")]
    assert ImportRun.objects.filter(period_given=True).count() == 2


def test_an_older_download_imported_after_a_newer_one_flags_nothing():
    run(NEWER, AWARDS_286, [award("P1")])
    report = run(NAME, AWARDS_286, [award("P1"), award("P2")])
    assert report.vanished == []
    assert any("newer download" in note for note in report.notes)


def test_the_parts_of_a_split_download_are_one_run():
    parts = [
        csv_file(NAME, AWARDS_286, [award("P1")]),
        csv_file(NAME.replace("_1.csv", "_2.csv"), AWARDS_286, [award("P2")], bom=True),
    ]
    report = import_files(parts, ImportOptions())
    assert report.counts[Outcome.IMPORTED] == 2
    run_record = ImportRun.objects.get()
    assert run_record.files.splitlines() == [parts[0].name, parts[1].name]
    assert len(run_record.seen_keys()) == 2 and run_record.status == ImportRunStatus.COMPLETE


def test_a_bom_and_bare_line_feeds_are_read_like_the_original():
    report = import_files([csv_file(NAME, AWARDS_286, [award()], bom=True, line_end="\n")], ImportOptions())
    assert report.counts[Outcome.IMPORTED] == 1


def test_a_dry_run_saves_nothing_but_reports_every_row():
    report = run(NAME, AWARDS_286, [award("P1"), award("P2", total_obligated_amount="x")], dry_run=True)
    assert (report.counts[Outcome.IMPORTED], report.counts[Outcome.REJECTED]) == (1, 1)
    assert not Contract.objects.exists() and not Agency.objects.exists() and not ImportRun.objects.exists()
    assert report.summary_lines()[0] == "Dry run: nothing was saved."


def test_publish_makes_new_contracts_and_their_source_public():
    run(NAME, AWARDS_286, [award()], publish=True)
    contract = Contract.objects.get()
    assert contract.editorial_status == "published" and contract.published_at
    assert contract.citations.get().source.editorial_status == "published"


def test_import_queries_do_not_grow_with_the_number_of_rows():
    def queries(rows, name):
        with CaptureQueriesContext(connection) as captured:
            run(name, AWARDS_286, rows)
        return len(captured)

    warm = queries([award("W1")], "warmup.csv")  # creates the agencies and the source once
    one = queries([award("A1")], "one.csv")
    # 20 rows: under SQLite's 999-parameter limit, past which Django splits one bulk INSERT in two.
    twenty = queries([award(f"B{i}") for i in range(20)], "twenty.csv")
    assert warm > one  # the agencies were created by the first file only
    assert twenty == one


def _staff_save(contract):
    staff_copy = Contract.objects.get(pk=contract.pk)
    staff_copy.description = "Corrected by staff against the award page"
    staff_copy.amount = Decimal("17000.00")
    staff_copy.revision += 1
    staff_copy._change_reason = "Corrected against the award page"
    staff_copy.save()


def test_a_contract_saved_by_staff_while_the_import_runs_is_not_overwritten_unseen(monkeypatch):
    """The import reads the contracts, then writes; a member of staff saves one in between.

    Row by row (SQLite): the row is refused, the staff save stands. Set-wise (PostgreSQL's
    award path, one UPDATE ... RETURNING from the row as it is then): the source's values
    win for the fields it supplies, as a change recorded after the staff's own, so the
    history shows both; the revision moves past the staff's.
    """
    from policies.imports import award_sql, usaspending

    run(NAME, AWARDS_286, [award(total_obligated_amount="16000.00")])
    contract = Contract.objects.get()
    target, name = (award_sql, "update_contracts") if connection.vendor == "postgresql" else (
        usaspending.DownloadImport, "write")
    original = getattr(target, name)

    def staff_saves_first(*args):  # after the import read the contract, before it writes
        _staff_save(contract)
        monkeypatch.setattr(target, name, original)
        return original(*args)

    monkeypatch.setattr(target, name, staff_saves_first)
    before = contract.history.count()
    report = run(NAME.replace("H10", "H11"), AWARDS_286, [award(total_obligated_amount="18500.00")])
    contract.refresh_from_db()
    if connection.vendor == "postgresql":
        assert report.counts[Outcome.UPDATED] == 1
        latest, staff = contract.history.order_by("-history_id")[:2]
        assert contract.amount == Decimal("18500.00") and contract.revision == staff.revision + 1
        assert staff.history_change_reason == "Corrected against the award page"
        assert staff.description == "Corrected by staff against the award page"
        assert latest.history_change_reason.startswith("Imported from")
        assert (latest.description, latest.amount) == (contract.description, contract.amount)
        return
    assert contract.description == "Corrected by staff against the award page"
    assert report.counts[Outcome.REJECTED] == 1
    assert "saved by someone else while this import ran" in report.rows[0].reason
    assert contract.amount == Decimal("17000.00")
    assert contract.history.count() == before + 1  # the staff save only
    again = run(NAME.replace("H10", "H12"), AWARDS_286, [award(total_obligated_amount="18500.00")])
    assert again.counts[Outcome.UPDATED] == 1
    contract.refresh_from_db()
    assert contract.amount == Decimal("18500.00")  # now knowingly, over the staff save, in history
    assert contract.history.count() == before + 2


def test_an_import_stopped_halfway_is_logged_as_interrupted_not_running(monkeypatch):
    """Ctrl-C (or a killed process) after some batches: the run says so; its rows stay."""
    from policies.imports import usaspending
    from policies.models import ImportRun, ImportRunStatus

    def stopped(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(usaspending.DownloadImport, "finish", stopped)
    with pytest.raises(KeyboardInterrupt):
        run(NAME, AWARDS_286, [award("P1"), award("P2")])
    [logged] = ImportRun.objects.all()
    assert logged.status == ImportRunStatus.INTERRUPTED and logged.finished_at is not None
    assert Contract.objects.count() == 2  # the batches written before the stop are kept
    with pytest.raises(KeyboardInterrupt):
        run(NAME, AWARDS_286, [award("P3")], all_or_nothing=True)  # rolled back whole: no run
    assert ImportRun.objects.count() == 1 and Contract.objects.count() == 2


@pytest.fixture
def scheduled(monkeypatch, settings):
    """The company ids the import asks the gap rules to re-check (hooks.schedule)."""
    from policies.gaps import hooks

    settings.GAP_DETECT_ON_SAVE = True
    asked = []
    monkeypatch.setattr(hooks, "schedule", lambda ids: asked.extend(c for c in ids if c))
    return asked


def test_gap_rules_re_check_only_companies_whose_published_contracts_changed(scheduled):
    """The rules read published records only: new drafts change nothing they see, so an
    import of drafts (the default) must not re-run them for every recipient (in a large
    world that took most of the import's time); a published contract's new amount must."""
    company = factories.company(name="Example Cloud 0042", slug="example-cloud-0042")
    alias(company, AliasScheme.UEI, "EXMPLCLD0042")
    scheduled.clear()  # saving the company itself asks for a re-check

    run(NAME, AWARDS_286, [award("P1"), award("P2")])
    assert Contract.objects.filter(editorial_status="draft").count() == 2
    assert scheduled == []

    Contract.objects.filter(award_id="P1").update(
        editorial_status="published", published_at="2026-01-06T00:00Z"
    )
    changed = [award("P1", total_obligated_amount="17000.00"), award("P2", total_obligated_amount="1.00")]
    run(NEWER, AWARDS_286, changed)
    assert scheduled == [company.pk]  # P1 is published; P2's change is to a draft

    scheduled.clear()
    run(NEWER.replace("H10", "H11"), AWARDS_286, [award("P3")], publish=True)
    assert scheduled == [company.pk]
