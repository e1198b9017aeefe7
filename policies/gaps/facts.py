"""The published record the rules read, loaded in a fixed number of queries.

Every query here is one bulk query over all companies in scope: the number of
queries does not grow with the number of companies, contracts or statements.
Only published records are read (drafts and retractions never count as evidence;
employee actions under embargo are excluded by their own `published()`).

Dates are read conservatively, since sources often give only a month or a year:
a start that is known only to a month counts from the *last* day of that month
(`EventDate.end`), an end counts from its *first* day. A signal therefore never
depends on a date being earlier or later than the sources say.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from ..lib.event_dates import EventDate
from ..models import (
    Agency,
    CapabilityTopic,
    ClauseChange,
    Commitment,
    CommitmentClause,
    CommitmentTopic,
    Company,
    CompanyRelationship,
    Contract,
    ContractProduct,
    EffectiveBasis,
    EmployeeAction,
    EmployeeActionTopic,
    Gap,
    Observation,
    PolicyVersion,
    ProductCapability,
    RightOfReply,
    Statement,
    StatementTopic,
    Topic,
)

FAMILY_DEPTH = 4  # parent of a parent of ...: deep enough for real corporate families


def latest_possible(date, precision):
    """The last day a date known only to `precision` can stand for."""
    return EventDate(date, precision).end if date else None


@dataclass
class ClauseFacts:
    clause: CommitmentClause
    version: PolicyVersion
    previous_version: PolicyVersion | None

    @property
    def in_force_from(self):
        """When this wording is certainly in force: the end of the version's date period."""
        return latest_possible(self.version.effective_on, self.version.effective_precision)

    @property
    def changed_between(self):
        """(earliest, latest) date the change to this wording can have happened.

        A version known only to be "in force by" a date may have changed at any
        time after the previous version; one that "took effect" changed on its date.
        """
        v = self.version
        latest = latest_possible(v.effective_on, v.effective_precision)
        if v.effective_basis == EffectiveBasis.IN_FORCE_BY:
            prev = self.previous_version
            earliest = prev.effective_on + datetime.timedelta(days=1) if prev else None
        else:
            earliest = v.effective_on
        return earliest, latest


@dataclass
class CommitmentFacts:
    commitment: Commitment
    company_id: int
    topics: frozenset
    clauses: list = field(default_factory=list)  # ClauseFacts in version order
    policy_versions: list = field(default_factory=list)  # fallback when no clause is recorded

    @property
    def id(self):
        return self.commitment.pk

    @cached_property
    def first_in_force(self):
        """The ClauseFacts (or PolicyVersion, without clauses) from which it is known in force."""
        for cf in self.clauses:
            if cf.clause.change != ClauseChange.REMOVED:
                return cf
        return None

    @cached_property
    def in_force_from(self):
        if self.first_in_force:
            return self.first_in_force.in_force_from
        if not self.clauses and self.policy_versions:
            v = self.policy_versions[0]
            return latest_possible(v.effective_on, v.effective_precision)
        return None

    @property
    def in_force_label(self):
        """ "in force by February 2026" or "in force from 1 March 2024", as the source dates it."""
        v = self.in_force_version
        if v is None:
            return "of unknown date"
        if v.effective_basis == EffectiveBasis.IN_FORCE_BY:
            return f"known to be in force by {v.effective}"
        return f"in force from {v.effective}"

    @property
    def in_force_version(self):
        if self.first_in_force:
            return self.first_in_force.version
        return self.policy_versions[0] if not self.clauses and self.policy_versions else None

    @cached_property
    def in_force_until(self):
        """The earliest date it may have been removed, or None while it stands."""
        seen_in_force = False
        for cf in self.clauses:
            if cf.clause.change != ClauseChange.REMOVED:
                seen_in_force = True
            elif seen_in_force:
                return cf.changed_between[0] or cf.version.effective_on
        return None

    @cached_property
    def stances(self):
        return {cf.clause.stance for cf in self.clauses if cf.clause.change != ClauseChange.REMOVED}

    def in_force_on(self, date):
        """Was it (certainly) in force on `date`?"""
        if self.in_force_from is None or date is None or date < self.in_force_from:
            return False
        return self.in_force_until is None or date < self.in_force_until


@dataclass
class ProductFacts:
    product: object  # Product
    topics: set
    capabilities: list  # (name, topic ids)

    def capabilities_on(self, topics):
        return [name for name, carried in self.capabilities if carried & topics]

    @property
    def maker_id(self):
        return self.product.company_id


@dataclass
class ContractFacts:
    contract: Contract
    products: list = field(default_factory=list)  # ProductFacts

    @property
    def id(self):
        return self.contract.pk

    @property
    def started_latest(self):
        c = self.contract
        return latest_possible(c.started_on, c.started_precision)

    @property
    def ended_earliest(self):
        return self.contract.ended_on

    def topics(self, maker_ids=None):
        out = set()
        for p in self.products_for(maker_ids):
            out |= p.topics
        return out

    def products_for(self, maker_ids=None):
        return [p for p in self.products if maker_ids is None or p.maker_id in maker_ids]


@dataclass
class Link:
    relationship: CompanyRelationship

    def overlaps(self, start, end):
        """True when the link certainly held during some part of [start, end] (None: open)."""
        r = self.relationship
        if r.ended_on and start and r.ended_on < start:
            return False
        link_start = latest_possible(r.started_on, r.started_precision)
        return not (link_start and end and link_start > end)


class Facts:
    """What the rules read. `company_ids=None` means every company."""

    def __init__(self, company_ids=None, today=None):
        self.today = today or timezone.localdate()
        self.requested = None if company_ids is None else {c for c in company_ids if c}

    # --- companies and families ------------------------------------------------------------

    @cached_property
    def links(self):
        """Published family links, by child id (one query over the small relationship table)."""
        by_child = defaultdict(list)
        for rel in CompanyRelationship.objects.published():
            by_child[rel.child_id].append(Link(rel))
        return by_child

    def ancestors(self, company_id, start=None, end=None, depth=FAMILY_DEPTH):
        """{parent_id: Link} of every company `company_id` belongs to during [start, end]."""
        found = {}
        frontier = [company_id]
        for _ in range(depth):
            nxt = []
            for child in frontier:
                for link in self.links.get(child, ()):
                    parent = link.relationship.parent_id
                    if parent not in found and parent != company_id and link.overlaps(start, end):
                        found[parent] = link
                        nxt.append(parent)
            frontier = nxt
        return found

    @cached_property
    def owners(self):
        """Companies whose signals this run computes: the requested ones and their parents."""
        if self.requested is None:
            return None
        out = set(self.requested)
        for cid in self.requested:
            out |= set(self.ancestors(cid))
        return out

    @cached_property
    def members(self):
        """Companies whose records are read: owners and everything beneath them."""
        if self.owners is None:
            return None
        out = set(self.owners)
        for child, links in self.links.items():
            if any(link.relationship.parent_id in out for link in links):
                out.add(child)
        # two levels are enough for the data we read; ancestors() re-checks dates
        for child, links in self.links.items():
            if any(link.relationship.parent_id in out for link in links):
                out.add(child)
        return out

    def _scoped(self, qs, field="company"):
        return qs if self.members is None else qs.filter(**{f"{field}__in": self.members})

    @cached_property
    def companies(self):
        """{id: name} of published companies in scope."""
        qs = Company.objects.published()
        if self.owners is not None:
            qs = qs.filter(pk__in=self.members)
        return dict(qs.values_list("pk", "name"))

    @cached_property
    def topic_names(self):
        return dict(Topic.objects.values_list("pk", "name"))

    @cached_property
    def agency_parent(self):
        return dict(Agency.objects.values_list("pk", "parent_id"))

    # --- commitments -----------------------------------------------------------------------

    @cached_property
    def commitments(self):
        qs = Commitment.objects.published().filter(policy__editorial_status="published")
        qs = self._scoped(qs, "policy__company").select_related("policy", "policy__company")
        facts = {
            c.pk: CommitmentFacts(c, c.policy.company_id, frozenset()) for c in qs
        }
        topics = defaultdict(set)
        for cid, tid in CommitmentTopic.objects.filter(commitment__in=facts).values_list(
            "commitment_id", "topic_id"
        ):
            topics[cid].add(tid)
        for cid, cf in facts.items():
            cf.topics = frozenset(topics[cid])
        self._attach_clauses(facts)
        return list(facts.values())

    def _attach_clauses(self, facts):
        policy_ids = {cf.commitment.policy_id for cf in facts.values()}
        versions = defaultdict(list)
        for v in PolicyVersion.objects.published().filter(policy__in=policy_ids).order_by("effective_on"):
            versions[v.policy_id].append(v)
        clauses = CommitmentClause.objects.filter(
            commitment__in=facts, version__editorial_status="published"
        ).select_related("version")
        by_commitment = defaultdict(list)
        for clause in clauses:
            by_commitment[clause.commitment_id].append(clause)
        for cid, cf in facts.items():
            ordered = versions[cf.commitment.policy_id]
            cf.policy_versions = ordered
            previous = {v.pk: (ordered[i - 1] if i else None) for i, v in enumerate(ordered)}
            for clause in sorted(by_commitment[cid], key=lambda c: c.version.effective_on):
                cf.clauses.append(ClauseFacts(clause, clause.version, previous.get(clause.version_id)))

    @cached_property
    def commitments_by_company(self):
        out = defaultdict(list)
        for cf in self.commitments:
            out[cf.company_id].append(cf)
        return out

    # --- contracts -------------------------------------------------------------------------

    @cached_property
    def contracts(self):
        qs = Contract.objects.published().select_related("agency", "vendor", "intermediary")
        if self.members is not None:
            qs = qs.filter(
                Q(vendor__in=self.members)
                | Q(intermediary__in=self.members)
                | Q(contractproduct__product__company__in=self.members)
            ).distinct()
        facts = {c.pk: ContractFacts(c) for c in qs}
        rows = list(
            ContractProduct.objects.filter(
                contract__in=facts, product__editorial_status="published"
            ).select_related("product")
        )
        caps = defaultdict(list)
        cap_topics = defaultdict(set)
        for cap_id, tid in CapabilityTopic.objects.values_list("capability_id", "topic_id"):
            cap_topics[cap_id].add(tid)
        for pid, cap_id, cap_name in ProductCapability.objects.filter(
            product__in={r.product_id for r in rows}
        ).values_list("product_id", "capability_id", "capability__name"):
            caps[pid].append((cap_name, frozenset(cap_topics[cap_id])))
        for row in rows:
            pcaps = sorted(caps[row.product_id])
            topics = set().union(*(t for _, t in pcaps))
            facts[row.contract_id].products.append(ProductFacts(row.product, topics, pcaps))
        return list(facts.values())

    @cached_property
    def contracts_by_owner(self):
        """{owner_id: [(ContractFacts, how, Link or None, maker_ids or None)]}.

        A contract belongs to a company when the company (or a subsidiary, division or
        reseller linked to it while the contract ran) is the vendor, or when it makes a
        product sold under the contract (through a reseller or prime contractor).
        `maker_ids` limits the products counted to that company's own when only
        its products tie it to the contract.
        """
        out = defaultdict(list)
        for cf in self.contracts:
            c = cf.contract
            start, end = cf.started_latest, cf.ended_earliest
            seen = set()
            if c.vendor_id:
                sold = f", sold through {c.intermediary.name}" if c.intermediary_id else ""
                out[c.vendor_id].append((cf, f"as the vendor{sold}", None, None))
                seen.add(c.vendor_id)
                for parent, link in self.ancestors(c.vendor_id, start, end).items():
                    if parent not in seen:
                        how = f"through {c.vendor.name} ({link.relationship.get_kind_display().lower()})"
                        out[parent].append((cf, how, link, None))
                        seen.add(parent)
            for maker in {p.maker_id for p in cf.products if p.maker_id}:
                family = {maker} | set(self.ancestors(maker, start, end))
                for owner in family - seen:
                    via = c.intermediary.name if c.intermediary_id else (c.vendor.name if c.vendor_id else "")
                    how = f"through {via}" if via else "as the maker of products sold"
                    out[owner].append((cf, how, None, family))
                    seen.add(owner)
        return out

    # --- what companies say, measure and are asked -----------------------------------------

    @cached_property
    def statements(self):
        qs = list(self._scoped(Statement.objects.published()).order_by("made_on", "pk"))
        topics = defaultdict(set)
        for sid, tid in StatementTopic.objects.filter(statement__in=qs).values_list(
            "statement_id", "topic_id"
        ):
            topics[sid].add(tid)
        for s in qs:
            s.topic_ids = frozenset(topics[s.pk])
        return qs

    @cached_property
    def observations(self):
        qs = self._scoped(Observation.objects.published()).select_related("agency")
        return list(qs.order_by("observed_on", "pk"))

    @cached_property
    def employee_actions(self):
        qs = list(self._scoped(EmployeeAction.objects.published()))
        topics = defaultdict(set)
        for aid, tid in EmployeeActionTopic.objects.filter(employee_action__in=qs).values_list(
            "employee_action_id", "topic_id"
        ):
            topics[aid].add(tid)
        for a in qs:
            a.topic_ids = frozenset(topics[a.pk])
        return qs

    @cached_property
    def replies(self):
        """Published right-of-reply requests, each with `about_commitment_id` when it asks
        about a commitment or a gap on one (one extra query for the gaps)."""
        replies = list(self._scoped(RightOfReply.objects.published()).select_related("content_type"))
        gap_ids = {r.object_id for r in replies if r.content_type.model == "gap"}
        gap_commitment = dict(Gap.objects.filter(pk__in=gap_ids).values_list("pk", "commitment_id"))
        for r in replies:
            model = r.content_type.model
            r.about_commitment_id = (
                r.object_id if model == "commitment" else gap_commitment.get(r.object_id)
            )
        return replies

    # --- naming things in summaries ----------------------------------------------------------

    def topic_list(self, ids):
        return ", ".join(sorted(self.topic_names.get(t, "?").lower() for t in ids))

    def company_name(self, cid):
        return self.companies.get(cid, f"company {cid}")
