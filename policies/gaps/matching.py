"""Commitments across policy versions: match, classify, and let staff confirm.

When a policy gets a new version, each commitment worded in the previous version is
looked for in the new text (the most similar sentence). The change is classified
from the word diff:

- unchanged: the same words (ignoring case, spacing and punctuation);
- weakened: a prohibition disappears ("will not", "does not allow", "never", ...),
  "will not" becomes "may", hedges are added ("seek to", "where appropriate"), or the
  scope narrows (qualifiers such as "except", "unless", "only" are added, or "any"/"all"
  are dropped);
- strengthened: the reverse (a prohibition appears, hedges go);
- reworded: anything else;
- removed: nothing in the new version is similar enough (never concluded from an
  excerpt, which may simply not quote the clause);
- added: a commitment worded in the new version but not in the previous one.

Weakened and removed are only suggestions (`change_suggested`); the rules use them
once staff confirm (`confirm_change`). Staff correct a wrong match by editing the
clause (its commitment or text); `reclassify` then suggests again.
"""

import difflib
import re
from dataclasses import dataclass

from django.db import transaction

from ..lib.textdiff import word_diff
from ..models import ClauseChange, CommitmentClause, PolicyVersion

MATCH_THRESHOLD = 0.5  # share of words in common for a sentence to be the same clause

PROHIBITION = re.compile(
    r"\b(will not|won't|shall not|must not|may not|cannot|can't|never|do not allow|does not allow|"
    r"do not permit|does not permit|not (?:be )?(?:allowed|permitted)|prohibit\w*|forbid\w*|"
    r"refuse\w*)\b"
)
PERMISSIVE = re.compile(r"\b(may|can|might|could|is permitted|are permitted|allows?|permits?)\b(?! not)")
HEDGES = ("seek to", "strive", "aim to", "endeavour", "endeavor", "try to", "where appropriate",
          "where possible", "generally", "in most cases", "reasonable efforts", "as appropriate",
          "to the extent")
NARROWING = ("except", "unless", "only", "solely", "subject to", "other than", "outside",
             "where", "when", "within", "specific", "certain")
UNIVERSAL = ("any", "all", "every", "anyone", "anything", "whatsoever")


def _norm(text):
    return " ".join(re.sub(r"[^\w\s']", " ", (text or "").lower()).split())


def _has_phrase(text, phrase):
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


def suggest_change(old, new):
    """(ClauseChange, [reasons]) for a clause worded `old` before and `new` now."""
    if not (new or "").strip():
        return ClauseChange.REMOVED, ["the clause no longer appears"]
    a, b = _norm(old), _norm(new)
    if a == b:
        return ClauseChange.UNCHANGED, []
    inserted = _norm(" ".join(t for op, t in word_diff(a, b) if op == "insert"))
    deleted = _norm(" ".join(t for op, t in word_diff(a, b) if op == "delete"))
    weaker = _weakening(a, b, inserted, deleted)
    if weaker:
        return ClauseChange.WEAKENED, weaker
    if (not PROHIBITION.search(a) and PROHIBITION.search(b)) or any(
        _has_phrase(deleted, h) for h in HEDGES
    ):
        return ClauseChange.STRENGTHENED, ["a prohibition was added or a hedge removed"]
    return ClauseChange.REWORDED, []


def _weakening(a, b, inserted, deleted):
    def added(words, before):
        return [w for w in words if _has_phrase(inserted, w) and not _has_phrase(before, w)]

    reasons = []
    if PROHIBITION.search(a) and not PROHIBITION.search(b):
        reasons.append("a prohibition was removed")
        permissive = PERMISSIVE.search(inserted)
        if permissive:
            reasons.append(f"“{PROHIBITION.search(a).group(0)}” became “{permissive.group(0)}”")
    reasons += [f"hedge added: “{h}”" for h in added(HEDGES, a)]
    reasons += [f"scope narrowed: “{w}” added" for w in added(NARROWING, a)]
    reasons += [
        f"scope narrowed: “{w}” dropped"
        for w in UNIVERSAL
        if _has_phrase(deleted, w) and not _has_phrase(b, w)
    ]
    return reasons


def split_clauses(text):
    """Sentences and list items of a policy text."""
    parts = re.split(r"(?<=[.;!?])\s+|\n\s*[-*•]?\s*", text or "")
    return [p.strip() for p in parts if len(p.strip().split()) >= 3]


def similarity(a, b):
    return difflib.SequenceMatcher(a=_norm(a).split(), b=_norm(b).split(), autojunk=False).ratio()


def best_match(clause_text, text):
    """(sentence, similarity) of the sentence in `text` most like `clause_text`."""
    best = ("", 0.0)
    for sentence in split_clauses(text):
        score = similarity(clause_text, sentence)
        if score > best[1]:
            best = (sentence, score)
    return best


@dataclass
class MatchResult:
    commitment: object
    action: str  # created, classified, left (excerpt: nothing concluded)
    change: str
    reasons: list
    score: float

    def __str__(self):
        why = f" ({'; '.join(self.reasons)})" if self.reasons else ""
        return f"{self.commitment}: {self.action}, {self.change or 'no change suggested'}{why}"


def previous_version(version):
    return (
        PolicyVersion.objects.filter(policy=version.policy_id, effective_on__lt=version.effective_on)
        .order_by("-effective_on")
        .first()
    )


def match_version(version, dry_run=False, reason=None):
    """Match the previous version's commitments into `version`; create or classify clauses."""
    prev = previous_version(version)
    if prev is None:
        return []
    reason = reason or f"Matched to the version of {prev.effective} by comparing the wording"
    have = {c.commitment_id: c for c in version.clauses.all()}
    results = []
    with transaction.atomic():
        for old in prev.clauses.exclude(change=ClauseChange.REMOVED).select_related("commitment"):
            result = _match_one(version, prev, old, have.get(old.commitment_id), dry_run, reason)
            if result:
                results.append(result)
    return results


def _match_one(version, prev, old, clause, dry_run, reason):
    if clause is not None:
        return _classify_existing(clause, old, dry_run, reason)
    sentence, score = best_match(old.text, version.text)
    if score < MATCH_THRESHOLD:
        if version.is_excerpt or prev.is_excerpt:
            return MatchResult(old.commitment, "left for staff (excerpt)", "", [], score)
        change, reasons, text = ClauseChange.REMOVED, ["the clause no longer appears"], ""
    else:
        change, reasons = suggest_change(old.text, sentence)
        text = sentence
    if not dry_run:
        clause = CommitmentClause(
            commitment=old.commitment, version=version, text=text, stance=old.stance,
            change=change, change_suggested=change, change_confirmed=False,
        )
        clause._change_reason = reason + (f": {'; '.join(reasons)}" if reasons else "")
        clause.save()
    return MatchResult(old.commitment, "created", change, reasons, score)


def _classify_existing(clause, old, dry_run, reason):
    if clause.change_suggested or clause.change_confirmed:
        return None  # already classified (or decided by staff)
    change, reasons = suggest_change(old.text, clause.text)
    if not dry_run:
        clause.change_suggested = change
        if clause.change == ClauseChange.ADDED:  # it was in the previous version: not "added"
            clause.change = change
        clause._change_reason = reason + (f": {'; '.join(reasons)}" if reasons else "")
        clause.save()
    return MatchResult(old.commitment, "classified", change, reasons, 1.0)


def reclassify(clause, reason="Change suggested again after staff corrected the match"):
    """Suggest the change again for a clause whose match staff corrected."""
    clause.change_suggested = ""
    clause.change_confirmed = False
    clause.change = ClauseChange.ADDED
    prev = previous_version(clause.version)
    old = prev and prev.clauses.filter(commitment=clause.commitment_id).first()
    if old is None:
        clause._change_reason = reason
        clause.save()
        return None
    return _classify_existing(clause, old, False, reason)


def confirm_change(clause, change, reason):
    """Staff confirm (or correct) how a clause changed. Weakened/removed then count in the rules."""
    if not reason.strip():
        raise ValueError("A reason is required to confirm a change.")
    if change == ClauseChange.REMOVED and clause.text:
        raise ValueError("A removed clause has no text; clear it first.")
    clause.change = change
    clause.change_confirmed = True
    clause._change_reason = reason
    clause.save()
    return clause


def unmatched_versions():
    """Versions with a previous version whose commitments they do not yet word (two queries)."""
    by_policy = {}
    for v in PolicyVersion.objects.order_by("policy_id", "effective_on"):
        by_policy.setdefault(v.policy_id, []).append(v)
    worded = {}
    for version_id, commitment_id, change in CommitmentClause.objects.values_list(
        "version_id", "commitment_id", "change"
    ):
        worded.setdefault(version_id, {})[commitment_id] = change
    out = []
    for versions in by_policy.values():
        for prev, version in zip(versions, versions[1:], strict=False):
            carried = {c for c, ch in worded.get(prev.pk, {}).items() if ch != ClauseChange.REMOVED}
            here = worded.get(version.pk, {})
            if carried - set(here):
                out.append(version)
    return out


def match_unmatched_versions(dry_run=False):
    """Match every version that is missing a commitment of its predecessor."""
    results = []
    for version in unmatched_versions():
        results += [r for r in match_version(version, dry_run=dry_run) if r.action == "created"]
    return results
