"""The founding case loads idempotently, with history, every published record cited."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from policies import models as m
from policies.models.base import Citable
from policies.seed import DEFAULT_SEED, SEED_REASON, load_seed

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def tracked_models():
    return [
        model
        for model in apps.get_app_config("policies").get_models()
        if hasattr(model, "history") and not model.__name__.startswith("Historical")
    ]


def counts():
    return {model.__name__: model.objects.count() for model in tracked_models()}


def test_the_seed_loads_twice_without_duplicates_or_new_history():
    call_command("load_seed")
    first, history = counts(), m.Company.history.count() + m.Citation.history.count()
    report = load_seed()
    assert report.created == [] and report.updated == []
    assert counts() == first
    assert m.Company.history.count() + m.Citation.history.count() == history


def test_every_published_record_has_at_least_one_citation():
    load_seed()
    uncited = []
    for model in tracked_models():
        if issubclass(model, Citable):
            for obj in model.objects.published().prefetch_related("citations"):
                if not obj.citations.all():
                    uncited.append(f"{model.__name__} {obj}")
    assert uncited == []


def test_every_seeded_record_has_a_first_history_row_with_the_seed_reason():
    load_seed()
    for model in tracked_models():
        for obj in model.objects.all():
            first = obj.history.order_by("history_id").first()
            assert first is not None, f"{model.__name__} {obj.pk} has no history"
            assert first.history_type == "+"
            assert first.history_change_reason == SEED_REASON


def test_the_founding_case_is_all_there():
    load_seed()
    microsoft = m.Company.objects.get(slug="microsoft")
    ice = m.Agency.objects.get(slug="ice")
    assert ice.parent.slug == "dhs"
    storage = m.Observation.objects.filter(company=microsoft, agency=ice, metric="storage")
    assert [(str(o.observed), o.value) for o in storage.order_by("observed_on")] == [
        ("July 2025", 400),
        ("January 2026", 1400),
    ]
    amounts = {c.vendor.name if c.vendor else None: c.amount for c in ice.contracts.all()}
    assert amounts["Microsoft"] == 38_000_000
    assert amounts["Amazon Web Services"] == 25_000_000
    assert amounts["Google Cloud"] == 530_000
    resold = m.Contract.objects.get(vendor=microsoft, amount=38_000_000)
    assert resold.intermediary.name == "Dell Federal Systems"
    video_indexer = m.Product.objects.get(slug="azure-ai-video-indexer")
    assert {"face-detection", "emotion-recognition"} <= set(
        video_indexer.capabilities.values_list("slug", flat=True)
    )
    kinds = set(microsoft.statements.values_list("kind", flat=True))
    assert {"assurance", "no_visibility", "defence"} <= kinds
    assert str(microsoft.statements.get(kind="defence").made) == "2018"
    assert microsoft.employee_actions.filter(kind="ethics_report", names_nobody=True).exists()
    gap = m.Gap.objects.get(company=microsoft)
    assert gap.commitment.title == "No mass surveillance of civilians"
    assert gap.evidence.count() >= 5


def test_no_seeded_source_has_an_invented_url():
    load_seed()
    assert list(m.Source.objects.exclude(url="").values_list("url", flat=True)) == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_every_quoted_passage_appears_verbatim_in_its_seed_article():
    load_seed()
    texts = {
        path.name: re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        for path in SEEDS.glob("*.txt")
    }
    archived = {
        s.pk: next(name for name in texts if name in s.internal_notes)
        for s in m.Source.objects.exclude(internal_notes="")
    }
    quoted = m.Citation.objects.exclude(quote="").filter(source__in=archived)
    assert quoted.count() > 40
    for citation in quoted:
        passage = re.sub(r"\s+", " ", citation.quote)
        assert passage in texts[archived[citation.source_id]], passage


def test_the_seed_file_is_where_make_run_expects_it():
    assert DEFAULT_SEED.name == "founding_case.json" and DEFAULT_SEED.is_file()


def test_the_home_page_lists_the_seeded_companies(client):
    load_seed()
    response = client.get("/")
    assert response.status_code == 200
    for name in ["Microsoft", "Dell Federal Systems", "Amazon Web Services", "Google Cloud"]:
        assert name in response.content.decode()


def test_make_run_shows_the_founding_gap_with_the_rules_that_support_it(client):
    call_command("load_seed")
    gap = m.Gap.objects.get(slug="microsoft-ice-no-mass-surveillance")
    rules = set(gap.signals.filter(status="merged").values_list("rule", flat=True))
    assert len(rules) >= 3
    assert {"commitment_vs_contract", "no_visibility"} <= rules
    page = client.get(gap.get_absolute_url()).content.decode()
    assert "How the tracker found it" in page
    company_page = client.get(gap.company.get_absolute_url()).content.decode()
    assert "Found by 4 rules" in company_page


def test_loading_the_seed_again_attaches_no_signal_twice():
    call_command("load_seed")
    before = m.Signal.history.count()
    call_command("load_seed")
    assert m.Signal.history.count() == before
