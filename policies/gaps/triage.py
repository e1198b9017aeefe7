"""Staff decisions on signals: confirm into a gap, merge into an existing gap, dismiss.

Each is one write inside `transaction.atomic()`; every row it saves carries the
staff member's reason in its history. A confirmed gap starts as a draft (it must
cite a source and pass review before it is public) with status "confirmed".
"""

from django.db import transaction
from django.utils.text import slugify

from ..models import Gap, GapEvidence, SignalStatus
from .rules import RULES


class TriageError(ValueError):
    pass


def _check(signals, reason):
    signals = list(signals)
    if not reason or not reason.strip():
        raise TriageError("A reason is required; it is kept in the history.")
    if not signals:
        raise TriageError("Select at least one signal.")
    if len({s.company_id for s in signals}) > 1:
        raise TriageError("The signals concern different companies; a gap is about one company.")
    return signals


def common_commitment(signals):
    """The one commitment the signals name, or None when they name none or several."""
    named = {s.commitment_id for s in signals if s.commitment_id}
    return named.pop() if len(named) == 1 else None


def _unique_slug(title):
    base = slugify(title)[:40] or "gap"
    taken = set(Gap.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def confirm(signals, *, title, narrative, severity, reason, commitment_id=None, user=None):
    """Create a draft Gap from the signals, copy their evidence to it, mark them confirmed."""
    signals = _check(signals, reason)
    commitment_id = commitment_id or common_commitment(signals)
    if commitment_id is None:
        raise TriageError("Choose the commitment the gap is about (the signals name none, or several).")
    gap = Gap(
        company_id=signals[0].company_id, commitment_id=commitment_id, slug=_unique_slug(title),
        title=title, narrative=narrative, severity=severity, status="confirmed", status_reason=reason,
    )
    _save(gap, f"Confirmed from {len(signals)} signal(s): {reason}", user)
    _attach(gap, signals, SignalStatus.CONFIRMED, reason, user)
    return gap


@transaction.atomic
def merge(signals, gap, *, reason, user=None):
    """Add the signals (and their evidence) to an existing gap of the same company."""
    signals = _check(signals, reason)
    if gap.company_id != signals[0].company_id:
        raise TriageError("The gap is about another company.")
    _attach(gap, signals, SignalStatus.MERGED, reason, user)
    return gap


@transaction.atomic
def dismiss(signals, *, reason, user=None):
    """Dismiss the signals. Re-running the rules leaves a dismissed signal dismissed."""
    signals = _check(signals, reason)
    for s in signals:
        s.status = SignalStatus.DISMISSED
        s.triage_reason = reason
        _save(s, f"Dismissed: {reason}", user)


def _attach(gap, signals, status, reason, user):
    have = set(gap.evidence.values_list("content_type_id", "object_id"))
    for s in signals:
        for e in s.evidence.all():
            key = (e.content_type_id, e.object_id)
            if key not in have:
                have.add(key)
                row = GapEvidence(gap=gap, content_type_id=e.content_type_id, object_id=e.object_id,
                                  note=f"Found by the rule “{_rule_title(s.rule)}”"[:400])
                _save(row, f"Evidence from signal {s.pk}: {reason}", user)
        s.status, s.gap, s.triage_reason = status, gap, reason
        verb = "Confirmed into" if status == SignalStatus.CONFIRMED else "Merged into"
        _save(s, f"{verb} gap “{gap.title}”: {reason}", user)


def _rule_title(rule):
    return next((fn.title for fn in RULES if fn.__name__ == rule), rule)


def _save(obj, reason, user):
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    obj.save()
    return obj
