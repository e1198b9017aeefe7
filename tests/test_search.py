"""One search function for every caller: full-text on PostgreSQL, per-term icontains on SQLite."""

import pytest
from django.db import connection
from django.urls import reverse

from policies.models import Company
from policies.search import search, search_queryset
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_finds_companies_policies_statements_contracts_and_sources():
    company = f.company(name="Example Nimbus", summary="A cloud provider storing surveillance footage.")
    f.policy(company, title="Nimbus acceptable use", summary="No surveillance of civilians.")
    f.statement(company, quote="We cannot see what is stored for surveillance.")
    f.contract(title="Surveillance storage contract")
    f.source(title="Report on surveillance clouds")
    kinds = {hit.kind for hit in search("surveillance")}
    assert kinds == {"Company", "Policy", "Statement", "Contract", "Source"}


def test_every_term_must_match():
    f.company(name="Example Nimbus", summary="cloud storage")
    f.company(name="Example Cirrus", summary="cloud video")
    names = [h.title for h in search("cloud storage")]
    assert names == ["Example Nimbus"]


def test_it_never_returns_drafts_or_retracted_sources_behind_drafts():
    f.company(name="Example Hidden Nimbus", status="draft")
    f.statement(status="draft", quote="hidden surveillance words")
    assert search("Hidden Nimbus") == []
    assert search("hidden surveillance words") == []


def test_an_empty_query_finds_nothing():
    f.company()
    assert search("") == []
    assert list(search_queryset(Company.objects.public(), "   ")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL full-text search")
def test_postgresql_ranks_better_matches_first():
    f.company(name="Example Alpha", summary="surveillance")
    f.company(name="Example Beta Surveillance", summary="surveillance surveillance, mass surveillance")
    hits = search("surveillance")
    assert hits[0].title == "Example Beta Surveillance"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes exist only on PostgreSQL")
def test_the_gin_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'policies_%_search'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"policies_company_search", "policies_source_search", "policies_gap_search",
            "policies_commitment_search", "policies_agency_search"} <= names


@pytest.mark.parametrize("q", ["", "a" * 5000, "'\"&|!():*<>", "%00", "surveillance " * 50])
def test_the_search_page_never_fails_on_odd_input(client, q):
    assert client.get(reverse("policies:search"), {"q": q}).status_code == 200


def test_the_company_directory_uses_the_same_search(client):
    f.company(name="Example Nimbus")
    f.company(name="Example Cirrus")
    html = client.get(reverse("policies:companies"), {"q": "nimbus"}).content.decode()
    assert "Example Nimbus" in html and "Example Cirrus" not in html


def test_drafts_never_fill_the_ranked_candidates(monkeypatch):
    import policies.search

    monkeypatch.setattr(policies.search, "CANDIDATES", 3)
    for n in range(5):
        f.company(name=f"Example Draft Nimbus {n}", status="draft")
    f.company(name="Example Public Nimbus")
    assert [h.title for h in search("nimbus")] == ["Example Public Nimbus"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes the first matches")
def test_postgresql_ranks_only_the_first_candidates_of_a_common_word(monkeypatch):
    import policies.search

    monkeypatch.setattr(policies.search, "CANDIDATES", 3)
    for n in range(6):
        f.company(name=f"Example Cloud {n}")
    assert len([h for h in search("cloud") if h.kind == "Company"]) == 3


def test_the_directory_search_lists_every_match_not_only_the_ranked_candidates(client, monkeypatch):
    import policies.search

    monkeypatch.setattr(policies.search, "CANDIDATES", 2)
    for n in range(4):
        f.company(name=f"Example Cloud {n}")
    html = client.get(reverse("policies:companies"), {"q": "cloud"}).content.decode()
    assert all(f"Example Cloud {n}" in html for n in range(4))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored tsvector exists only on PostgreSQL")
def test_postgresql_keeps_the_search_document_up_to_date_on_save():
    company = f.company(name="Example Nimbus", summary="storage")
    company.summary = "biometric matching"
    company.save()
    assert [h.title for h in search("biometric")] == ["Example Nimbus"]
    assert search("storage") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored tsvector exists only on PostgreSQL")
def test_only_public_records_carry_a_search_document_and_publishing_fills_it():
    """Drafts, which no search returns, cost an import nothing to index (migration 0011)."""

    def document(contract):
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_document FROM policies_contract WHERE id = %s", [contract.pk])
            return cursor.fetchone()[0]

    contract = f.contract(title="Biometric kiosks contract", status="draft")
    assert document(contract) is None
    assert search("biometric kiosks") == []
    contract.editorial_status = "published"
    contract.save()
    assert document(contract)
    assert [h.title for h in search("biometric kiosks")] == ["Biometric kiosks contract"]
    contract.editorial_status, contract.correction_note = "retracted", "Wrong agency."
    contract.save()
    assert document(contract)  # a retraction stays on the site, as a correction



def test_it_finds_gaps_commitments_and_agencies_and_never_their_drafts():
    company = f.company(name="Example Nimbus")
    policy = f.policy(company, title="Nimbus acceptable use")
    commitment = f.commitment(policy, title="No mass surveillance of civilians")
    f.gap(company, commitment, title="Nimbus surveillance pledge vs. agency storage growth")
    f.agency(name="Example Surveillance Agency")
    f.gap(company, commitment, title="Draft surveillance gap", status="draft")
    f.commitment(f.policy(company, status="draft"), title="Surveillance promise in a draft policy")
    hits = {hit.kind: hit for hit in search("surveillance")}
    assert {"Gap", "Commitment", "Agency"} <= set(hits)
    assert hits["Commitment"].url == commitment.get_absolute_url()
    titles = [hit.title for hit in search("surveillance")]
    assert "Draft surveillance gap" not in titles
    assert not any("draft policy" in t for t in titles)
