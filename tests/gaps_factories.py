"""Small builders for gap-analysis tests (fictional names), on top of tests/factories.py."""

import datetime
from decimal import Decimal

from policies import models as m
from policies.gaps.facts import Facts
from policies.gaps.rules import run_rules
from tests import factories as f

D = datetime.date
JAN_2024 = D(2024, 1, 1)
JUNE_2026 = D(2026, 6, 1)


def capability(topics=(), **kw):
    n = f._n()
    obj = f._save(m.Capability(slug=f"cap-{n}", name=f"Capability {n}", **kw))
    for t in topics:
        f._save(m.CapabilityTopic(capability=obj, topic=t))
    return obj


def product(company_obj, capabilities=(), status="published"):
    n = f._n()
    obj = m.Product(company=company_obj, slug=f"product-{n}", name=f"Product {n}")
    obj = f._save(f._published(obj, status))
    f.cite(obj)
    for cap in capabilities:
        f._save(m.ProductCapability(product=obj, capability=cap))
    return obj


def worded(commitment_obj, version, text="We do not allow our technology to be used for mass surveillance.",
           stance="prohibits", change="added", confirmed=False):
    return f._save(m.CommitmentClause(
        commitment=commitment_obj, version=version, text=text, stance=stance, change=change,
        change_suggested=change, change_confirmed=confirmed,
    ))


def sell(contract_obj, *products):
    for p in products:
        f._save(m.ContractProduct(contract=contract_obj, product=p))
    return contract_obj


class Case:
    """A company with a prohibiting commitment on a topic, in force from 1 Jan 2024."""

    def __init__(self, company=None, effective_on=JAN_2024, basis="effective", precision="day"):
        self.topic = f.topic()
        self.company = company or f.company()
        self.policy = f.policy(self.company)
        self.version = f.policy_version(self.policy, effective_on=effective_on, effective_basis=basis,
                                        effective_precision=precision)
        self.commitment = f.commitment(self.policy, topics=[self.topic])
        self.clause = worded(self.commitment, self.version)
        self.capability = capability([self.topic])
        self.product = product(self.company, [self.capability])
        self.agency = f.agency()

    def contract(self, vendor=None, products=None, **kw):
        c = f.contract(self.agency, vendor or self.company, **kw)
        return sell(c, *(products if products is not None else [self.product]))

    def observation(self, value, on, **kw):
        return f.observation(self.company, self.agency, value=Decimal(value), observed_on=on, **kw)


def findings(rule=None, today=JUNE_2026, company_ids=None):
    """{fingerprint: Finding} of one rule (by name) or all rules, as of `today`."""
    found = run_rules(Facts(company_ids, today))
    return {fp: x for fp, x in found.items() if rule is None or x.rule == rule}
