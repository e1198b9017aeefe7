"""Staff triage of signals (functions and admin actions), gap page data, and the method page."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse

from policies import models as m
from policies.gaps import pages, triage
from policies.gaps.detect import detect_gaps
from tests import factories as f
from tests.gaps_factories import Case, D

pytestmark = pytest.mark.django_db


def _signals():
    case = Case()
    case.contract()
    f.statement(case.company, kind="no_visibility", made_on=D(2026, 2, 1))
    detect_gaps()
    return case, list(m.Signal.objects.order_by("rule"))


def test_confirming_signals_creates_a_draft_gap_with_their_evidence_and_keeps_the_reason():
    case, signals = _signals()
    gap = triage.confirm(signals, title="Commitment vs contract", narrative="They diverge.",
                         severity="high", reason="Both signals hold up against the sources.")
    assert (gap.editorial_status, gap.status, gap.commitment) == ("draft", "confirmed", case.commitment)
    assert gap.evidence.count() == len({(e.content_type_id, e.object_id)
                                         for s in signals for e in s.evidence.all()})
    for s in m.Signal.objects.all():
        assert (s.status, s.gap) == ("confirmed", gap)
        assert "Both signals hold up" in s.history.first().history_change_reason


def test_merging_adds_signals_to_an_existing_gap_of_the_same_company():
    case, signals = _signals()
    gap = f.gap(case.company, case.commitment)
    triage.merge(signals[:1], gap, reason="Same finding.")
    assert m.Signal.objects.get(pk=signals[0].pk).status == "merged"
    with pytest.raises(triage.TriageError):
        triage.merge(signals[1:], f.gap(), reason="Wrong company.")


def test_dismissing_requires_a_reason():
    _, signals = _signals()
    with pytest.raises(triage.TriageError):
        triage.dismiss(signals, reason="  ")
    triage.dismiss(signals, reason="Not a surveillance product.")
    assert set(m.Signal.objects.values_list("status", flat=True)) == {"dismissed"}


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-1")
    client.force_login(user)
    return client


def _action(staff_client, action, signals, **data):
    url = reverse("admin:policies_signal_changelist")
    post = {"action": action, ACTION_CHECKBOX_NAME: [s.pk for s in signals], **data}
    return staff_client.post(url, post, HTTP_HOST="localhost")


def test_the_admin_confirm_action_asks_for_a_narrative_then_creates_the_gap(staff_client, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    _, signals = _signals()
    page = _action(staff_client, "confirm_into_gap", signals)
    assert page.status_code == 200 and b"narrative" in page.content
    _action(staff_client, "confirm_into_gap", signals, apply="1", title="A gap", narrative="Diverges.",
            severity="medium", change_reason="Reviewed against the sources.")
    assert m.Gap.objects.get().title == "A gap"
    assert set(m.Signal.objects.values_list("status", flat=True)) == {"confirmed"}


def test_the_admin_dismiss_action_refuses_without_a_reason(staff_client, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    _, signals = _signals()
    page = _action(staff_client, "dismiss_signals", signals, apply="1", change_reason="")
    assert page.status_code == 200
    assert set(m.Signal.objects.values_list("status", flat=True)) == {"open"}
    _action(staff_client, "dismiss_signals", signals, apply="1", change_reason="Duplicate of another signal.")
    assert set(m.Signal.objects.values_list("status", flat=True)) == {"dismissed"}


def test_gap_page_data_has_the_wording_as_it_stood_the_signals_and_status_changes():
    case, signals = _signals()
    gap = triage.confirm(signals, title="A gap", narrative="Diverges.", severity="high", reason="Reviewed.")
    gap.editorial_status = "published"
    f._save(gap)
    gap.status, gap.status_reason = "disputed", "The company disputes the contract's scope."
    f._save(gap)
    data = pages.gap_detail_data(gap)
    assert data["clause_as_it_stood"] == case.clause
    assert {s.rule for s in data["signals"]} == {"commitment_vs_contract", "no_visibility"}
    assert [c.status for c in data["status_changes"]] == ["confirmed", "disputed"]
    assert data["status_changes"][1].attribution in ("Editorial team", "Tracker (automated)")


def test_companies_can_be_ordered_by_open_gaps():
    quiet, busy = f.company(name="Aardvark Example Cloud"), f.company(name="Zebra Example Cloud")
    f.gap(busy)
    f.gap(busy, status="published")
    ordered = list(pages.order_by_open_gaps(m.Company.objects.public()))
    assert ordered.index(busy) < ordered.index(quiet)
    assert next(c for c in ordered if c == busy).open_gaps == 2


def test_the_method_page_explains_each_rule_with_the_current_settings(client, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.GAP_EMPLOYEE_RESPONSE_DAYS = 60
    page = client.get(reverse("policies:method"), HTTP_HOST="localhost")
    text = page.content.decode()
    assert page.status_code == 200
    assert "How we identify gaps" in text and "more than 3 times" in text
    assert "no company response is recorded 60 days" in text
    for rule in ("commitment_vs_contract", "assurance_vs_growth", "no_visibility",
                 "weakened_after_contract", "unanswered_employees", "unanswered_right_of_reply"):
        assert rule in text
