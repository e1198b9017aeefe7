"""Small factory functions for test data. Names are obviously fictional.

Each saves through the ORM (so history rows are written) with a change reason.
Pass `status="published"` (the default) or "draft"; `cite=True` adds a citation.
"""

import datetime
import itertools
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from policies import models as m

_seq = itertools.count(1)


def _n():
    return next(_seq)


def _save(obj, reason="Test data"):
    obj._change_reason = reason
    obj.save()
    return obj


def _published(obj, status):
    obj.editorial_status = status
    if status == "retracted" and not obj.correction_note:
        obj.correction_note = "Retracted in a test."
    return obj


def source(status="published", **kw):
    n = _n()
    defaults = dict(title=f"Example Report {n}", publisher="Example Gazette", kind="news")
    defaults.update(kw)
    return _save(_published(m.Source(**defaults), status))


def cite(record, src=None, quote="A quoted passage.", locator=""):
    src = src or source()
    return _save(
        m.Citation(
            source=src,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            quote=quote,
            locator=locator,
        )
    )


def topic(**kw):
    n = _n()
    defaults = dict(slug=f"topic-{n}", name=f"Topic {n}")
    defaults.update(kw)
    return _save(m.Topic(**defaults))


def company(status="published", cited=True, **kw):
    n = _n()
    defaults = dict(slug=f"example-cloud-{n:04d}", name=f"Example Cloud {n:04d}")
    defaults.update(kw)
    obj = _save(_published(m.Company(**defaults), status))
    if cited:
        cite(obj)
    return obj


def agency(status="published", cited=True, **kw):
    n = _n()
    defaults = dict(slug=f"agency-{n:03d}", name=f"Agency {n:03d}")
    defaults.update(kw)
    obj = _save(_published(m.Agency(**defaults), status))
    if cited:
        cite(obj)
    return obj


def policy(company_obj=None, status="published", cited=True, **kw):
    n = _n()
    defaults = dict(
        company=company_obj or company(), slug=f"policy-{n}", title=f"Example Policy {n}"
    )
    defaults.update(kw)
    obj = _save(_published(m.Policy(**defaults), status))
    if cited:
        cite(obj)
    return obj


def policy_version(policy_obj=None, status="published", cited=True, **kw):
    defaults = dict(
        policy=policy_obj or policy(),
        effective_on=datetime.date(2024, 1, 1),
        text="We do not allow our technology to be used for mass surveillance.",
    )
    defaults.update(kw)
    obj = _save(_published(m.PolicyVersion(**defaults), status))
    if cited:
        cite(obj)
    return obj


def statement(company_obj=None, status="published", cited=True, **kw):
    defaults = dict(
        company=company_obj or company(),
        speaker="A spokesperson",
        made_on=datetime.date(2025, 2, 1),
        made_precision="month",
        quote="We do not believe our customer does this.",
        kind="assurance",
    )
    defaults.update(kw)
    obj = _save(_published(m.Statement(**defaults), status))
    if cited:
        cite(obj)
    return obj


def employee_action(company_obj=None, status="published", cited=True, **kw):
    n = _n()
    defaults = dict(
        company=company_obj or company(),
        kind="open_letter",
        title=f"Open letter {n}",
        started_on=datetime.date(2025, 3, 1),
        started_precision="month",
    )
    defaults.update(kw)
    obj = _save(_published(m.EmployeeAction(**defaults), status))
    if cited:
        cite(obj)
    return obj


def contract(agency_obj=None, vendor=None, status="published", cited=True, **kw):
    n = _n()
    defaults = dict(
        agency=agency_obj or agency(),
        vendor=vendor or company(),
        title=f"Cloud services contract {n}",
        amount=Decimal("1000000.00"),
        started_on=datetime.date(2025, 1, 1),
    )
    defaults.update(kw)
    obj = _save(_published(m.Contract(**defaults), status))
    if cited:
        cite(obj)
    return obj


def observation(company_obj=None, agency_obj=None, status="published", cited=True, **kw):
    defaults = dict(
        company=company_obj or company(),
        agency=agency_obj or agency(),
        metric="storage",
        value=Decimal("400"),
        unit="TB",
        observed_on=datetime.date(2025, 7, 1),
        observed_precision="month",
    )
    defaults.update(kw)
    obj = _save(_published(m.Observation(**defaults), status))
    if cited:
        cite(obj)
    return obj


def commitment(policy_obj=None, status="published", cited=True, topics=(), **kw):
    n = _n()
    defaults = dict(policy=policy_obj or policy(), slug=f"commitment-{n}", title=f"Commitment {n}")
    defaults.update(kw)
    obj = _save(_published(m.Commitment(**defaults), status))
    for t in topics:
        _save(m.CommitmentTopic(commitment=obj, topic=t))
    if cited:
        cite(obj)
    return obj


def gap(company_obj=None, commitment_obj=None, status="published", cited=True, **kw):
    n = _n()
    company_obj = company_obj or company()
    defaults = dict(
        company=company_obj,
        commitment=commitment_obj or commitment(policy(company_obj)),
        slug=f"gap-{n}",
        title=f"Gap {n}",
        narrative="The commitment and the practice diverge.",
        status="confirmed",
    )
    defaults.update(kw)
    obj = _save(_published(m.Gap(**defaults), status))
    if cited:
        cite(obj)
    return obj
