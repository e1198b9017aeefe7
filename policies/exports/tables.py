"""The public tables: which models are exported, which columns, and how each is filtered.

Columns come from each model's `_meta`, minus an explicit exclusion list. Tables are
an allow-list: a model added later is not exported until it is listed here, so staff
tables (signals, redactions, import runs, users) can never leak by accident.
"""

import functools
import re
from dataclasses import dataclass, field

from django.db import models

from .. import models as m

# Never exported, on any table: staff-only text and plumbing.
EXCLUDED_FIELDS = frozenset(
    {
        "internal_notes",  # private to staff
        "revision",  # optimistic-locking counter; counts draft saves too
        "history_user",  # who edited: staff are shown by role only
        "history_user_id",
        "history_relation",
    }
)

# What a history row adds, in this order, before the record's own columns.
HISTORY_FIELDS = ("history_id", "history_date", "history_type", "history_change_reason", "public_attribution")

INTEGER_TYPES = frozenset(
    {
        "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
        "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


@dataclass(frozen=True)
class Column:
    """One exported column: its name, where it comes from and how it is typed."""

    name: str
    path: str  # ORM lookup the value is read from
    kind: str  # integer, number, boolean, date, datetime or string
    description: str
    required: bool = False
    places: int | None = None  # decimal places of a number
    choices: tuple = ()
    references: str | None = None  # the table an id column points at


@dataclass(frozen=True)
class Table:
    """A public table and the rules that pick its public rows.

    `company` gives the rows of one company; `dates` names the event-date field (or
    start and end of a period) the date range applies to; `owners` are the foreign
    keys ("record" for a generic one) whose rows this row belongs to: it is exported
    only when they are, and follows their company and date filters.
    """

    model: type
    company: object = None  # callable(Company) -> Q
    dates: tuple = ()
    owners: tuple = ()
    cited: bool = False  # under a filter, only sources cited by exported rows
    description: str = ""
    columns: list = field(default_factory=list, compare=False)

    @property
    def name(self):
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.model.__name__).lower()

    @property
    def history_name(self):
        return f"{self.name}_history"

    @property
    def history_model(self):
        return _history_model(self.model)

    @property
    def is_reference(self):
        return not (self.company or self.owners or self.cited or self.dates)


@functools.cache
def _history_model(model):
    # `Model.history` builds a new manager class on every access (inspect-heavy).
    return model.history.model


def _company(*paths):
    def q(company):
        result = models.Q()
        for path in paths:
            result |= models.Q(**{path: company})
        return result

    return q


TABLES = [
    Table(m.Topic, description="The human-rights taxonomy."),
    Table(m.Capability, description="What a product can do (face detection, ...)."),
    Table(m.CapabilityTopic, description="Which topics a capability touches."),
    Table(m.Agency, description="Government bodies; agencies nest through parent_id."),
    Table(m.Company, company=_company("id"), description="Companies tracked."),
    Table(m.CompanyAlias, owners=("company",), description="Other names and identifiers, dated."),
    Table(
        m.CompanyRelationship, company=_company("parent", "child"), dates=("started_on", "ended_on"),
        description="Corporate families: child is a subsidiary, division or reseller of parent.",
    ),
    Table(m.Product, company=_company("company"), description="Products and services."),
    Table(m.ProductCapability, owners=("product",), description="Capabilities of each product."),
    Table(m.Source, cited=True, description="Cited documents."),
    Table(m.Policy, company=_company("company"), description="Companies' published policies."),
    Table(
        m.PolicyVersion, owners=("policy",), dates=("effective_on",),
        description="A policy's text (or excerpt) as published from a date.",
    ),
    Table(m.Commitment, owners=("policy",), description="Clauses practice is held against."),
    Table(m.CommitmentTopic, owners=("commitment",), description="Topics of each commitment."),
    Table(
        m.CommitmentClause, owners=("commitment", "version"),
        description="A commitment's wording in one policy version, and how it changed.",
    ),
    Table(
        m.Statement, company=_company("company"), dates=("made_on",),
        description="What companies and their officers said in public.",
    ),
    Table(m.StatementTopic, owners=("statement",), description="Topics of each statement."),
    Table(
        m.EmployeeAction, company=_company("company"), dates=("started_on", "ended_on"),
        description="Ethics reports, petitions, letters, walkouts, resignations (no embargoed ones).",
    ),
    Table(m.EmployeeActionTopic, owners=("employee_action",), description="Topics of each action."),
    Table(
        m.Contract, company=_company("vendor", "intermediary"), dates=("started_on", "ended_on"),
        description="Government contracts: agency, vendor, intermediary, amounts, period.",
    ),
    Table(m.ContractProduct, owners=("contract",), description="Products sold under each contract."),
    Table(
        m.Observation, company=_company("company"), dates=("observed_on",),
        description="Measured quantities over time (storage, spend, users).",
    ),
    Table(m.Gap, company=_company("company"), description="Findings that a commitment and practice diverge."),
    Table(m.GapEvidence, owners=("gap", "record"), description="Records that show each gap."),
    Table(
        m.RightOfReply, company=_company("company"), owners=("record",),
        description="Right of reply: when the company was asked, and what it answered.",
    ),
    Table(m.Citation, owners=("record",), description="A record citing a source, with the passage."),
]

BY_NAME = {table.name: table for table in TABLES}
BY_MODEL = {table.model: table for table in TABLES}


def table_named(name):
    return BY_NAME[name]


def _kind(f):
    internal = f.get_internal_type()
    if f.is_relation or internal in INTEGER_TYPES:
        return "integer"
    return {
        "DecimalField": "number",
        "BooleanField": "boolean",
        "DateField": "date",
        "DateTimeField": "datetime",
    }.get(internal, "string")


def _describe(f):
    text = str(f.help_text or f.verbose_name)
    return text[:1].upper() + text[1:]


def _column(f):
    if f.name == "content_type":
        return Column(
            "record_type", "content_type__model", "string",
            "Kind of record pointed at (with object_id), e.g. statement.", required=True,
        )
    target = BY_MODEL.get(f.related_model) if f.is_relation else None
    return Column(
        name=f.attname,
        path=f.attname,
        kind=_kind(f),
        description=f"Id of the {target.name} row." if target else _describe(f),
        required=f.primary_key or (not f.null and _kind(f) not in ("string",)),
        places=getattr(f, "decimal_places", None) if _kind(f) == "number" else None,
        choices=tuple(v for v, _ in f.choices if v) if f.choices else (),
        references=target.name if target else None,
    )


def columns(table):
    """The record's exported columns, in model field order."""
    fields = [f for f in table.model._meta.concrete_fields if f.name not in EXCLUDED_FIELDS]
    return [_column(f) for f in fields]


def history_columns(table):
    """History columns first, then the record's columns (ids not declared as keys)."""
    hist = table.history_model._meta
    extra = [_history_column(hist.get_field(name)) for name in HISTORY_FIELDS]
    own = columns(table)
    own[0] = Column("id", "id", "integer", "Id of the record this row is a version of.", required=True)
    return extra + own


_HISTORY_DESCRIPTIONS = {
    "history_id": "Id of this version.",
    "history_date": "Record time: when the tracker saved this version (UTC).",
    "history_type": "+ created, ~ changed, - deleted.",
    "history_change_reason": "Why the record was changed, as the editor wrote it for the public.",
    "public_attribution": "Who changed it, by role (never a name).",
}


def _history_column(f):
    kind = "integer" if f.name == "history_id" else _kind(f)
    required = f.name != "history_change_reason"
    return Column(f.name, f.name, kind, _HISTORY_DESCRIPTIONS[f.name], required=required)
