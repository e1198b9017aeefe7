"""Commitments across policy versions: matched, classified, and confirmed by staff."""

import pytest

from policies import models as m
from policies.gaps.matching import confirm_change, match_unmatched_versions, match_version, suggest_change
from tests import factories as f
from tests.gaps_factories import Case, D

OLD = "We will not allow our technology to be used for the mass surveillance of civilians."


@pytest.mark.parametrize(
    "new, expected",
    [
        (OLD, "unchanged"),
        ("We will not allow our technology to be used for mass surveillance of civilians!", "reworded"),
        ("We may allow our technology to be used for the mass surveillance of civilians.", "weakened"),
        ("We will not allow our technology to be used for the mass surveillance of civilians "
         "except where required by law.", "weakened"),
        ("We will seek to not allow our technology to be used for the mass surveillance of civilians.",
         "weakened"),
        ("", "removed"),
    ],
)
def test_the_change_is_suggested_from_the_word_diff(new, expected):
    assert suggest_change(OLD, new)[0] == expected


def test_will_not_becoming_may_is_named_in_the_reasons():
    change, reasons = suggest_change(OLD, OLD.replace("will not", "may"))
    assert change == "weakened"
    assert "“will not” became “may”" in reasons


def test_a_prohibition_appearing_is_a_strengthening():
    assert suggest_change("We aim to limit surveillance uses.", "We never allow surveillance uses.")[0] == (
        "strengthened"
    )


@pytest.mark.django_db
def test_a_new_version_gets_its_clause_matched_and_a_weakening_awaits_confirmation():
    case = Case()
    new = f.policy_version(case.policy, effective_on=D(2025, 6, 1),
                           text="Our terms. We may allow our technology to be used for mass surveillance. "
                           "Thanks.")
    [result] = match_version(new)
    clause = m.CommitmentClause.objects.get(version=new)
    assert result.change == "weakened"
    assert clause.commitment == case.commitment and clause.text.startswith("We may allow")
    assert (clause.change_suggested, clause.change_confirmed) == ("weakened", False)
    assert "prohibition was removed" in clause.history.first().history_change_reason


@pytest.mark.django_db
def test_a_clause_missing_from_a_full_version_is_suggested_as_removed():
    case = Case()
    new = f.policy_version(case.policy, effective_on=D(2025, 6, 1),
                           text="Completely different terms of use here.")
    match_version(new)
    clause = m.CommitmentClause.objects.get(version=new)
    assert (clause.change, clause.text, clause.change_confirmed) == ("removed", "", False)


@pytest.mark.django_db
def test_a_clause_missing_from_an_excerpt_is_not_taken_as_removed():
    case = Case()
    new = f.policy_version(case.policy, effective_on=D(2025, 6, 1), is_excerpt=True,
                           text="An unrelated passage about privacy settings.")
    [result] = match_version(new)
    assert result.action.startswith("left for staff")
    assert not m.CommitmentClause.objects.filter(version=new).exists()


@pytest.mark.django_db
def test_detect_gaps_matches_unmatched_versions_once():
    case = Case()
    f.policy_version(case.policy, effective_on=D(2025, 6, 1),
                     text="We do not allow our technology to be used for mass surveillance.")
    assert len(match_unmatched_versions()) == 1
    assert match_unmatched_versions() == []
    assert m.CommitmentClause.objects.filter(commitment=case.commitment).count() == 2


@pytest.mark.django_db
def test_staff_confirm_a_weakening_with_a_reason_and_then_the_rule_can_use_it():
    case = Case()
    new = f.policy_version(case.policy, effective_on=D(2025, 6, 1),
                           text="We may allow our technology to be used for mass surveillance.")
    match_version(new)
    clause = m.CommitmentClause.objects.get(version=new)
    with pytest.raises(ValueError):
        confirm_change(clause, "weakened", "")
    confirm_change(clause, "weakened", "The prohibition became a permission.")
    clause.refresh_from_db()
    assert clause.change_confirmed
    assert clause.history.first().history_change_reason.startswith("The prohibition")
