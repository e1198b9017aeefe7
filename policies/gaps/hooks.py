"""Re-run the rules after relevant saves, cheaply: only for the companies a save touches.

A save or a deletion of a contract, statement, observation, policy version, ... records
which companies it concerns; when the transaction commits, `detect_gaps` runs once for
those companies (and their parents), however many records the transaction saved.
Raw saves (loaddata) are skipped. `GAP_DETECT_ON_SAVE=false` turns this off, e.g.
for bulk imports that run `manage.py detect_gaps` once at the end.
"""

import logging
import threading

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .. import models as m

log = logging.getLogger(__name__)
_pending = threading.local()


def _policy_company(policy_id):
    return m.Policy.objects.filter(pk=policy_id).values_list("company_id", flat=True).first()


# For each watched model: the ids of the companies a saved instance concerns.
COMPANIES_OF = {
    # The company itself: the rules read published companies only, so publishing one, or
    # taking it back to draft, changes what they find.
    m.Company: lambda c: [c.pk],
    m.Contract: lambda c: [c.vendor_id, c.intermediary_id],
    m.ContractProduct: lambda cp: list(
        m.Contract.objects.filter(pk=cp.contract_id).values_list("vendor_id", "intermediary_id").first() or []
    ) + [m.Product.objects.filter(pk=cp.product_id).values_list("company_id", flat=True).first()],
    m.Product: lambda p: [p.company_id],
    m.CompanyRelationship: lambda r: [r.parent_id, r.child_id],
    m.Statement: lambda s: [s.company_id],
    m.Observation: lambda o: [o.company_id],
    m.EmployeeAction: lambda a: [a.company_id],
    m.RightOfReply: lambda r: [r.company_id],
    m.Commitment: lambda c: [_policy_company(c.policy_id)],
    m.PolicyVersion: lambda v: [_policy_company(v.policy_id)],
    m.CommitmentClause: lambda cl: list(
        m.Commitment.objects.filter(pk=cl.commitment_id).values_list("policy__company_id", flat=True)
    ),
}


def schedule(company_ids):
    """Remember companies to re-check, and re-check them all once the transaction commits."""
    ids = {c for c in company_ids if c}
    if not ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending |= ids
    transaction.on_commit(flush, robust=True)  # extra callbacks find nothing left to do


def flush():
    ids = getattr(_pending, "ids", None)
    if not ids:
        return
    _pending.ids = set()
    from .detect import detect_gaps

    report = detect_gaps(sorted(ids))
    if report.changes:
        log.info("detect_gaps after save: %s", report)


def on_change(sender, instance, raw=False, **kwargs):
    """After a save or a deletion (a deleted record is evidence no more; the ids it held are
    still on the instance, and lookups of rows deleted with it find nothing, harmlessly)."""
    if raw or not settings.GAP_DETECT_ON_SAVE:
        return
    schedule(COMPANIES_OF[sender](instance))


def connect():
    for model in COMPANIES_OF:
        post_save.connect(on_change, sender=model, dispatch_uid=f"gaps_detect_{model.__name__}")
        post_delete.connect(on_change, sender=model, dispatch_uid=f"gaps_detect_delete_{model.__name__}")
