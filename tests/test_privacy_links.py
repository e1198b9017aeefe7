"""A public record never shows, through what it links to, a record the public may not see.

Each case was a leak found by an audit of the public pages (8 December 2026): a published
record pointing at a draft, or at an employee action still under embargo, printed its
name or told of its existence. Each test shows the hidden record absent, then present
once it is published (so the test can fail).
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from policies import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

LATER = datetime.date(2099, 1, 1)


def body(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def publish(record):
    f._save(f._published(record, "published"), reason="Published")


saved = f._save


def test_a_gap_about_a_draft_commitment_is_shown_nowhere(client):
    company = f.company()
    topic = f.topic()
    commitment = f.commitment(f.policy(company), status="draft", title="DRAFT-COMMITMENT", topics=[topic])
    gap = f.gap(company, commitment, title="THE-GAP")
    urls = ["/", "/gaps/", company.get_absolute_url(), topic.get_absolute_url(), "/feeds/gaps/"]
    for url in urls:
        assert "DRAFT-COMMITMENT" not in body(client, url)[1], url
        assert "THE-GAP" not in body(client, url)[1], url
    assert body(client, gap.get_absolute_url())[0] == 404
    publish(commitment)
    assert "DRAFT-COMMITMENT" in body(client, gap.get_absolute_url())[1]
    assert "THE-GAP" in body(client, "/gaps/")[1]


def test_a_commitment_of_a_draft_policy_does_not_name_the_policy(client):
    company = f.company()
    topic = f.topic()
    policy = f.policy(company, status="draft", title="DRAFT-POLICY")
    commitment = f.commitment(policy, title="PUBLIC-COMMITMENT", topics=[topic])
    gap = f.gap(company, commitment)
    assert body(client, gap.get_absolute_url())[0] == 404
    assert "DRAFT-POLICY" not in body(client, topic.get_absolute_url())[1]
    assert "PUBLIC-COMMITMENT" not in body(client, topic.get_absolute_url())[1]
    publish(policy)
    assert "DRAFT-POLICY" in body(client, gap.get_absolute_url())[1]
    assert "DRAFT-POLICY" in body(client, topic.get_absolute_url())[1]


def test_the_directory_filters_follow_public_records_only(client):
    agency = f.agency()
    seller = f.company(name="ONLY-A-DRAFT-CONTRACT")
    contract = f.contract(agency, vendor=seller, status="draft")
    topic = f.topic()
    speaker = f.company(name="ONLY-A-DRAFT-STATEMENT")
    statement = f.statement(speaker, status="draft")
    saved(m.StatementTopic(statement=statement, topic=topic))
    assert "ONLY-A-DRAFT-CONTRACT" not in body(client, f"/companies/?agency={agency.slug}")[1]
    assert "ONLY-A-DRAFT-STATEMENT" not in body(client, f"/companies/?topic={topic.slug}")[1]
    publish(contract)
    publish(statement)
    assert "ONLY-A-DRAFT-CONTRACT" in body(client, f"/companies/?agency={agency.slug}")[1]
    assert "ONLY-A-DRAFT-STATEMENT" in body(client, f"/companies/?topic={topic.slug}")[1]


def test_an_agency_page_lists_no_gap_that_only_a_hidden_contract_ties_to_it(client):
    agency = f.agency()
    maker = f.company(status="draft")
    contract = f.contract(agency, vendor=maker, title="HIDDEN-CONTRACT")
    gap = f.gap(f.company(), title="GAP-BY-A-HIDDEN-CONTRACT")
    ct = ContentType.objects.get_for_model(contract)
    saved(m.GapEvidence(gap=gap, content_type=ct, object_id=contract.pk))
    assert "GAP-BY-A-HIDDEN-CONTRACT" not in body(client, agency.get_absolute_url())[1]
    publish(maker)
    assert "GAP-BY-A-HIDDEN-CONTRACT" in body(client, agency.get_absolute_url())[1]


def test_an_agency_page_lists_no_product_of_a_draft_maker(client):
    agency = f.agency()
    maker = f.company(status="draft")
    product = saved(
        m.Product(company=maker, slug="p-x", name="PRODUCT-OF-A-DRAFT", editorial_status="published")
    )
    f.cite(product)
    saved(m.ContractProduct(contract=f.contract(agency), product=product))
    assert "PRODUCT-OF-A-DRAFT" not in body(client, agency.get_absolute_url())[1]
    publish(maker)
    assert "PRODUCT-OF-A-DRAFT" in body(client, agency.get_absolute_url())[1]


def test_the_company_page_names_no_rule_whose_evidence_is_embargoed(client):
    company = f.company()
    gap = f.gap(company)
    action = f.employee_action(company, title="EMBARGOED-ACTION", embargo_until=LATER)
    signal = saved(m.Signal(rule="unanswered_employees", fingerprint="x:1", company=company, gap=gap,
                            status="confirmed", summary="mentions EMBARGOED-ACTION"))
    ct = ContentType.objects.get_for_model(action)
    saved(m.SignalEvidence(signal=signal, content_type=ct, object_id=action.pk))
    for url in (company.get_absolute_url(), gap.get_absolute_url()):
        assert "Employees raised" not in body(client, url)[1], url
    action.embargo_until = None
    action._change_reason = "Embargo lifted"
    action.save()
    for url in (company.get_absolute_url(), gap.get_absolute_url()):
        assert "Employees raised" in body(client, url)[1], url


def test_a_reply_about_an_embargoed_action_is_not_public(client):
    company = f.company()
    action = f.employee_action(company, title="EMBARGOED-ACTION", embargo_until=LATER)
    reply = saved(m.RightOfReply(
        company=company, content_type=ContentType.objects.get_for_model(action), object_id=action.pk,
        asked_on=datetime.date(2025, 1, 1), deadline_on=datetime.date(2025, 1, 10), channel="email",
        question="About the EMBARGOED open letter", editorial_status="published",
    ))
    assert body(client, f"/records/rightofreply/{reply.pk}/")[0] == 404
    for url in ("/changes/", "/feeds/changes/", f"/feeds/companies/{company.slug}/"):
        assert "Request for comment" not in body(client, url)[1], url
    action.embargo_until = None
    action._change_reason = "Embargo lifted"
    action.save()
    code, html = body(client, f"/records/rightofreply/{reply.pk}/")
    assert code == 200 and "About the EMBARGOED open letter" in html
    assert "Request for comment" in body(client, "/changes/")[1]


def test_a_signal_naming_a_draft_commitment_is_not_shown(client):
    """A signal merged into a gap about another commitment quotes its own in its summary."""
    company = f.company()
    gap = f.gap(company)
    draft = f.commitment(f.policy(company), status="draft", title="DRAFT-COMMITMENT")
    statement = f.statement(company)
    signal = saved(m.Signal(rule="unanswered_employees", fingerprint="x:2", company=company, gap=gap,
                            commitment=draft, status="merged", summary="quotes DRAFT-COMMITMENT"))
    ct = ContentType.objects.get_for_model(statement)
    saved(m.SignalEvidence(signal=signal, content_type=ct, object_id=statement.pk))
    for url in (company.get_absolute_url(), gap.get_absolute_url()):
        html = body(client, url)[1]
        assert "Employees raised" not in html and "DRAFT-COMMITMENT" not in html, url
    publish(draft)
    for url in (company.get_absolute_url(), gap.get_absolute_url()):
        assert "Employees raised" in body(client, url)[1], url
