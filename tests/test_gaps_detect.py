"""detect_gaps: the founding case, idempotence, withdrawal on retraction, bounded queries, hooks."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies import models as m
from policies.gaps.detect import detect_gaps
from tests import factories as f
from tests.gaps_factories import Case, D

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("detect_gaps", *args, stdout=out)
    return out.getvalue()


def test_on_the_seed_data_it_finds_the_founding_case_through_at_least_three_rules():
    call_command("load_seed", stdout=StringIO())
    output = run()
    microsoft = m.Company.objects.get(slug="microsoft")
    rules = set(m.Signal.objects.filter(company=microsoft).values_list("rule", flat=True))
    assert {"commitment_vs_contract", "assurance_vs_growth", "no_visibility"} <= rules
    growth = m.Signal.objects.get(company=microsoft, rule="assurance_vs_growth")
    assert "400 TB" in growth.summary and "1,400 TB" in growth.summary
    contract = m.Signal.objects.get(company=microsoft, rule="commitment_vs_contract")
    assert "Dell Federal Systems" in contract.summary and "Azure AI Video Indexer" in contract.summary
    assert "in force by February 2026" in contract.summary
    assert "created" in output


def test_re_running_on_the_seed_data_creates_nothing_and_writes_no_history():
    call_command("load_seed", stdout=StringIO())
    run()
    signals, history = m.Signal.objects.count(), m.Signal.history.count()
    output = run()
    assert "0 created, 0 updated, 0 reopened, 0 withdrawn" in output
    assert (m.Signal.objects.count(), m.Signal.history.count()) == (signals, history)


def test_dry_run_prints_what_it_would_create_and_writes_nothing():
    case = Case()
    case.contract()
    output = run("--dry-run")
    assert "would create" in output and "commitment_vs_contract" in output
    assert m.Signal.objects.count() == 0


def test_it_can_be_limited_to_one_company():
    Case().contract()
    other = Case()
    other.contract()
    run("--company", other.company.slug)
    assert set(m.Signal.objects.values_list("company", flat=True)) == {other.company.pk}


def test_retracting_a_piece_of_evidence_withdraws_the_signal_with_a_reason_in_history():
    case = Case()
    contract = case.contract()
    detect_gaps()
    signal = m.Signal.objects.get(rule="commitment_vs_contract")
    contract.editorial_status, contract.correction_note = "retracted", "The award was misattributed."
    f._save(contract)
    report = detect_gaps()
    signal.refresh_from_db()
    assert report.count("withdraw") == 1 and signal.status == "withdrawn"
    reason = signal.history.first().history_change_reason
    assert "retracted" in reason and "misattributed" in reason


def test_republishing_the_evidence_reopens_a_withdrawn_signal():
    case = Case()
    contract = case.contract()
    detect_gaps()
    contract.editorial_status, contract.correction_note = "retracted", "Checking."
    f._save(contract)
    detect_gaps()
    contract.editorial_status = "published"
    f._save(contract)
    detect_gaps()
    assert m.Signal.objects.get().status == "open"


def test_a_dismissed_signal_stays_dismissed_when_the_rules_run_again():
    case = Case()
    case.contract()
    detect_gaps()
    signal = m.Signal.objects.get()
    signal.status, signal.triage_reason = "dismissed", "Not a surveillance product."
    f._save(signal)
    assert detect_gaps().changes == []
    signal.refresh_from_db()
    assert signal.status == "dismissed"


def _companies(n):
    for _ in range(n):
        case = Case()
        case.contract(started_on=D(2025, 1, 1))
        f.statement(case.company, kind="no_visibility", made_on=D(2026, 2, 1))
        f.statement(case.company, kind="assurance", made_on=D(2025, 1, 1), agency=case.agency)
        case.observation("400", D(2025, 7, 1))
        case.observation("1400", D(2026, 1, 1))


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_rule_queries_do_not_grow_with_the_number_of_companies():
    # Queries: one per kind of record read (about 20), then the stored signals with their
    # evidence (2). Measured on a dry run (finding) and on a re-run (finding, nothing to write).
    _companies(1)
    detect_gaps()  # warm the content-type cache
    one_dry, one_rerun = _queries(lambda: detect_gaps(dry_run=True)), _queries(detect_gaps)
    assert m.Signal.objects.count() == 3
    _companies(99)
    hundred_dry = _queries(lambda: detect_gaps(dry_run=True))
    detect_gaps()
    assert m.Signal.objects.count() == 300
    hundred_rerun = _queries(detect_gaps)
    assert one_dry == hundred_dry
    assert one_rerun == hundred_rerun
    assert one_rerun <= 25


def test_a_relevant_save_re_runs_the_rules_for_that_company_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    case = Case()
    case.contract()
    with django_capture_on_commit_callbacks(execute=True):
        f.statement(case.company, kind="no_visibility", made_on=D(2026, 2, 1))
    assert set(m.Signal.objects.values_list("rule", flat=True)) == {"commitment_vs_contract", "no_visibility"}


def test_saves_in_one_transaction_trigger_one_scoped_detection(
    django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("policies.gaps.detect.detect_gaps", lambda ids: calls.append(ids) or _Empty())
    case = Case()
    with django_capture_on_commit_callbacks(execute=True):
        f.statement(case.company, kind="no_visibility", made_on=D(2026, 2, 1))
        f.statement(case.company, kind="assurance", made_on=D(2026, 2, 1))
    assert calls == [[case.company.pk]]


def test_detection_after_saves_can_be_switched_off(django_capture_on_commit_callbacks, settings):
    settings.GAP_DETECT_ON_SAVE = False
    case = Case()
    with django_capture_on_commit_callbacks(execute=True):
        case.contract()
    assert m.Signal.objects.count() == 0


class _Empty:
    changes = ()


def test_deleting_the_evidence_re_runs_the_rules_and_withdraws_its_open_signal(
    django_capture_on_commit_callbacks,
):
    """Rules re-run after deletions too: a signal resting on a contract that no longer
    exists is withdrawn on commit, not left open until the next full run."""
    from policies.admin.base import delete_with_reason
    from tests.admin_support import reviewer

    case = Case()
    contract = case.contract()
    detect_gaps([case.company.pk])
    signal = m.Signal.objects.get(rule="commitment_vs_contract")
    assert signal.status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        delete_with_reason(contract, "Entered twice", reviewer())
    signal.refresh_from_db()
    assert signal.status == "withdrawn"


def test_taking_a_company_back_to_draft_and_publishing_it_again_re_runs_its_rules(
    django_capture_on_commit_callbacks,
):
    from policies import editorial
    from tests.admin_support import reviewer

    case = Case()
    case.contract()
    detect_gaps([case.company.pk])
    signal = m.Signal.objects.get(rule="commitment_vs_contract")
    with django_capture_on_commit_callbacks(execute=True):
        editorial.unpublish(case.company, user=reviewer(), reason="Checking its name")
    signal.refresh_from_db()
    assert signal.status == "withdrawn"
    with django_capture_on_commit_callbacks(execute=True):
        editorial.publish(m.Company.objects.get(pk=case.company.pk), user=reviewer(), reason="Checked")
    signal.refresh_from_db()
    assert signal.status == "open"


def _history_of_created(model):
    """What the history says of every row created: (type, reason, attribution, user)."""
    return sorted(
        model.history.filter(history_type="+").values_list(
            "history_type", "history_change_reason", "public_attribution", "history_user_id"
        )
    )


def test_a_first_run_writes_new_signals_in_bulk_with_the_history_a_save_would_write(monkeypatch):
    _companies(20)
    writes = _queries(detect_gaps)
    assert m.Signal.objects.count() == 60 and m.SignalEvidence.objects.count() > 60
    bulk = {model: _history_of_created(model) for model in (m.Signal, m.SignalEvidence)}
    # The same run one signal at a time (the path taken when another run created one meanwhile).
    m.SignalEvidence.objects.all().delete()
    m.Signal.objects.all().delete()
    m.Signal.history.all().delete()
    m.SignalEvidence.history.all().delete()
    monkeypatch.setattr("policies.gaps.detect._bulk_create", _raise_integrity_error)
    one_by_one = _queries(detect_gaps)
    assert {model: _history_of_created(model) for model in bulk} == bulk
    assert all(reason.startswith("Found by rule") for _, reason, _, _ in bulk[m.Signal])
    assert {(who, user) for _, _, who, user in bulk[m.Signal]} == {("Tracker (automated)", None)}
    assert writes < one_by_one / 5  # a few statements per 500 rows, not several per row
    assert writes <= 40


def _raise_integrity_error(changes):
    from django.db import IntegrityError

    raise IntegrityError("as if another run had created one of them")


def test_signals_another_run_created_meanwhile_are_skipped_and_the_rest_created(monkeypatch):
    from policies.gaps import detect

    _companies(3)
    real_plan = detect.plan

    def plan_then_race(findings, existing):
        changes = real_plan(findings, existing)
        first = next(c for c in changes if c.action == "create")  # another run gets there first
        m.Signal.objects.create(
            rule=first.finding.rule, fingerprint=first.fingerprint, company_id=first.finding.company_id,
            summary="created by another run",
        )
        return changes

    monkeypatch.setattr(detect, "plan", plan_then_race)
    report = detect_gaps()
    assert report.created == 9
    assert m.Signal.objects.count() == 9
    assert m.Signal.objects.filter(summary="created by another run").count() == 1
    assert all(s.evidence.exists() for s in m.Signal.objects.exclude(summary="created by another run"))


def test_a_run_that_creates_signals_drops_the_cached_pages():
    from policies.cache import content_version

    _companies(2)
    before = content_version()
    detect_gaps()
    assert content_version() != before


def test_signals_created_after_a_staff_save_name_that_editor_in_history_as_a_save_would(rf):
    from simple_history.models import HistoricalRecords

    from tests.admin_support import editor as make_editor

    editor = make_editor()
    request = rf.get("/")
    request.user = editor
    _companies(2)
    HistoricalRecords.context.request = request  # what HistoryRequestMiddleware sets for a request
    try:
        detect_gaps()
    finally:
        del HistoricalRecords.context.request
    for model in (m.Signal, m.SignalEvidence):
        attributed = {(who, user) for _, _, who, user in _history_of_created(model)}
        assert attributed == {("Editorial team", editor.pk)}
