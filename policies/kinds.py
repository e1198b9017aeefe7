"""The kinds of record that have a public page, and how to name and link them.

One registry shared by record pages, public history, recent changes, feeds and
"cite this": `kind` is the URL segment (the model name in lower case).
"""

from django.http import Http404

from . import models as m
from .lib.urls import cached_reverse

RECORD_KINDS = {
    "company": m.Company,
    "agency": m.Agency,
    "product": m.Product,
    "policy": m.Policy,
    "policyversion": m.PolicyVersion,
    "commitment": m.Commitment,
    "statement": m.Statement,
    "employeeaction": m.EmployeeAction,
    "contract": m.Contract,
    "observation": m.Observation,
    "gap": m.Gap,
    "source": m.Source,
    "rightofreply": m.RightOfReply,
    "companyrelationship": m.CompanyRelationship,
}

KIND_LABELS = {
    "company": "Company",
    "agency": "Agency",
    "product": "Product",
    "policy": "Policy",
    "policyversion": "Policy version",
    "commitment": "Commitment",
    "statement": "Statement",
    "employeeaction": "Employee action",
    "contract": "Contract",
    "observation": "Observation",
    "gap": "Gap",
    "source": "Source",
    "rightofreply": "Right of reply",
    "companyrelationship": "Corporate relationship",
}


def kind_of(record):
    return record._meta.model_name


def model_for(kind):
    try:
        return RECORD_KINDS[kind]
    except KeyError:
        raise Http404("No such kind of record.") from None


def public_records(model):
    """The public queryset of `model` (published and retracted; embargoes respected)."""
    return model.objects.public()


def record_title(record):
    """A short human title that needs no further queries."""
    for attr in ("title", "name"):
        value = getattr(record, attr, "")
        if value:
            return value
    if isinstance(record, m.Statement):
        return f"Statement by {record.speaker}, {record.made}"
    if isinstance(record, m.Observation):
        approx = "about " if record.is_approximate else ""
        return f"{record.get_metric_display()}: {approx}{record.value:,.0f} {record.unit}, {record.observed}"
    if isinstance(record, m.PolicyVersion):
        return f"Policy version of {record.effective}"
    if isinstance(record, m.RightOfReply):
        return f"Request for comment of {record.asked_on:%d %B %Y}"
    return f"{KIND_LABELS.get(kind_of(record), 'Record')} {record.pk}"


def record_url(kind, pk):
    """The permalink path of a record: its own page where it has one, else the record page."""
    return cached_reverse("policies:record", kind, pk)


def history_url(kind, pk):
    return cached_reverse("policies:history", kind, pk)
