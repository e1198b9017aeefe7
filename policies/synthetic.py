"""A synthetic, obviously fictional world for tests and benchmarks.

`generate(companies=N, seed=S)` builds companies ("Example Cloud 0042"), agencies
("Agency 017"), their products, policies with several versions and clause-by-clause
commitments, statements, employee actions, contracts with products, observations,
sources and citations: about 120 records per company, and a few "giant" companies
with very long timelines (2,000+ events each).

Every record is then given a full history (created as a draft, published after
review, edited several times), so history-heavy pages and exports see realistic
volumes: about 1,000,000 history rows for N=1000.

Why not `bulk_create_with_history`: it builds each history row in Python and stamps
one date on a whole batch. Here the current rows are bulk-inserted, then the history
rows are written by one INSERT ... SELECT per table, so each record's history starts
at its own creation time, its `revision` counter equals its number of history rows,
and the million rows take seconds instead of minutes.

Deterministic: the same seed gives the same world (names, texts, amounts, dates,
history dates and reasons); only database ids and `updated_at` differ between runs.
"""

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from . import models as m
from .models.organisations import CompanyAlias

BATCH = 2000
EPOCH = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
EVENT_DAYS = 3650  # event dates fall in 2015-2024
EDIT_STEP_DAYS = 23  # history rows of one record are this many days apart
MAX_REVISION = 24

TOPICS = [
    ("mass-surveillance", "Mass surveillance"),
    ("facial-recognition", "Facial recognition"),
    ("immigration-enforcement", "Immigration enforcement"),
    ("emotion-recognition", "Emotion recognition"),
    ("data-retention", "Data retention"),
    ("predictive-policing", "Predictive policing"),
    ("biometric-data", "Biometric data"),
    ("location-tracking", "Location tracking"),
]
CAPABILITIES = [
    ("face-detection", "Face detection", "facial-recognition"),
    ("face-matching", "Face matching", "facial-recognition"),
    ("emotion-inference", "Emotion inference", "emotion-recognition"),
    ("speech-transcription", "Speech transcription", "mass-surveillance"),
    ("object-storage", "Object storage", "data-retention"),
    ("video-analytics", "Video analytics", "mass-surveillance"),
    ("licence-plate-reading", "Licence plate reading", "location-tracking"),
    ("risk-scoring", "Risk scoring", "predictive-policing"),
]
CLAUSES = [
    "We do not allow our technology to be used for the mass surveillance of civilians.",
    "We do not sell facial recognition services to police forces without a legal framework.",
    "Customers may not use our services to infer emotions of people in public spaces.",
    "We respect the human rights set out in the Universal Declaration of Human Rights.",
    "We review government contracts for human-rights risk before we sign them.",
    "We do not build tools designed to target people for their immigration status.",
    "We delete customer biometric data when the contract ends.",
    "We publish a transparency report on government requests every year.",
    "We do not knowingly support unlawful detention.",
    "Our acceptable use policy applies to every reseller of our products.",
    "We consult affected communities before deploying high-risk systems.",
    "We commit to independent human-rights impact assessments.",
]
SOFTENERS = [" where practicable", " unless required by law", " in most cases", " as we deem appropriate"]
QUOTES = [
    "We have no visibility into what our customers store on our platform.",
    "Our policies forbid the use of our services for mass surveillance.",
    "We take these reports seriously and are reviewing the contract.",
    "The contract is for routine cloud hosting and nothing more.",
    "We do not comment on individual customers.",
    "We stand by our human-rights commitments.",
    "We acknowledge the concerns raised by our employees.",
]
STATEMENT_KINDS = ["assurance", "denial", "defence", "acknowledgement", "no_visibility"]
ACTION_KINDS = ["ethics_report", "petition", "open_letter", "walkout", "resignation", "protest"]
SOURCE_KINDS = ["news", "company", "leak", "government", "court", "ngo"]
REASONS = [
    "Created from source",
    "Published after review",
    "Corrected wording against the source",
    "Added detail from a second source",
    "Fixed date precision",
    "Clarified the company's response",
    "Updated after right of reply",
]


@dataclass
class Sizes:
    """How many of each record one company gets."""

    products: int = 2
    policies: int = 2
    versions: int = 3
    commitments: int = 2
    statements: int = 6
    actions: int = 3
    contracts: int = 4
    observations_per_contract: int = 2
    sources: int = 6

    @classmethod
    def giant(cls, events):
        """A company whose timeline holds about `events` events."""
        return cls(
            products=4,
            policies=4,
            versions=max(3, events // 80),
            commitments=2,
            statements=events * 2 // 5 + 10,
            actions=events // 10,
            contracts=events * 15 // 100,
            observations_per_contract=2,
            sources=max(8, events // 20),
        )


@dataclass
class Stats:
    records: dict = field(default_factory=dict)
    history_rows: int = 0

    @property
    def total_records(self):
        return sum(self.records.values())


def giant_count(companies):
    """A few companies with very long timelines: 1 for N=10, 3 for N=1000."""
    return max(1, round(companies * 0.003)) if companies else 0


class _Silent:
    def __call__(self, label, done, total):
        pass


class World:
    """Builds the world in dependency order; each step bulk-inserts one model."""

    def __init__(self, companies, seed, giant_events, progress):
        self.n = companies
        self.rng = random.Random(seed)
        self.giant_events = giant_events
        self.progress = progress
        self.stats = Stats()
        self.tracked = []  # (model, edited text field or None, max edits)

    # ---- small deterministic helpers -------------------------------------------------

    def when(self, lo=0, hi=EVENT_DAYS):
        """A creation time in the record-time axis."""
        days = self.rng.randrange(lo, hi)
        return EPOCH + dt.timedelta(days=days, seconds=self.rng.randrange(86400))

    def event_day(self):
        """An event date with its precision (mostly day, some month or year only)."""
        day = (EPOCH + dt.timedelta(days=self.rng.randrange(EVENT_DAYS))).date()
        roll = self.rng.random()
        if roll < 0.1:
            return day.replace(month=1, day=1), "year"
        if roll < 0.3:
            return day.replace(day=1), "month"
        return day, "day"

    def status(self):
        roll = self.rng.random()
        if roll < 0.05:
            return "draft"
        if roll < 0.07:
            return "retracted"
        return "published"

    def publishable(self, obj, created_at, status=None, lo=7, hi=23):
        """Fill the editorial fields; `revision` is how many history rows it will get."""
        obj.created_at = created_at
        obj.revision = self.rng.randint(lo, hi)
        obj.editorial_status = status or self.status()
        if obj.editorial_status != "draft":
            obj.published_at = created_at + dt.timedelta(days=EDIT_STEP_DAYS)
        if obj.editorial_status == "retracted":
            obj.correction_note = "Retracted: the source was found to be unreliable (synthetic)."
        return obj

    def tracked_row(self, obj, created_at, lo=1, hi=5):
        obj.created_at = created_at
        obj.revision = self.rng.randint(lo, hi)
        return obj

    def insert(self, model, objs, edited=None):
        label = model._meta.verbose_name_plural
        for start in range(0, len(objs), BATCH):
            model.objects.bulk_create(objs[start : start + BATCH], batch_size=BATCH)
            self.progress(f"{label}", min(start + BATCH, len(objs)), len(objs))
        self.stats.records[model.__name__] = self.stats.records.get(model.__name__, 0) + len(objs)
        if model not in [t[0] for t in self.tracked]:
            self.tracked.append((model, edited))
        return objs

    # ---- the world -------------------------------------------------------------------

    def build(self):
        self.taxonomy()
        self.agencies = self.make_agencies()
        self.companies, self.sizes = self.make_companies()
        self.sources = self.make_sources()
        self.products = self.make_products()
        self.policies()
        self.claims()
        self.contracts()
        self.gaps()
        self.citations()
        self.history()
        return self.stats

    def taxonomy(self):
        self.topics = []
        for slug, name in TOPICS:
            topic = m.Topic.objects.filter(slug=slug).first()
            if topic is None:
                topic = m.Topic(slug=slug, name=name, description=f"{name} (synthetic taxonomy).")
                topic._change_reason = "Synthetic taxonomy"
                topic.save()
            self.topics.append(topic)
        by_slug = {t.slug: t for t in self.topics}
        self.capabilities = []
        for slug, name, topic_slug in CAPABILITIES:
            cap = m.Capability.objects.filter(slug=slug).first()
            if cap is None:
                cap = m.Capability(slug=slug, name=name)
                cap._change_reason = "Synthetic taxonomy"
                cap.save()
                link = m.CapabilityTopic(capability=cap, topic=by_slug[topic_slug])
                link._change_reason = "Synthetic taxonomy"
                link.save()
            self.capabilities.append(cap)

    def make_agencies(self):
        count = max(3, self.n // 10)
        agencies = []
        for i in range(1, count + 1):
            agency = m.Agency(
                slug=f"agency-{i:03d}",
                name=f"Agency {i:03d}",
                abbreviation=f"AG{i:03d}",
                jurisdiction="Exampleland",
                code=f"SYN{i:04d}",
                summary=f"A fictional government body, number {i}.",
            )
            agencies.append(self.publishable(agency, self.when(0, 60), status="published"))
        self.insert(m.Agency, agencies, edited="summary")
        # Agencies nest: every tenth is a department over the next nine.
        children = [a for i, a in enumerate(agencies) if i % 10]
        for i, agency in enumerate(agencies):
            if i % 10:
                agency.parent = agencies[i - i % 10]
        m.Agency.objects.bulk_update(children, ["parent"], batch_size=BATCH)
        return agencies

    def make_companies(self):
        giants = giant_count(self.n)
        companies, sizes = [], []
        for i in range(1, self.n + 1):
            is_giant = i <= giants
            status = "published" if is_giant or self.rng.random() > 0.01 else "draft"
            company = m.Company(
                slug=f"example-cloud-{i:04d}",
                name=f"Example Cloud {i:04d}",
                summary=f"Example Cloud {i:04d} is a fictional cloud and AI vendor (synthetic data).",
                website=f"https://cloud{i:04d}.example",
            )
            companies.append(self.publishable(company, self.when(0, 365), status=status))
            sizes.append(Sizes.giant(self.giant_events) if is_giant else Sizes())
        self.insert(m.Company, companies, edited="summary")
        aliases = []
        for company in companies:
            value = f"{company.name} Holdings"
            alias = CompanyAlias(
                company=company,
                value=value,
                key=CompanyAlias.make_key("name", value),
                is_former_name=self.rng.random() < 0.3,
            )
            aliases.append(self.tracked_row(alias, company.created_at))
        self.insert(CompanyAlias, aliases)
        return companies, sizes

    def make_sources(self):
        sources = {}
        rows = []
        for company, size in zip(self.companies, self.sizes, strict=True):
            own = []
            for j in range(size.sources):
                published_on, precision = self.event_day()
                source = m.Source(
                    title=f"Report {j + 1} on {company.name}",
                    publisher=f"Example Gazette {self.rng.randrange(1, 40):02d}",
                    kind=self.rng.choice(SOURCE_KINDS),
                    url=f"https://news.example/{company.slug}/{j + 1}",
                    published_on=published_on,
                    published_precision=precision,
                    accessed_on=published_on + dt.timedelta(days=3),
                    link_status=self.rng.choice(["unchecked", "ok", "ok", "dead"]),
                )
                own.append(self.publishable(source, self.when(), status="published"))
            sources[company.pk] = own
            rows.extend(own)
        self.insert(m.Source, rows)
        return sources

    def make_products(self):
        products, links = [], []
        for company, size in zip(self.companies, self.sizes, strict=True):
            for j in range(1, size.products + 1):
                product = m.Product(
                    company=company,
                    slug=f"{company.slug}-product-{j}",
                    name=f"{company.name} Vision {j}",
                    description=f"A fictional analytics product, number {j}.",
                )
                products.append(self.publishable(product, company.created_at + dt.timedelta(days=j)))
        self.insert(m.Product, products, edited="description")
        for product in products:
            for cap in self.rng.sample(self.capabilities, 2):
                links.append(
                    self.tracked_row(m.ProductCapability(product=product, capability=cap), product.created_at)
                )
        self.insert(m.ProductCapability, links)
        return products

    def policies(self):
        policies, versions, commitments, clauses, topics = [], [], [], [], []
        for company, size in zip(self.companies, self.sizes, strict=True):
            for j in range(1, size.policies + 1):
                policy = m.Policy(
                    company=company,
                    slug=f"policy-{j}",
                    title=f"{company.name} Acceptable Use Policy {j}",
                    kind="Acceptable Use Policy",
                    url=f"https://cloud.example/{company.slug}/aup-{j}",
                    summary="What customers may not do with the services (synthetic).",
                )
                policies.append(self.publishable(policy, company.created_at + dt.timedelta(days=j)))
        self.insert(m.Policy, policies, edited="summary")

        plan = []  # (policy, [version texts], [clause texts per version], commitments)
        for policy in policies:
            size = self._size_of(policy.company)
            days = sorted(self.rng.sample(range(EVENT_DAYS), size.versions))
            picked = self.rng.sample(range(len(CLAUSES)), 8)
            wording = [CLAUSES[k] for k in picked]
            texts = []
            for v, day in enumerate(days):
                if v:
                    k = self.rng.randrange(len(wording))
                    wording[k] = wording[k].rstrip(".") + self.rng.choice(SOFTENERS) + "."
                text = "\n\n".join(wording)
                texts.append(list(wording))
                version = m.PolicyVersion(
                    policy=policy,
                    effective_on=(EPOCH + dt.timedelta(days=day)).date(),
                    text=text,
                    text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                    change_summary="First recorded version."
                    if not v
                    else f"Clause reworded in version {v + 1}.",
                )
                versions.append(
                    self.publishable(version, policy.created_at + dt.timedelta(days=day), lo=3, hi=9)
                )
            plan.append((policy, len(versions) - len(days), texts))
            for c in range(1, size.commitments + 1):
                commitment = m.Commitment(
                    policy=policy, slug=f"commitment-{c}", title=f"Clause {picked[c - 1] + 1}"
                )
                commitments.append(self.publishable(commitment, policy.created_at))
        self.insert(m.PolicyVersion, versions, edited="change_summary")
        self.insert(m.Commitment, commitments)

        per_policy = {}
        for commitment in commitments:
            per_policy.setdefault(commitment.policy_id, []).append(commitment)
        for policy, first, texts in plan:
            for c, commitment in enumerate(per_policy[policy.pk]):
                topics.append(
                    self.tracked_row(
                        m.CommitmentTopic(commitment=commitment, topic=self.rng.choice(self.topics)),
                        commitment.created_at,
                    )
                )
                previous = None
                for v, wording in enumerate(texts):
                    version = versions[first + v]
                    text = wording[c]
                    change = (
                        "added" if previous is None else ("unchanged" if text == previous else "weakened")
                    )
                    clauses.append(
                        self.tracked_row(
                            m.CommitmentClause(
                                commitment=commitment,
                                version=version,
                                text=text,
                                stance="prohibits",
                                change=change,
                                change_suggested=change,
                                change_confirmed=change == "weakened",
                            ),
                            version.created_at,
                        )
                    )
                    previous = text
        self.insert(m.CommitmentTopic, topics)
        self.insert(m.CommitmentClause, clauses)
        self.policy_rows, self.version_rows, self.commitment_rows = policies, versions, commitments

    def _size_of(self, company):
        if not hasattr(self, "_size_index"):
            self._size_index = {c.pk: s for c, s in zip(self.companies, self.sizes, strict=True)}
        return self._size_index[company.pk]

    def claims(self):
        statements, actions, topics = [], [], []
        for company, size in zip(self.companies, self.sizes, strict=True):
            for _ in range(size.statements):
                made_on, precision = self.event_day()
                statement = m.Statement(
                    company=company,
                    agency=self.rng.choice(self.agencies) if self.rng.random() < 0.4 else None,
                    speaker="A company spokesperson",
                    speaker_role="Press office",
                    made_on=made_on,
                    made_precision=precision,
                    quote=self.rng.choice(QUOTES),
                    channel=f"statement to Example Gazette {self.rng.randrange(1, 40):02d}",
                    kind=self.rng.choice(STATEMENT_KINDS),
                )
                statements.append(self.publishable(statement, self.when()))
            for k in range(size.actions):
                started_on, precision = self.event_day()
                action = m.EmployeeAction(
                    company=company,
                    kind=self.rng.choice(ACTION_KINDS),
                    title=f"Employees of {company.name} raise concerns ({k + 1})",
                    description="Staff raised concerns about a government contract (synthetic).",
                    started_on=started_on,
                    started_precision=precision,
                    participants_estimate=self.rng.randrange(5, 2000),
                    demands="End the contract.",
                    company_response=self.rng.choice(QUOTES),
                    embargo_until=dt.date(2099, 1, 1) if self.rng.random() < 0.02 else None,
                )
                actions.append(self.publishable(action, self.when()))
        self.insert(m.Statement, statements, edited="quote")
        self.insert(m.EmployeeAction, actions, edited="description")
        for statement in statements:
            topics.append(
                self.tracked_row(
                    m.StatementTopic(statement=statement, topic=self.rng.choice(self.topics)),
                    statement.created_at,
                )
            )
        self.insert(m.StatementTopic, topics)
        self.statement_rows, self.action_rows = statements, actions

    def contracts(self):
        contracts, links, observations = [], [], []
        products_of = {}
        for product in self.products:
            products_of.setdefault(product.company_id, []).append(product)
        for ci, (company, size) in enumerate(zip(self.companies, self.sizes, strict=True), start=1):
            for j in range(1, size.contracts + 1):
                started_on, precision = self.event_day()
                route, intermediary = "direct", None
                if self.n > 1 and self.rng.random() < 0.2:
                    other = self.companies[(ci - 1 + self.rng.randrange(1, self.n)) % self.n]
                    route, intermediary = "reseller", other
                amount = self.rng.randrange(10_000, 50_000_000)
                contract = m.Contract(
                    agency=self.rng.choice(self.agencies),
                    vendor=company,
                    intermediary=intermediary,
                    route=route,
                    title=f"Cloud services for {company.name}, order {j}",
                    description="Storage and analytics services (synthetic).",
                    award_id=f"SYN{ci:04d}C{j:05d}",
                    award_key=f"SYN-{ci:04d}-{j:05d}",
                    amount=amount,
                    potential_amount=amount * 2,
                    started_on=started_on,
                    started_precision=precision,
                    ended_on=started_on + dt.timedelta(days=730),
                )
                contracts.append(self.publishable(contract, self.when()))
        self.insert(m.Contract, contracts, edited="description")
        for contract in contracts:
            product = self.rng.choice(products_of[contract.vendor_id])
            links.append(
                self.tracked_row(m.ContractProduct(contract=contract, product=product), contract.created_at)
            )
            size = self._size_of(contract.vendor)
            value = self.rng.randrange(100, 1000)
            for k in range(size.observations_per_contract):
                value = value * self.rng.choice([1, 2, 3])
                observation = m.Observation(
                    company=contract.vendor,
                    agency=contract.agency,
                    contract=contract,
                    metric="storage",
                    value=value,
                    unit="TB",
                    is_approximate=self.rng.random() < 0.5,
                    observed_on=contract.started_on + dt.timedelta(days=90 * (k + 1)),
                )
                observations.append(self.publishable(observation, contract.created_at + dt.timedelta(days=k)))
        self.insert(m.ContractProduct, links)
        self.insert(m.Observation, observations)
        self.contract_rows, self.observation_rows = contracts, observations

    def gaps(self):
        gaps, evidence = [], []
        contract_ct = ContentType.objects.get_for_model(m.Contract)
        first_contract = {}
        for contract in self.contract_rows:
            first_contract.setdefault(contract.vendor_id, contract)
        for k, commitment in enumerate(self.commitment_rows[::10], start=1):
            company = commitment.policy.company
            gap = m.Gap(
                company=company,
                commitment=commitment,
                slug=f"gap-{k:05d}",
                title=f"{company.name}: practice against '{commitment.title}'",
                narrative="The contracts suggest a use the commitment forbids (synthetic).",
                status=self.rng.choice(["signal", "confirmed", "disputed", "resolved"]),
            )
            gaps.append(self.publishable(gap, commitment.created_at + dt.timedelta(days=400)))
        self.insert(m.Gap, gaps, edited="narrative")
        for gap in gaps:
            contract = first_contract.get(gap.company_id)
            if contract:
                evidence.append(
                    self.tracked_row(
                        m.GapEvidence(gap=gap, content_type=contract_ct, object_id=contract.pk),
                        gap.created_at,
                    )
                )
        self.insert(m.GapEvidence, evidence)
        self.gap_rows = gaps

    def citations(self):
        """One citation per citable record, to a source about the same company."""
        citations = []
        groups = [
            (self.companies, lambda r: r.pk),
            (self.agencies, None),
            (self.products, lambda r: r.company_id),
            (self.policy_rows, lambda r: r.company_id),
            (self.version_rows, lambda r: r.policy.company_id),
            (self.commitment_rows, lambda r: r.policy.company_id),
            (self.statement_rows, lambda r: r.company_id),
            (self.action_rows, lambda r: r.company_id),
            (self.contract_rows, lambda r: r.vendor_id),
            (self.observation_rows, lambda r: r.company_id),
            (self.gap_rows, lambda r: r.company_id),
        ]
        every_source = [s for own in self.sources.values() for s in own]
        for rows, company_of in groups:
            if not rows:
                continue
            ct = ContentType.objects.get_for_model(type(rows[0]))
            for row in rows:
                pool = self.sources[company_of(row)] if company_of else every_source
                citations.append(
                    self.tracked_row(
                        m.Citation(
                            source=self.rng.choice(pool),
                            content_type=ct,
                            object_id=row.pk,
                            quote="A quoted passage from the source (synthetic).",
                            locator=f"paragraph {self.rng.randrange(1, 30)}",
                        ),
                        row.created_at,
                        hi=8,
                    )
                )
        self.insert(m.Citation, citations, edited="quote")

    def history(self):
        for model, edited in self.tracked:
            self.stats.history_rows += write_history(model, edited, self.progress)


def write_history(model, edited=None, progress=None):
    """Give every row of `model` `revision` history rows, oldest first, in one INSERT ... SELECT.

    Row 1 is the creation ('+'); a Publishable is created as a draft and published by
    row 2; later rows are edits with a reason. `edited` names a text field whose
    earlier rows carry an earlier wording, so history diffs show something.
    """
    history = model.history.model
    qn = connection.ops.quote_name
    own = {f.attname: f.column for f in model._meta.concrete_fields}
    has_status = "editorial_status" in own
    if edited not in own:
        edited = None
    columns, values = [], []
    for f in history._meta.concrete_fields:
        if f.attname == "history_id":
            continue
        columns.append(qn(f.column))
        values.append(_history_value(f.attname, own, has_status, edited, qn))
    steps = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, MAX_REVISION + 1))
    sql = (
        f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {qn(model._meta.db_table)} r "
        f"JOIN ({steps}) s ON s.k <= r.revision WHERE r.revision >= 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        written = cursor.rowcount
    if progress:
        progress(f"history of {model._meta.verbose_name_plural}", 1, 1)
    return written


def _history_value(attname, own, has_status, edited, qn):
    last = "s.k = r.revision"
    if attname == "history_date":
        return _add_days("r." + qn(own["created_at"]), f"(s.k - 1) * {EDIT_STEP_DAYS}")
    if attname == "history_type":
        return "CASE WHEN s.k = 1 THEN '+' ELSE '~' END"
    if attname == "history_change_reason":
        cases = " ".join(f"WHEN {k + 1} THEN {_literal(reason)}" for k, reason in enumerate(REASONS))
        return f"CASE s.k {cases} ELSE {_literal(REASONS[2])} END"
    if attname == "history_user_id":
        return "NULL"
    if attname == "public_attribution":
        return "CASE WHEN s.k = 1 THEN 'Tracker (automated)' ELSE 'Editorial team' END"
    if attname == "revision":
        return "s.k"
    column = "r." + qn(own[attname])
    if has_status and attname == "editorial_status":
        return (
            f"CASE WHEN {last} THEN {column} WHEN s.k = 1 THEN 'draft' "
            f"WHEN {column} = 'draft' THEN 'draft' ELSE 'published' END"
        )
    if has_status and attname == "correction_note":
        return f"CASE WHEN {last} THEN {column} ELSE '' END"
    if has_status and attname == "published_at":
        return f"CASE WHEN s.k = 1 AND NOT ({last}) THEN NULL ELSE {column} END"
    if attname == "updated_at":
        return _add_days("r." + qn(own["created_at"]), f"(s.k - 1) * {EDIT_STEP_DAYS}")
    if attname == edited:
        return (
            f"CASE WHEN {last} THEN {column} ELSE {column} || ' (revision ' || CAST(s.k AS TEXT) || ')' END"
        )
    return column


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _add_days(column, days_sql):
    if connection.vendor == "postgresql":
        return f"{column} + ({days_sql}) * INTERVAL '1 day'"
    if connection.vendor == "sqlite":
        return f"strftime('%Y-%m-%d %H:%M:%f', {column}, '+' || ({days_sql}) || ' days')"
    raise NotImplementedError(
        f"synthetic history is written for PostgreSQL and SQLite, not {connection.vendor}"
    )


def generate(companies, seed=0, giant_events=2000, progress=None):
    """Build the world in one transaction; returns Stats (records per model, history rows)."""
    if m.Company.objects.filter(slug__startswith="example-cloud-").exists():
        raise ValueError("A synthetic world is already in this database; use an empty database.")
    world = World(companies, seed, giant_events, progress or _Silent())
    with transaction.atomic():
        stats = world.build()
    _refresh_planner_statistics()
    _content_changed()
    return stats


def _refresh_planner_statistics():
    """After a bulk load PostgreSQL's row estimates are stale until autovacuum runs, and the
    planner picks nested loops over 100,000-row tables: the benchmark measured the home page
    at 1.7 s before ANALYZE and 0.2 s after. ANALYZE here, as after any large import."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _content_changed():
    """Bulk writes send no signals: tell the page cache and the public counts that
    everything may have changed."""
    from . import counts

    counts.changed()
    try:
        from .cache import bump_content_version
    except ImportError:  # the page cache is optional
        return
    bump_content_version()
