"""Invariants are enforced by the database itself, not only by forms."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from policies import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def rejects(make):
    """`make()` must raise IntegrityError from the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_rejects_a_contract_that_ends_before_it_starts():
    c = f.contract()
    c.started_on, c.ended_on = datetime.date(2025, 5, 1), datetime.date(2025, 4, 1)
    rejects(c.save)


def test_it_rejects_a_negative_contract_amount():
    c = f.contract()
    c.amount = Decimal("-1.00")
    rejects(c.save)


def test_it_rejects_a_currency_that_is_not_an_iso_code():
    c = f.contract()
    c.currency = "usd"
    rejects(c.save)


def test_it_rejects_a_reseller_route_without_a_reseller():
    c = f.contract()
    c.route = "reseller"
    rejects(c.save)


def test_it_rejects_the_vendor_as_its_own_reseller():
    c = f.contract()
    c.route, c.intermediary = "reseller", c.vendor
    rejects(c.save)


def test_it_rejects_a_duplicate_award_key():
    f.contract(award_key="CONT_AWD_X_7012_-NONE-_-NONE-")
    rejects(lambda: f.contract(award_key="CONT_AWD_X_7012_-NONE-_-NONE-"))


def test_it_allows_many_contracts_without_award_identifiers():
    f.contract(award_key="", award_id="")
    f.contract(award_key="", award_id="")
    assert m.Contract.objects.filter(award_key="").count() == 2


def test_it_rejects_a_duplicate_company_slug():
    f.company(slug="example-cloud")
    rejects(lambda: f.company(slug="example-cloud", cited=False))


def test_it_rejects_two_versions_of_a_policy_on_the_same_date():
    version = f.policy_version()
    rejects(lambda: f.policy_version(policy_obj=version.policy, effective_on=version.effective_on))


def test_it_rejects_an_unknown_editorial_status():
    c = f.company()
    c.editorial_status = "live"
    rejects(c.save)


def test_it_rejects_an_unknown_claim_status_and_date_precision():
    s = f.statement()
    s.claim_status = "rumoured"
    rejects(s.save)
    s.refresh_from_db()
    s.made_precision = "week"
    rejects(s.save)


def test_it_rejects_a_retraction_without_a_correction_note():
    s = f.statement()
    s.editorial_status, s.correction_note = "retracted", ""
    rejects(s.save)


def test_it_rejects_an_archive_link_that_is_not_a_wayback_capture():
    rejects(lambda: f.source(archive_url="https://archive.example/abc"))


def test_it_rejects_a_source_url_that_is_not_http():
    rejects(lambda: f.source(url="javascript:alert(1)"))


def test_it_rejects_a_content_hash_that_is_not_sha256_hex():
    rejects(lambda: f.source(content_hash="abc"))


def test_it_rejects_a_negative_storage_observation_but_allows_a_deobligation():
    rejects(lambda: f.observation(value=Decimal("-5")))
    deobligation = f.observation(metric="obligation", value=Decimal("-5000.00"), unit="USD")
    assert deobligation.value == Decimal("-5000.00")


def test_it_rejects_an_agency_that_is_its_own_parent():
    a = f.agency()
    a.parent_id = a.pk
    rejects(a.save)


def test_it_rejects_a_company_that_is_its_own_subsidiary():
    c = f.company()
    rejects(lambda: m.CompanyRelationship.objects.create(parent=c, child=c))


def test_it_rejects_a_duplicate_alias_for_two_companies():
    a, b = f.company(), f.company()
    m.CompanyAlias(company=a, value="Example Cloud Corporation").save()
    rejects(lambda: m.CompanyAlias(company=b, value="EXAMPLE CLOUD CORP.").save())


def test_it_rejects_named_participants_on_an_action_that_names_nobody():
    action = f.employee_action()
    action.names_nobody, action.named_participants = True, "Jane Example"
    rejects(action.save)


def test_it_rejects_a_reply_deadline_before_the_request():
    gap = f.gap()
    rejects(
        lambda: m.RightOfReply.objects.create(
            company=gap.company,
            content_type=ContentType.objects.get_for_model(gap),
            object_id=gap.pk,
            asked_on=datetime.date(2026, 3, 10),
            deadline_on=datetime.date(2026, 3, 1),
            channel="email",
        )
    )


def test_it_rejects_a_confirmed_signal_without_a_gap():
    c = f.company()
    rejects(
        lambda: m.Signal.objects.create(
            rule="x", fingerprint="x:1", company=c, status="confirmed", summary="s"
        )
    )


def test_it_rejects_a_removed_clause_check_and_a_clause_without_text():
    version = f.policy_version()
    commitment = f.commitment(policy_obj=version.policy)
    rejects(
        lambda: m.CommitmentClause.objects.create(
            commitment=commitment, version=version, text="", change="reworded"
        )
    )
    removed = m.CommitmentClause.objects.create(
        commitment=commitment, version=version, text="", change="removed"
    )
    assert removed.pk
