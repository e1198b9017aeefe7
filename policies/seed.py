"""Load the seed data (fixtures/*.json) idempotently, with history.

`loaddata` writes no history (simple-history skips raw saves), so the seed is a
small declarative file read here instead: each entry names a model, a natural
key to find it by, its fields, and the sources it cites. Records are created or
updated through `save()` with a change reason, so each gets its first history
row; an entry whose stored values already match is left alone (no new history).

Entry format::

    {"model": "policies.company", "ref": "microsoft",
     "key": {"slug": "microsoft"},
     "fields": {"name": "Microsoft", "founded": "2018"},    # event dates: "2025", "2025-07", "2025-07-14"
     "cite": [{"source": "@guardian", "quote": "...", "locator": "..."}],
     "evidence": ["@contract-1"]}                          # gaps only

Values starting with "@" refer to an earlier entry's "ref".
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .lib.event_dates import parse_event_date
from .models import Citation, EditorialStatus, Gap, GapEvidence, Signal, SignalStatus
from .models.base import Publishable

SEED_REASON = "Seed data: founding case, from the cited sources"
SIGNALS_REASON = (
    "Seed data: the rules' signals about this commitment support the founding gap, "
    "which the editorial team confirmed from the same sources"
)
DEFAULT_SEED = Path(__file__).resolve().parent.parent / "fixtures" / "founding_case.json"


class SeedError(ValueError):
    pass


@dataclass
class SeedReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0

    def __str__(self):
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged"
        )


def load_seed(path=DEFAULT_SEED):
    """Create or update every record in the seed file, in one transaction."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["records"]
    report = SeedReport()
    refs = {}
    with transaction.atomic():
        for number, entry in enumerate(entries, start=1):
            try:
                obj = _upsert(entry, refs, report)
            except (LookupError, ValueError, TypeError) as exc:
                raise SeedError(f"seed entry {number} ({entry.get('ref', '?')}): {exc}") from exc
            if "ref" in entry:
                refs[entry["ref"]] = obj
            for citation in entry.get("cite", []):
                _upsert_related(Citation, obj, refs, report, citation)
            for evidence in entry.get("evidence", []):
                _upsert_related(GapEvidence, obj, refs, report, {"record": evidence})
    return report


def _resolve(value, refs):
    if isinstance(value, str) and value.startswith("@"):
        return refs[value[1:]]
    return value


def _field_values(model, raw, refs):
    """Turn seed values into model field values (refs, event dates, decimals)."""
    names = {f.name for f in model._meta.concrete_fields}
    values = {}
    for name, value in raw.items():
        value = _resolve(value, refs)
        if name not in names and f"{name}_on" in names and f"{name}_precision" in names:
            if value is None:
                values[f"{name}_on"] = None
                continue
            when = parse_event_date(value)
            values[f"{name}_on"] = when.date
            values[f"{name}_precision"] = when.precision
            continue
        if name not in names:
            raise LookupError(f"{model.__name__} has no field {name!r}")
        model_field = model._meta.get_field(name)
        if isinstance(model_field, models.DecimalField) and value is not None:
            value = Decimal(str(value))
        elif isinstance(model_field, models.DateField) and isinstance(value, str):
            value = parse_event_date(value).date
        values[name] = value
    return values


def _upsert(entry, refs, report):
    model = apps.get_model(entry["model"])
    key = _field_values(model, entry["key"], refs)
    values = _field_values(model, entry.get("fields", {}), refs)
    if issubclass(model, Publishable):
        values.setdefault("editorial_status", EditorialStatus.PUBLISHED)
    obj = model._default_manager.filter(**key).first()
    if obj is None:
        obj = model(**key, **values)
        if getattr(obj, "editorial_status", None) == EditorialStatus.PUBLISHED:
            obj.published_at = timezone.now()
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj._change_reason = SEED_REASON
        obj.save()
        report.created.append(obj)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        report.unchanged += 1
        return obj
    for name in changed:
        setattr(obj, name, values[name])
    obj._change_reason = f"{SEED_REASON} (updated: {', '.join(changed)})"
    obj.save()
    report.updated.append(obj)
    return obj


def _upsert_related(model, owner, refs, report, raw):
    """A citation or a piece of gap evidence attached to `owner`."""
    if model is Citation:
        target, source = owner, _resolve(raw["source"], refs)
        key = {"source": source, "locator": raw.get("locator", "")}
        values = {"quote": raw.get("quote", "")}
    else:
        target = _resolve(raw["record"], refs)
        key, values = {"gap": owner}, {"note": raw.get("note", "")}
    key["content_type"] = ContentType.objects.get_for_model(target)
    key["object_id"] = target.pk
    obj = model.objects.filter(**key).first()
    if obj is None:
        obj = model(**key, **values)
        obj._change_reason = SEED_REASON
        obj.save()
        report.created.append(obj)
    elif any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        obj._change_reason = f"{SEED_REASON} (updated)"
        obj.save()
        report.updated.append(obj)
    else:
        report.unchanged += 1


def attach_signals_to_seeded_gaps(gap_slugs):
    """Run the gap rules for the seeded gaps' companies and attach their open signals.

    The seeded gaps were written by staff from the sources; the rules find the same
    divergence independently. Open signals about a seeded gap's commitment are merged
    into it (with a reason), so its page shows which rules support it. Idempotent:
    signals already merged are no longer open.
    """
    from .gaps.detect import detect_gaps
    from .gaps.triage import merge

    gaps = list(Gap.objects.filter(slug__in=gap_slugs))
    if not gaps:
        return 0
    detect_gaps(company_ids=sorted({gap.company_id for gap in gaps}))
    attached = 0
    for gap in gaps:
        signals = list(
            Signal.objects.filter(company_id=gap.company_id, status=SignalStatus.OPEN).filter(
                Q(commitment_id=gap.commitment_id) | Q(commitment__isnull=True)
            )
        )
        if signals:
            merge(signals, gap, reason=SIGNALS_REASON)
            attached += len(signals)
    return attached


def seeded_gap_slugs(path=DEFAULT_SEED):
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["records"]
    return [e["key"]["slug"] for e in entries if e["model"] == "policies.gap"]
