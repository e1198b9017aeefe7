"""The public history of records: what changed, when, why, by whom (by role only).

Built from an explicit whitelist of fields per model. Never shown: `history_user`
(or its id), `internal_notes`, named participants, or any field not listed here.
Only versions the public could see (published or retracted) are listed, so draft
wording never leaks; fields with a Redaction are shown as "[redacted]".
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .asof import public_linked
from .kinds import KIND_LABELS, RECORD_KINDS, history_url, record_title
from .lib.precompiled import INT, precompiled
from .lib.textdiff import word_diff_html
from .models import Redaction
from .models.base import PUBLIC_STATUSES

EDITORIAL = ("editorial_status", "correction_note")
CLAIM = ("claim_status",)

PUBLIC_FIELDS = {
    "company": ("name", "summary", "website") + EDITORIAL,
    "agency": ("name", "abbreviation", "jurisdiction", "code", "summary") + EDITORIAL,
    "product": ("name", "description") + EDITORIAL,
    "policy": ("title", "kind", "url", "summary") + EDITORIAL,
    "policyversion": (
        "effective_on", "effective_precision", "effective_basis", "is_excerpt", "text",
        "change_summary",
    ) + EDITORIAL,
    "commitment": ("title", "depends_on_use") + EDITORIAL,
    "statement": (
        "speaker", "speaker_role", "made_on", "made_precision", "quote", "is_paraphrase",
        "channel", "kind",
    ) + CLAIM + EDITORIAL,
    "employeeaction": (
        "kind", "title", "description", "started_on", "started_precision", "ended_on",
        "ended_precision", "participants_estimate", "participants_description", "demands",
        "company_response", "outcome",
    ) + CLAIM + EDITORIAL,
    "contract": (
        "title", "description", "route", "award_id", "amount", "potential_amount", "currency",
        "amount_note", "started_on", "started_precision", "ended_on", "ended_precision",
        "source_status",
    ) + CLAIM + EDITORIAL,
    "observation": (
        "metric", "value", "unit", "is_approximate", "observed_on", "observed_precision", "note",
    ) + CLAIM + EDITORIAL,
    "gap": ("title", "narrative", "status", "status_reason", "severity", "company_response") + EDITORIAL,
    "source": (
        "title", "publisher", "kind", "url", "published_on", "published_precision", "archive_url",
        "link_status",
    ) + EDITORIAL,
    "rightofreply": (
        "asked_on", "deadline_on", "channel", "question", "answered_on", "response", "outcome",
    ) + EDITORIAL,
    "companyrelationship": ("kind", "started_on", "started_precision", "ended_on", "ended_precision")
    + EDITORIAL,
}

LONG_TEXT = {"summary", "text", "quote", "description", "narrative", "demands", "company_response",
             "outcome", "response", "question", "correction_note", "status_reason", "change_summary"}
REDACTED = "[redacted]"


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    diff: str = ""


@dataclass
class Version:
    date: object
    action: str
    reason: str
    attribution: str
    changes: list = field(default_factory=list)


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _display(row, name, redacted):
    if name in redacted:
        return REDACTED
    value = getattr(row, name)
    if value is None or value == "":
        return ""
    field_obj = row._meta.get_field(name)
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _changes(model, kind, row, prev, redacted):
    names = PUBLIC_FIELDS[kind]
    if prev is not None:
        names = [c.field for c in row.diff_against(prev, included_fields=list(names)).changes]
    out = []
    for name in names:
        old = _display(prev, name, redacted) if prev is not None else ""
        new = _display(row, name, redacted)
        if prev is None and not new:
            continue
        diff = word_diff_html(old, new) if name in LONG_TEXT and REDACTED not in (old, new) else ""
        out.append(FieldChange(name, _label(model, name), old, new, diff))
    return out


def _action(row, prev):
    if prev is None:
        return "Published"
    if row.editorial_status != prev.editorial_status and row.editorial_status == "retracted":
        return "Retracted (kept as a correction)"
    return "Updated"


def redacted_fields(record):
    """Field names with a Redaction on `record` (one query)."""
    ct = ContentType.objects.get_for_model(record)
    return set(
        Redaction.objects.filter(content_type=ct, object_id=record.pk).values_list("field_name", flat=True)
    )


def record_history(kind, record):
    """The public versions of `record`, newest first, each with its field changes and reason."""
    model = RECORD_KINDS[kind]
    redacted = redacted_fields(record)
    rows = record.history.filter(editorial_status__in=PUBLIC_STATUSES).order_by("history_date", "history_id")
    versions, prev = [], None
    for row in rows:
        changes = _changes(model, kind, row, prev, redacted)
        if prev is not None and not changes:
            continue
        versions.append(
            Version(row.history_date, _action(row, prev), row.history_change_reason or "",
                    row.public_attribution, changes)
        )
        prev = row
    return list(reversed(versions))


@dataclass
class Change:
    date: object
    kind: str
    kind_label: str
    pk: int
    title: str
    reason: str
    attribution: str
    action: str
    url: str


ACTIONS = {"+": "Added", "~": "Updated", "-": "Removed"}


def recent_changes(limit=50, scope=None):
    """The latest public history rows across every kind, newest first.

    `scope` (`company_scope()`, `topic_scope()`) keeps one company's or one topic's records;
    kinds it does not cover are left out. One query per kind searched, each built and
    compiled once per process (lib/precompiled.py): building the public rule's joins for
    14 kinds took most of the home page's time.
    """
    changes = []
    covered = RECORD_KINDS if scope is None else SCOPE_KINDS[scope.name]
    for kind in RECORD_KINDS:
        if kind not in covered:
            continue
        if scope is None:
            rows = _latest_rows(kind, limit)
        else:
            rows = _latest_rows_of(kind, scope.name, limit, subject=scope.pk)
        for row in rows:
            changes.append(
                Change(row.history_date, kind, KIND_LABELS[kind], row.id, record_title(row.instance),
                       row.history_change_reason or "", row.public_attribution,
                       ACTIONS.get(row.history_type, "Changed"), history_url(kind, row.id))
            )
    changes.sort(key=lambda c: c.date, reverse=True)
    return changes[:limit]


def _latest(kind, limit, live_q=None):
    model = RECORD_KINDS[kind]
    live = public_linked(model)  # not the records of a draft company, say
    if live_q is not None:
        live = live.filter(live_q)
    rows = model.history.filter(editorial_status__in=PUBLIC_STATUSES, id__in=live.values("id"))
    return rows.order_by("-history_date", "-history_id")[:limit]


@precompiled()
def _latest_rows(kind, limit):
    return _latest(kind, limit)


@precompiled(subject=INT)
def _latest_rows_of(kind, scope, limit, *, subject):
    return _latest(kind, limit, SCOPES[scope](subject)[kind])


@dataclass(frozen=True)
class Scope:
    name: str  # a key of SCOPES
    pk: int


def company_scope(company):
    """Every kind of record that belongs to `company`, for recent_changes(scope=...)."""
    return Scope("company", company.pk)


def topic_scope(topic):
    """The records filed under `topic`, for recent_changes(scope=...)."""
    return Scope("topic", topic.pk)


def _of_company(pk):
    return {
        "company": Q(pk=pk),
        "product": Q(company_id=pk),
        "policy": Q(company_id=pk),
        "policyversion": Q(policy__company_id=pk),
        "commitment": Q(policy__company_id=pk),
        "statement": Q(company_id=pk),
        "employeeaction": Q(company_id=pk),
        "contract": Q(vendor_id=pk) | Q(intermediary_id=pk),
        "observation": Q(company_id=pk),
        "gap": Q(company_id=pk),
        "rightofreply": Q(company_id=pk),
        "companyrelationship": Q(parent_id=pk) | Q(child_id=pk),
    }


def _of_topic(pk):
    return {
        "commitment": Q(topics=pk),
        "statement": Q(topics=pk),
        "employeeaction": Q(topics=pk),
        "gap": Q(commitment__topics=pk),
        "product": Q(capabilities__topics=pk),
    }


SCOPES = {"company": _of_company, "topic": _of_topic}
SCOPE_KINDS = {name: frozenset(of(0)) for name, of in SCOPES.items()}  # the kinds each covers
