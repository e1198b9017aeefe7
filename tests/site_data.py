"""Test data for the public-site tests: a company with words, deeds and voices.

`company_with_record(n)` makes a company with `n` of each timeline kind (policy
versions, changed commitment clauses, statements, employee actions, contracts,
observations), plus a product, a gap with evidence and a right-of-reply request.
"""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from policies import models as m
from tests import factories as f


def _save(obj, reason="Test data"):
    obj._change_reason = reason
    obj.save()
    return obj


def company_with_record(n=1, **company_kw):
    company = f.company(**company_kw)
    agency = f.agency()
    topic = f.topic(slug=f"mass-surveillance-{company.pk}", name=f"Mass surveillance {company.pk}")
    policy = f.policy(company, title="Acceptable Use Policy")
    commitment = f.commitment(policy, title="No mass surveillance", topics=[topic])
    reseller = f.company(name=f"Example Reseller {company.pk}")
    start = datetime.date(2020, 1, 1)
    for i in range(n):
        version = f.policy_version(
            policy, effective_on=start + datetime.timedelta(days=30 * i), effective_precision="month",
            text=f"Version {i}: we do not allow mass surveillance of civilians.",
        )
        _save(m.CommitmentClause(
            commitment=commitment, version=version, text=f"No mass surveillance ({i}).",
            change="added" if i == 0 else "weakened",
        ))
        f.statement(company, made_on=start + datetime.timedelta(days=30 * i + 5), quote=f"We said {i}.")
        f.employee_action(company, title=f"Open letter {i}")
        through = {"intermediary": reseller, "route": "reseller"} if i == 0 else {}
        f.contract(agency, vendor=company, title=f"Storage contract {i}", **through,
                   amount=Decimal(1000 * (i + 1)), started_on=start + datetime.timedelta(days=30 * i))
        f.observation(company, agency, value=Decimal(400 + 100 * i),
                      observed_on=start + datetime.timedelta(days=30 * i + 10))
    product = _save(m.Product(company=company, slug=f"video-{company.pk}", name="Video Indexer",
                              editorial_status="published"))
    capability = _save(m.Capability(slug=f"face-{company.pk}", name=f"Face detection {company.pk}"))
    _save(m.CapabilityTopic(capability=capability, topic=topic))
    _save(m.ProductCapability(product=product, capability=capability))
    gap = f.gap(company, commitment, title="Storage tripled despite the commitment")
    contract = m.Contract.objects.filter(vendor=company).first()
    _save(m.GapEvidence(gap=gap, content_type=ContentType.objects.get_for_model(contract),
                        object_id=contract.pk, note="The contract."))
    _save(m.RightOfReply(company=company, content_type=ContentType.objects.get_for_model(gap),
                         object_id=gap.pk, asked_on=datetime.date(2026, 1, 5),
                         deadline_on=datetime.date(2026, 1, 12), channel="email to the press office",
                         editorial_status="published"))
    return {"company": company, "agency": agency, "topic": topic, "policy": policy,
            "commitment": commitment, "gap": gap, "product": product}
