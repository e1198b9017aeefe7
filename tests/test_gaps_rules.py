"""Each gap rule fires on a minimal positive case and stays silent on the nearest negative one."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from policies import models as m
from tests import factories as f
from tests.gaps_factories import Case, D, findings, worded

pytestmark = pytest.mark.django_db


# --- commitment vs contract ---------------------------------------------------------------------


def test_a_contract_running_after_a_prohibiting_commitment_took_effect_is_flagged():
    case = Case()
    contract = case.contract(started_on=D(2024, 6, 1))
    found = findings("commitment_vs_contract")
    [finding] = found.values()
    assert finding.company_id == case.company.pk
    assert finding.commitment_id == case.commitment.pk
    assert contract in finding.evidence and case.version in finding.evidence
    assert case.product in finding.evidence


def test_a_contract_that_ended_before_the_commitment_took_effect_is_not_flagged():
    case = Case()
    case.contract(started_on=D(2022, 1, 1), ended_on=D(2023, 12, 31))
    assert findings("commitment_vs_contract") == {}


def test_a_contract_without_a_reported_end_counts_as_still_running():
    case = Case()
    case.contract(started_on=D(2020, 1, 1), ended_on=None)
    assert len(findings("commitment_vs_contract")) == 1


def test_an_in_force_by_commitment_is_not_assumed_to_exist_before_its_date():
    case = Case(effective_on=D(2026, 2, 1), basis="in_force_by", precision="month")
    case.contract(started_on=D(2025, 1, 1), ended_on=D(2026, 2, 15))  # ended within February
    assert findings("commitment_vs_contract") == {}
    case.contract(started_on=D(2025, 3, 1), started_precision="month")  # no end reported
    assert len(findings("commitment_vs_contract")) == 1


def test_a_product_without_the_commitments_topic_is_not_flagged():
    case = Case()
    other = f.topic()
    from tests.gaps_factories import capability, product

    unrelated = product(case.company, [capability([other])])
    case.contract(products=[unrelated])
    assert findings("commitment_vs_contract") == {}


def test_a_subsidiarys_contract_counts_while_the_link_held():
    case = Case()
    subsidiary = f.company()
    link = f._save(m.CompanyRelationship(parent=case.company, child=subsidiary, kind="subsidiary",
                                         started_on=D(2020, 1, 1), editorial_status="published"))
    case.contract(vendor=subsidiary, started_on=D(2025, 1, 1))
    [finding] = findings("commitment_vs_contract").values()
    assert finding.company_id == case.company.pk and link in finding.evidence


def test_a_subsidiary_link_that_ended_before_the_contract_does_not_count():
    case = Case()
    former = f.company()
    f._save(m.CompanyRelationship(parent=case.company, child=former, kind="subsidiary",
                                  started_on=D(2020, 1, 1), ended_on=D(2024, 12, 31),
                                  editorial_status="published"))
    case.contract(vendor=former, products=[], started_on=D(2025, 1, 1))
    from tests.gaps_factories import capability, product, sell

    sell(m.Contract.objects.get(vendor=former), product(former, [capability([case.topic])]))
    assert findings("commitment_vs_contract") == {}


def test_a_reseller_selling_the_companys_product_counts_for_the_company():
    case = Case()
    reseller = f.company()
    case.contract(vendor=reseller, started_on=D(2025, 1, 1))
    [finding] = findings("commitment_vs_contract").values()
    assert finding.company_id == case.company.pk
    assert reseller.name in finding.summary


def test_a_draft_contract_is_never_evidence():
    case = Case()
    case.contract(status="draft")
    assert findings("commitment_vs_contract") == {}


def test_a_commitment_that_only_commits_to_something_is_not_held_against_contracts():
    case = Case()
    case.clause.stance = "commits"
    f._save(case.clause)
    case.contract()
    assert findings("commitment_vs_contract") == {}


# --- assurance vs growth ----------------------------------------------------------------------


def _growth(kind="assurance", later="1300", said=None):
    case = Case()
    said = said or D(2025, 1, 1)
    f.statement(case.company, kind=kind, made_on=said, made_precision="day", agency=case.agency)
    case.observation("400", D(2025, 7, 1))
    case.observation(later, D(2026, 1, 1))
    return case


def test_an_assurance_followed_by_more_than_threefold_growth_is_flagged():
    _growth(later="1300")
    [finding] = findings("assurance_vs_growth").values()
    assert "3.2 times" in finding.summary


def test_a_quote_holding_quotation_marks_is_quoted_with_single_ones_inside():
    case = Case()
    f.statement(case.company, kind="defence", made_on=D(2025, 1, 1), made_precision="day", agency=case.agency,
                quote="The contracts were for “legacy mail” only")
    case.observation("400", D(2025, 7, 1))
    case.observation("1300", D(2026, 1, 1))
    [finding] = findings("assurance_vs_growth").values()
    assert "“The contracts were for ‘legacy mail’ only”" in finding.summary


def test_growth_to_exactly_three_times_is_not_more_than_tripled():
    _growth(later="1200")
    assert findings("assurance_vs_growth") == {}


def test_a_defence_of_the_work_counts_like_an_assurance():
    _growth(kind="defence", later="1400")
    assert len(findings("assurance_vs_growth")) == 1


def test_an_acknowledgement_is_not_an_assurance():
    _growth(kind="acknowledgement", later="1400")
    assert findings("assurance_vs_growth") == {}


def test_growth_that_happened_before_the_statement_is_not_flagged():
    _growth(later="1400", said=D(2026, 2, 1))
    assert findings("assurance_vs_growth") == {}


def test_the_growth_threshold_is_a_setting(settings):
    _growth(later="1300")
    settings.GAP_GROWTH_THRESHOLD = 4.0
    assert findings("assurance_vs_growth") == {}


# --- no visibility ------------------------------------------------------------------------------


def test_saying_it_cannot_see_the_use_while_a_use_dependent_commitment_stands_is_flagged():
    case = Case()
    st = f.statement(case.company, kind="no_visibility", made_on=D(2026, 2, 1))
    [finding] = findings("no_visibility").values()
    assert finding.commitment_id == case.commitment.pk and st in finding.evidence


def test_a_commitment_that_does_not_depend_on_use_is_not_flagged():
    case = Case()
    case.commitment.depends_on_use = False
    f._save(case.commitment)
    f.statement(case.company, kind="no_visibility", made_on=D(2026, 2, 1))
    assert findings("no_visibility") == {}


def test_a_no_visibility_statement_about_another_topic_is_not_flagged():
    case = Case()
    st = f.statement(case.company, kind="no_visibility", made_on=D(2026, 2, 1))
    f._save(m.StatementTopic(statement=st, topic=f.topic()))
    assert findings("no_visibility") == {}


# --- weakened after contract ---------------------------------------------------------------------


def _weakened(version_on, confirmed=True, change="weakened"):
    case = Case()
    case.contract(started_on=D(2025, 1, 1))
    v2 = f.policy_version(case.policy, effective_on=version_on, text="We may allow some uses.")
    worded(case.commitment, v2, text="We may allow some uses.", change=change, confirmed=confirmed)
    return case


def test_a_commitment_weakened_within_a_year_after_a_contract_began_is_flagged():
    _weakened(D(2025, 6, 1))
    [finding] = findings("weakened_after_contract").values()
    assert "weakened" in finding.summary


def test_a_weakening_after_the_window_is_not_flagged():
    _weakened(D(2026, 1, 2))  # 366 days after 1 January 2025
    assert findings("weakened_after_contract") == {}


def test_an_unconfirmed_weakening_is_not_flagged():
    _weakened(D(2025, 6, 1), confirmed=False)
    assert findings("weakened_after_contract") == {}


def test_a_weakening_before_the_contract_began_is_not_flagged():
    case = Case()
    v2 = f.policy_version(case.policy, effective_on=D(2024, 6, 1), text="We may allow some uses.")
    worded(case.commitment, v2, text="We may allow some uses.", change="weakened", confirmed=True)
    case.contract(started_on=D(2025, 1, 1))
    assert findings("weakened_after_contract") == {}


# --- unanswered employees -----------------------------------------------------------------------


def _raised(**kw):
    case = Case()
    action = f.employee_action(case.company, reported_on=D(2026, 1, 10), **kw)
    f._save(m.EmployeeActionTopic(employee_action=action, topic=case.topic))
    return case, action


def test_employees_concerns_with_no_response_after_ninety_days_are_flagged():
    case, action = _raised()
    [finding] = findings("unanswered_employees", today=D(2026, 4, 11)).values()
    assert finding.commitment_id == case.commitment.pk and action in finding.evidence


def test_employees_concerns_within_ninety_days_are_not_yet_flagged():
    _raised()
    assert findings("unanswered_employees", today=D(2026, 4, 10)) == {}


def test_a_recorded_company_response_silences_the_rule():
    _raised(company_response="We met the employees.", responded_on=D(2026, 2, 1))
    assert findings("unanswered_employees", today=D(2026, 6, 1)) == {}


def test_an_embargoed_employee_action_is_never_used():
    _raised(embargo_until=datetime.date.today() + datetime.timedelta(days=30))
    assert findings("unanswered_employees", today=D(2026, 6, 1)) == {}


# --- unanswered right of reply --------------------------------------------------------------------


def _asked(**kw):
    case = Case()
    fields = dict(company=case.company, content_type=ContentType.objects.get_for_model(m.Commitment),
                  object_id=case.commitment.pk, asked_on=D(2026, 3, 1), deadline_on=D(2026, 3, 15),
                  channel="email to the press office", editorial_status="published")
    fields.update(kw)
    return case, f._save(m.RightOfReply(**fields))


def test_a_request_past_its_deadline_without_an_answer_is_flagged():
    case, reply = _asked()
    [finding] = findings("unanswered_right_of_reply", today=D(2026, 3, 16)).values()
    assert finding.commitment_id == case.commitment.pk and reply in finding.evidence


def test_a_request_still_within_its_deadline_is_not_flagged():
    _asked()
    assert findings("unanswered_right_of_reply", today=D(2026, 3, 15)) == {}


def test_declining_to_comment_counts_as_an_answer():
    _asked(outcome="declined")
    assert findings("unanswered_right_of_reply", today=D(2026, 6, 1)) == {}
