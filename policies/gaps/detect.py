"""Run the rules and keep Signal rows in step with what they find.

A signal is identified by its fingerprint (rule + evidence identity), so re-running
never duplicates. What happens to each fingerprint:

- found and new: a Signal is created (status open) with its evidence;
- found and already there: updated only if its summary, dates or evidence changed
  (no save otherwise, so a re-run writes no history); a withdrawn one is reopened;
  a dismissed one stays dismissed (the staff decision stands);
- no longer found: an open signal is withdrawn, and so is a confirmed or merged one
  whose evidence was retracted (its gap keeps its link, for staff to review).
  The history reason names the retracted evidence when there is any.

All writes happen in one `transaction.atomic()`. New signals and their evidence, most of a
first run over a large record, are written in bulk with their history rows
(`bulk_create_with_history`); one at a time only if another run created one meanwhile.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from ..cache import bump_now_and_after_commit
from ..models import EditorialStatus, Signal, SignalEvidence, SignalStatus
from ..signals import public_attribution
from .facts import Facts
from .rules import run_rules

LIVE = (SignalStatus.OPEN, SignalStatus.CONFIRMED, SignalStatus.MERGED)


@dataclass
class Change:
    action: str  # create, update, reopen, withdraw
    fingerprint: str
    rule: str
    summary: str
    reason: str
    finding: object = None
    signal: Signal | None = None

    def __str__(self):
        return f"{self.action:8} {self.rule}: {self.summary} [{self.reason}]"


@dataclass
class DetectionReport:
    changes: list = field(default_factory=list)
    found: int = 0
    dry_run: bool = False

    def count(self, action):
        return sum(1 for c in self.changes if c.action == action)

    @property
    def created(self):
        return self.count("create")

    def __str__(self):
        verb = "would be " if self.dry_run else ""
        parts = [f"{self.count(a)} {verb}{label}" for a, label in ACTION_LABELS]
        return f"{self.found} signals found by the rules; " + ", ".join(parts) + "."


ACTION_LABELS = [("create", "created"), ("update", "updated"), ("reopen", "reopened"),
                 ("withdraw", "withdrawn")]


def detect_gaps(company_ids=None, dry_run=False, today=None):
    """Run every rule (for `company_ids` and their parents, or for everyone) and apply the result."""
    facts = Facts(company_ids, today)
    findings = run_rules(facts)
    existing = _existing(facts)
    report = DetectionReport(found=len(findings), dry_run=dry_run)
    report.changes = plan(findings, existing)
    if not dry_run and report.changes:
        apply(report.changes)
    return report


def _existing(facts):
    qs = Signal.objects.prefetch_related("evidence")
    if facts.owners is not None:
        qs = qs.filter(company__in=facts.owners)
    return {s.fingerprint: s for s in qs}


def evidence_keys(records):
    return {(ContentType.objects.get_for_model(r).pk, r.pk) for r in records}


def plan(findings, existing):
    """The list of Changes that brings the stored signals in line with `findings`."""
    changes = []
    for fp, finding in findings.items():
        signal = existing.get(fp)
        if signal is None:
            changes.append(Change("create", fp, finding.rule, finding.summary,
                                  f"Found by rule {finding.rule}", finding))
        elif signal.status == SignalStatus.WITHDRAWN:
            changes.append(Change("reopen", fp, finding.rule, finding.summary,
                                  "Found again: its evidence is in the published record again",
                                  finding, signal))
        elif signal.status != SignalStatus.DISMISSED and _differs(signal, finding):
            changes.append(Change("update", fp, finding.rule, finding.summary,
                                  f"Rule {finding.rule} found changed evidence or dates", finding, signal))
    vanished = [s for fp, s in existing.items() if fp not in findings and s.status in LIVE]
    retracted = retracted_evidence(vanished)
    for signal in vanished:
        gone = retracted.get(signal.pk)
        if signal.status != SignalStatus.OPEN and not gone:
            continue  # a triaged signal is withdrawn only when its evidence is retracted
        reason = (
            "Evidence retracted: " + "; ".join(gone) if gone
            else "The rule no longer finds this in the published record"
        )
        if gone and signal.gap_id:
            reason += " (the gap it supports needs review)"
        changes.append(Change("withdraw", signal.fingerprint, signal.rule, signal.summary, reason,
                              signal=signal))
    return changes


def _differs(signal, finding):
    return (
        signal.summary != finding.summary
        or signal.first_date != finding.first_date
        or signal.last_date != finding.last_date
        or signal.commitment_id != finding.commitment_id
        or {(e.content_type_id, e.object_id) for e in signal.evidence.all()}
        != evidence_keys(finding.evidence)
    )


def retracted_evidence(signals):
    """{signal id: ["contract 12 (correction note)", ...]} for evidence no longer published.

    One query per kind of evidence record, however many signals there are.
    """
    wanted = defaultdict(set)
    for s in signals:
        for e in s.evidence.all():
            wanted[e.content_type_id].add(e.object_id)
    status = {}
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None or not hasattr(model, "editorial_status"):
            continue
        for pk, st, note in model._default_manager.filter(pk__in=ids).values_list(
            "pk", "editorial_status", "correction_note"
        ):
            status[(ct_id, pk)] = (model._meta.verbose_name, st, note)
    out = defaultdict(list)
    for s in signals:
        for e in s.evidence.all():
            name, st, note = status.get((e.content_type_id, e.object_id), (None, None, ""))
            if name and st != EditorialStatus.PUBLISHED:
                label = "retracted" if st == EditorialStatus.RETRACTED else "unpublished"
                out[s.pk].append(f"{name} {e.object_id} {label}" + (f" ({note})" if note else ""))
    return out


BULK_BATCH = 500


@transaction.atomic
def apply(changes):
    _create_all([c for c in changes if c.action == "create"])
    for change in changes:
        if change.action != "create":
            {"update": _update, "reopen": _reopen, "withdraw": _withdraw}[change.action](change)


def _create_all(changes):
    """Create these signals and their evidence in bulk; one by one, skipping those another run
    created meanwhile, if the bulk insert meets one."""
    if not changes:
        return
    try:
        with transaction.atomic():
            _bulk_create(changes)
    except IntegrityError:
        for change in changes:
            change.signal = None
            _create(change)


def _bulk_create(changes):
    """The history rows are those `save()` writes: the reason of each change, the same user
    (the request's, if any) and public attribution, which `policies.signals` sets on a save
    but bulk writes send no signal for; the page cache is dropped as a save would drop it."""
    signals = []
    for change in changes:
        signal = Signal(rule=change.finding.rule, fingerprint=change.fingerprint)
        _fill(signal, change.finding)
        signal._change_reason = change.reason
        signals.append(signal)
    user = Signal.history.model.get_default_history_user(signals[0])
    attrs = {
        "default_user": user,
        "custom_historical_attrs": {"public_attribution": public_attribution(user)},
        "batch_size": BULK_BATCH,
    }
    bulk_create_with_history(signals, Signal, **attrs)
    evidence = []
    for change, signal in zip(changes, signals, strict=True):
        change.signal = signal
        for ct_id, pk in _wanted(change.finding):
            row = SignalEvidence(signal=signal, content_type_id=ct_id, object_id=pk)
            row._change_reason = change.reason
            evidence.append(row)
    bulk_create_with_history(evidence, SignalEvidence, **attrs)
    bump_now_and_after_commit()


def _fill(signal, finding):
    signal.company_id = finding.company_id
    signal.commitment_id = finding.commitment_id
    signal.summary = finding.summary
    signal.first_date = finding.first_date
    signal.last_date = finding.last_date


def _create(change):
    finding = change.finding
    signal = Signal(rule=finding.rule, fingerprint=change.fingerprint)
    _fill(signal, finding)
    signal._change_reason = change.reason
    try:
        with transaction.atomic():  # another run may have created it meanwhile
            signal.save()
    except IntegrityError:
        return
    change.signal = signal
    _sync_evidence(signal, finding, change.reason)


def _update(change):
    _fill(change.signal, change.finding)
    change.signal._change_reason = change.reason
    change.signal.save()
    _sync_evidence(change.signal, change.finding, change.reason)


def _reopen(change):
    change.signal.status = SignalStatus.OPEN  # a gap it supported stays linked, for staff to see
    _update(change)


def _withdraw(change):
    change.signal.status = SignalStatus.WITHDRAWN
    change.signal._change_reason = change.reason
    change.signal.save()


def _sync_evidence(signal, finding, reason):
    have = {(e.content_type_id, e.object_id): e for e in signal.evidence.all()} if signal.pk else {}
    want = _wanted(finding)
    for key, row in have.items():
        if key not in want:
            row._change_reason = reason
            row.delete()
    for ct_id, pk in want:
        if (ct_id, pk) not in have:
            row = SignalEvidence(signal=signal, content_type_id=ct_id, object_id=pk)
            row._change_reason = reason
            row.save()


def _wanted(finding):
    """{(content type id, id): None} of the finding's evidence records, in order, once each."""
    return dict.fromkeys((ContentType.objects.get_for_model(r).pk, r.pk) for r in finding.evidence)
