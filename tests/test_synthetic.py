"""The synthetic world: deterministic for a seed, fictional, and with history for every record."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from policies import models as m
from policies.synthetic import generate

pytestmark = pytest.mark.django_db

SMALL = dict(companies=4, giant_events=60)


class _Rollback(Exception):
    pass


def _fingerprint():
    """Everything generated, minus what legitimately differs between runs (ids, updated_at)."""
    print_ = {}
    for model in _generated_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("id", "updated_at") and not f.attname.endswith("_id")
        ]
        rows = sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*fields))
        history = sorted(
            tuple(str(v) for v in row)
            for row in model.history.values_list(
                "history_date", "history_change_reason", "history_type", "revision"
            )
        )
        print_[model.__name__] = (rows, history)
    return print_


def _generated_models():
    return [
        m.Company,
        m.CompanyAlias,
        m.Agency,
        m.Source,
        m.Product,
        m.ProductCapability,
        m.Policy,
        m.PolicyVersion,
        m.Commitment,
        m.CommitmentTopic,
        m.CommitmentClause,
        m.Statement,
        m.StatementTopic,
        m.EmployeeAction,
        m.Contract,
        m.ContractProduct,
        m.Observation,
        m.Gap,
        m.GapEvidence,
        m.Citation,
    ]


def _world_fingerprint(seed):
    """Generate a world, fingerprint it, and roll it back so the next run starts empty."""
    try:
        with transaction.atomic():
            generate(seed=seed, **SMALL)
            result = _fingerprint()
            raise _Rollback
    except _Rollback:
        return result


def test_the_same_seed_builds_the_same_world_and_another_seed_does_not():
    first = _world_fingerprint(seed=7)
    again = _world_fingerprint(seed=7)
    other = _world_fingerprint(seed=8)
    assert first == again
    assert first != other


def test_every_record_has_history_as_long_as_its_revision_counter():
    generate(seed=1, **SMALL)
    for model in _generated_models():
        assert model.objects.exists(), model.__name__
        counts = dict(model.history.values_list("id").order_by().annotate(n=Count("*")))
        for pk, revision in model.objects.values_list("pk", "revision"):
            assert counts.get(pk) == revision >= 1, (model.__name__, pk)


def test_history_starts_as_a_draft_then_is_published_with_reasons_in_time_order():
    generate(seed=1, **SMALL)
    statement = m.Statement.objects.published().filter(revision__gte=3).first()
    rows = list(statement.history.order_by("history_date"))
    assert rows[0].history_type == "+" and rows[0].editorial_status == "draft"
    assert rows[1].editorial_status == "published"
    assert all(r.history_change_reason for r in rows)
    assert [r.revision for r in rows] == list(range(1, statement.revision + 1))
    assert rows[-1].quote == statement.quote and rows[0].quote != statement.quote
    assert all(r.public_attribution in ("Editorial team", "Tracker (automated)") for r in rows)


def test_names_are_obviously_fictional_and_most_records_are_published():
    generate(seed=2, **SMALL)
    assert all(
        re.fullmatch(r"Example Cloud \d{4}", n) for n in m.Company.objects.values_list("name", flat=True)
    )
    assert all(re.fullmatch(r"Agency \d{3}", n) for n in m.Agency.objects.values_list("name", flat=True))
    statements = m.Statement.objects
    assert statements.published().count() > 0.8 * statements.count()
    assert statements.drafts().exists()


def test_a_giant_company_has_a_long_timeline():
    generate(seed=3, companies=3, giant_events=200)
    giant = m.Company.objects.get(slug="example-cloud-0001")
    events = (
        m.PolicyVersion.objects.filter(policy__company=giant).count()
        + giant.statements.count()
        + giant.employee_actions.count()
        + giant.contracts.count()
        + giant.observations.count()
    )
    assert events >= 200
    assert giant.statements.count() > 10 * m.Company.objects.get(slug="example-cloud-0002").statements.count()


def test_every_published_citable_record_cites_a_source():
    generate(seed=4, **SMALL)
    for model in (m.Statement, m.Contract, m.Observation, m.PolicyVersion):
        cited = set(
            m.Citation.objects.filter(content_type__model=model._meta.model_name).values_list(
                "object_id", flat=True
            )
        )
        assert set(model.objects.published().values_list("pk", flat=True)) <= cited


def test_the_command_reports_what_it_made_and_refuses_a_second_world(capsys):
    call_command("generate_synthetic", "--companies", "2", "--seed", "5", "--giant-events", "40")
    out = capsys.readouterr().out
    assert "Generated 2 companies (seed 5)" in out and "history rows" in out
    with pytest.raises(CommandError, match="already"):
        call_command("generate_synthetic", "--companies", "2", "--seed", "5")
