"""A small public record for the export tests, with private things that must never leak.

Every private string is distinctive, so a test can grep every byte of an export for it.
`pin_clock()` then rewrites every timestamp from its row's id, so two databases given
the same world (and fresh id sequences) export the same bytes.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from policies import models as m
from policies.exports.tables import TABLES
from tests import factories as f

STAFF_USERNAME = "zquillfeather"
STAFF_FIRST, STAFF_LAST = "Zebediah", "Quillfeather"
STAFF_EMAIL = "zebediah.secret@staff-only.example"
INTERNAL_NOTE = "INTERNAL-NOTE-c0de5ecret"
DRAFT_QUOTE = "DRAFT-ONLY-QUOTE-7f3a"
EARLY_DRAFT_QUOTE = "WAS-A-DRAFT-ONCE-5e5e"
PULLED_QUOTE = "PULLED-BACK-TO-DRAFT-4b4b"
EMBARGOED_TITLE = "EMBARGOED-ACTION-91c2"
DRAFT_COMPANY = "Draft Company DRAFTCO-77aa"

PRIVATE = [
    STAFF_USERNAME, STAFF_FIRST, STAFF_LAST, STAFF_EMAIL, INTERNAL_NOTE, DRAFT_QUOTE,
    EARLY_DRAFT_QUOTE, PULLED_QUOTE, EMBARGOED_TITLE, DRAFT_COMPANY,
]

TRICKY_QUOTE = 'We said "no", then, later:\nyes — naïve, 100% sure'


def _edit(obj, reason, user=None, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._change_reason = reason
    if user:
        obj._history_user = user
    obj.save()
    return obj


def build():
    """The world; returns a dict of its notable records."""
    staff = get_user_model().objects.create_user(
        STAFF_USERNAME, STAFF_EMAIL, "a-long-test-password", first_name=STAFF_FIRST, last_name=STAFF_LAST
    )
    topic = f.topic(slug="mass-surveillance", name="Mass surveillance")
    cap = f._save(m.Capability(slug="face-detection", name="Face detection"))
    f._save(m.CapabilityTopic(capability=cap, topic=topic))
    department = f.agency(slug="department", name="Example Department")
    agency = f.agency(slug="enforcement", name="Example Enforcement Agency", parent=department)
    company = f.company(slug="example-cloud", name="Example Cloud 0042", internal_notes=INTERNAL_NOTE)
    _edit(company, "Summary added", staff, summary="A fictional cloud provider.")
    reseller = f.company(slug="example-reseller", name="Example Reseller 0007")
    draft_company = f.company(slug="draft-co", name=DRAFT_COMPANY, status="draft")
    f._save(m.CompanyAlias(company=company, value="Example Cloud Corp.", is_former_name=True))
    f._save(m.CompanyAlias(company=draft_company, value=DRAFT_COMPANY + " Inc"))
    product = f._save(
        m.Product(company=company, slug="vision", name="Example Vision", editorial_status="published")
    )
    f.cite(product)
    f._save(m.ProductCapability(product=product, capability=cap, note="as advertised"))
    policy = f.policy(company, slug="aup", title="Acceptable use policy")
    v1 = f.policy_version(policy, effective_on=dt.date(2020, 1, 1), effective_precision="year")
    v2 = f.policy_version(
        policy, effective_on=dt.date(2024, 7, 1), effective_precision="month", is_excerpt=True
    )
    commitment = f.commitment(policy, topics=[topic], title="No mass surveillance")
    f._save(m.CommitmentClause(commitment=commitment, version=v1, text="We prohibit mass surveillance."))
    f._save(m.CommitmentClause(commitment=commitment, version=v2, text="We restrict it.", change="weakened"))

    said = f.statement(company, quote=TRICKY_QUOTE, is_paraphrase=True, speaker="A spokesperson, Inc.")
    _edit(said, "Corrected the speaker's role, per the publisher", staff, speaker_role="Press office")
    f._save(m.StatementTopic(statement=said, topic=topic))
    f.statement(company, status="draft", quote=DRAFT_QUOTE, internal_notes=INTERNAL_NOTE)
    once_draft = f.statement(company, status="draft", quote=EARLY_DRAFT_QUOTE)
    _edit(once_draft, "Published after review", staff, editorial_status="published", quote="Reviewed.")
    pulled = f.statement(company, quote=PULLED_QUOTE)
    _edit(pulled, "Pulled back for legal review", staff, editorial_status="draft")
    retracted = f.statement(company, quote="A statement later retracted.")
    _edit(retracted, "Retracted", staff, editorial_status="retracted", correction_note="Misattributed.")

    f.employee_action(company, title="Open letter against the contract", embargo_until=dt.date(2000, 1, 1))
    f.employee_action(company, title=EMBARGOED_TITLE, embargo_until=dt.date(2999, 1, 1))
    contract = f.contract(
        agency, vendor=company, intermediary=reseller, route="reseller", title="Storage, via a reseller",
        amount=Decimal("1234567.89"), potential_amount=None, started_on=dt.date(2025, 1, 1),
        ended_on=dt.date(2025, 12, 31),
    )
    f._save(m.ContractProduct(contract=contract, product=product))
    f.contract(agency, vendor=draft_company, title="Contract of a draft company")
    f.observation(company, agency, contract=contract, value=Decimal("400"), observed_on=dt.date(2025, 1, 1))
    grown = f.observation(company, agency, contract=contract, value=Decimal("1400.50"), is_approximate=True)
    _edit(grown, "Rounded as the source does", None, value=Decimal("1400.00"))
    gap = f.gap(company, commitment, title="Says no surveillance, sells storage for it")
    f._save(
        m.GapEvidence(
            gap=gap, content_type=ContentType.objects.get_for_model(contract), object_id=contract.pk
        )
    )
    f._save(
        m.RightOfReply(
            company=company, content_type=ContentType.objects.get_for_model(gap), object_id=gap.pk,
            asked_on=dt.date(2025, 8, 1), deadline_on=dt.date(2025, 8, 15), channel="email to the press",
            answered_on=dt.date(2025, 8, 10), response="We cannot see what customers store.",
            outcome="answered", editorial_status="published",
        )
    )
    return {"company": company, "statement": said, "observation": grown, "staff": staff}


BASE = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def _stamp(pk):
    """Whole seconds, and fractions with trailing zeros (.25, .5): both must print alike."""
    return BASE + dt.timedelta(minutes=pk, microseconds=(pk * 250_000) % 1_000_000)


def pin_clock():
    """Rewrite every record-time timestamp from ids: deterministic on any database."""
    for table in TABLES:
        model, hist = table.model, table.history_model
        for pk in model._base_manager.values_list("id", flat=True):
            at = _stamp(pk)
            model._base_manager.filter(id=pk).update(created_at=at, updated_at=at + dt.timedelta(seconds=1))
        for history_id, pk in hist.objects.values_list("history_id", "id"):
            at = _stamp(pk)
            hist.objects.filter(history_id=history_id).update(
                history_date=at + dt.timedelta(hours=history_id),
                created_at=at,
                updated_at=at + dt.timedelta(seconds=history_id),
            )
