"""The signal rules. Each is a small function: it reads `Facts` and yields `Finding`s.

The first paragraph of each docstring states the rule in plain words; the public
method page ("How we identify gaps") is generated from these docstrings, with
names in braces replaced by the current settings. Keep them honest and short.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings

from ..models import Metric, ReplyOutcome, Stance, StatementKind

RULES = []


def rule(title):
    """Register a rule function under a human title (shown on the method page)."""

    def register(fn):
        fn.title = title
        RULES.append(fn)
        return fn

    return register


@dataclass
class Finding:
    rule: str
    key: str  # the evidence identity within the rule; with the rule name, the fingerprint
    company_id: int
    commitment_id: int | None
    summary: str
    first_date: datetime.date | None
    last_date: datetime.date | None
    evidence: tuple  # model instances

    @property
    def fingerprint(self):
        return f"{self.rule}:{self.key}"


def _dates(first, last):
    """first/last dates that satisfy the Signal constraint (last never before first)."""
    if first and last and last < first:
        return last, first
    return first, last


def _finding(fn, key, company_id, commitment_id, summary, first, last, evidence):
    first, last = _dates(first, last)
    ev = tuple(dict.fromkeys(e for e in evidence if e is not None))
    return Finding(fn.__name__, key, company_id, commitment_id, summary, first, last, ev)


RESTRICTIVE = {Stance.PROHIBITS, Stance.RESTRICTS}


@rule("Commitment against contract")
def commitment_vs_contract(facts):
    """A company commits not to let its technology be used for something (a topic such as mass
    surveillance), and it, one of its subsidiaries, or a reseller of its products holds a
    government contract that was still active after the commitment took effect, selling a
    product whose capabilities carry that topic.

    A commitment counts from the date a published policy version shows it in force; when the
    source says only that it was "in force by" a date, we do not assume it existed earlier.
    A contract with no reported end date counts as still active. A subsidiary or reseller
    counts only while its link to the company held during the contract.
    """
    for cf in facts.commitments:
        if not cf.topics or cf.in_force_from is None or not (cf.stances & RESTRICTIVE):
            continue
        for contract_facts, how, link, makers in facts.contracts_by_owner.get(cf.company_id, ()):
            found = _contract_against(facts, cf, contract_facts, how, link, makers)
            if found:
                yield found


def _contract_against(facts, cf, k, how, link, makers):
    c = k.contract
    if k.ended_earliest and k.ended_earliest < cf.in_force_from:
        return None  # ended before the commitment is known to be in force
    if cf.in_force_until and k.started_latest and k.started_latest >= cf.in_force_until:
        return None  # began only after the commitment was removed
    topics = cf.topics & k.topics(makers)
    if not topics:
        return None
    products = [p for p in k.products_for(makers) if p.topics & topics]
    capabilities = sorted({cap for p in products for cap in p.capabilities_on(topics)})
    ended = f"ended {c.ended}" if c.ended_on else "no end date reported"
    summary = (
        f"{facts.company_name(cf.company_id)}'s commitment {_quoted(cf.commitment.title)} covers "
        f"{facts.topic_list(topics)} and is {cf.in_force_label}; contract "
        f"{_quoted(c.title)} with {c.agency} ({how}, {ended}) sells "
        f"{', '.join(p.product.name for p in products)} ({', '.join(capabilities)})."
    )
    first = max(d for d in (cf.in_force_from, k.started_latest) if d)
    evidence = [cf.in_force_version, c, link.relationship if link else None]
    evidence += [p.product for p in products]
    return _finding(
        commitment_vs_contract, f"c{cf.id}:k{c.pk}", cf.company_id, cf.id, summary,
        first, c.ended_on, evidence,
    )


GROWTH_METRICS = {Metric.STORAGE, Metric.SPEND, Metric.USERS}
REASSURING = {StatementKind.ASSURANCE, StatementKind.DENIAL, StatementKind.DEFENCE}


@rule("Assurance followed by growth")
def assurance_vs_growth(facts):
    """A company gives an assurance, a denial or a defence of its work for a government agency
    (for example that the work is limited or benign), and afterwards the measured use of its
    services by that agency grows to more than {GAP_GROWTH_THRESHOLD} times its level at the
    time of the statement.

    A defence ("the contracts are for mail and calendars") describes the scope of the work, so
    growth far beyond it is held against it like an assurance. Growth is measured on one
    relationship (the same company, agency, metric and unit), from the last observation at or
    before the statement (or, if there is none, the first one after it) to the largest later one.
    """
    threshold = settings.GAP_GROWTH_THRESHOLD
    series = _series(facts)
    for s in facts.statements:
        if s.kind not in REASSURING or s.made_on is None:
            continue
        for (_company, agency_id, _metric, _unit), points in series.get(s.company_id, {}).items():
            if not _same_agency(facts, s.agency_id, agency_id):
                continue
            found = _growth_after(facts, s, points, threshold)
            if found:
                yield found


def _series(facts):
    """{company id: {(company, agency, metric, unit): [observations in date order]}}."""
    out = {}
    for o in facts.observations:
        if o.metric in GROWTH_METRICS:
            key = (o.company_id, o.agency_id, o.metric, o.unit)
            out.setdefault(o.company_id, {}).setdefault(key, []).append(o)
    return out


def _same_agency(facts, stated, observed):
    return stated is None or stated == observed or facts.agency_parent.get(observed) == stated


def _growth_after(facts, s, points, threshold):
    said = s.made.end
    before = [o for o in points if o.observed_on <= said]
    after = [o for o in points if o.observed_on > said]
    baseline = before[-1] if before else (after[0] if after else None)
    later = [o for o in after if o.observed_on > baseline.observed_on] if baseline else []
    if not later or not baseline.value:
        return None
    peak = max(later, key=lambda o: (o.value, o.observed_on))
    ratio = peak.value / baseline.value
    if ratio <= threshold:
        return None
    summary = (
        f"{facts.company_name(s.company_id)} ({s.get_kind_display().lower()}, {s.made}): "
        f"{_quoted(_short(s.quote))}. Afterwards {peak.get_metric_display().lower()} for "
        f"{peak.agency} grew from {baseline.value:,.0f} {baseline.unit} ({baseline.observed}) to "
        f"{peak.value:,.0f} {peak.unit} ({peak.observed}), {ratio:.1f} times."
    )
    key = f"s{s.pk}:o{peak.company_id}:a{peak.agency_id}:{peak.metric}:{_slug(peak.unit)}"
    return _finding(
        assurance_vs_growth, key, s.company_id, None, summary,
        min(s.made_on, baseline.observed_on), peak.observed_on, [s, baseline, peak],
    )


@rule("Commitment that depends on a use the company says it cannot see")
def no_visibility(facts):
    """A company says it cannot see how customers use its product, while one of its
    commitments can only be honoured by knowing that use (for example a promise that the
    product is not used for mass surveillance).

    The statement stands until the company says otherwise, so it counts against every such
    commitment in force when it was made or later. When the statement names topics, only
    commitments on those topics count.
    """
    for s in facts.statements:
        if s.kind != StatementKind.NO_VISIBILITY or s.made_on is None:
            continue
        for cf in facts.commitments_by_company.get(s.company_id, ()):
            if not cf.commitment.depends_on_use or cf.in_force_from is None:
                continue
            if cf.in_force_until and cf.in_force_until <= s.made_on:
                continue  # removed before the statement
            if s.topic_ids and cf.topics and not (s.topic_ids & cf.topics):
                continue
            summary = (
                f"{facts.company_name(s.company_id)} said it cannot see how its product is used "
                f"({s.made}: {_quoted(_short(s.quote))}), while its commitment "
                f"{_quoted(cf.commitment.title)} ({cf.in_force_label}) depends on that use."
            )
            yield _finding(
                no_visibility, f"s{s.pk}:c{cf.id}", s.company_id, cf.id, summary,
                max(s.made_on, cf.in_force_from), None, [s, cf.in_force_version],
            )


@rule("Commitment weakened after a contract began")
def weakened_after_contract(facts):
    """A commitment is weakened or removed from a policy within {GAP_WEAKENED_WINDOW_DAYS} days
    after a contract on its topic began (the company's own, a subsidiary's, or one reselling
    its products).

    Only changes that staff have confirmed as a weakening or a removal count (the
    comparison of versions only suggests them). When a version is known only to be "in force
    by" a date, the change may have happened any time after the previous version, so it counts
    only if that whole period falls after the contract began and within the window.
    """
    window = datetime.timedelta(days=settings.GAP_WEAKENED_WINDOW_DAYS)
    for cf in facts.commitments:
        for clause_facts in cf.clauses:
            clause = clause_facts.clause
            if clause.change not in ("weakened", "removed") or not clause.change_confirmed:
                continue
            for k, how, link, makers in facts.contracts_by_owner.get(cf.company_id, ()):
                found = _weakened_after(facts, cf, clause_facts, k, how, link, makers, window)
                if found:
                    yield found


def _weakened_after(facts, cf, clause_facts, k, how, link, makers, window):
    c = k.contract
    earliest, latest = clause_facts.changed_between
    began = k.started_latest
    if not (earliest and latest and began and c.started_on):
        return None
    if earliest < began or latest > c.started_on + window:
        return None
    topics = cf.topics & k.topics(makers)
    if not topics:
        return None
    v = clause_facts.version
    summary = (
        f"{facts.company_name(cf.company_id)}'s commitment {_quoted(cf.commitment.title)} was "
        f"{clause_facts.clause.change} in the version of {v.effective}, after contract "
        f"{_quoted(c.title)} with {c.agency} ({how}) on {facts.topic_list(topics)} began ({c.started})."
    )
    return _finding(
        weakened_after_contract, f"l{clause_facts.clause.pk}:k{c.pk}", cf.company_id, cf.id,
        summary, c.started_on, latest,
        [v, clause_facts.previous_version, c, link.relationship if link else None],
    )


@rule("Employees raised a concern and the company did not answer")
def unanswered_employees(facts):
    """Employees raise a human-rights topic (an ethics report, open letter, petition, walkout
    or resignation), and no company response is recorded {GAP_EMPLOYEE_RESPONSE_DAYS} days
    after it was reported (or, if the report date is unknown, after it began).

    Actions under embargo are never used. When a commitment of the company covers the same
    topic, the signal names it.
    """
    days = datetime.timedelta(days=settings.GAP_EMPLOYEE_RESPONSE_DAYS)
    for a in facts.employee_actions:
        if not a.topic_ids or a.company_response.strip() or a.responded_on:
            continue
        raised = latest_known(a)
        if raised is None or facts.today <= raised + days:
            continue
        commitment = _covering_commitment(facts, a.company_id, a.topic_ids, raised)
        summary = (
            f"{a.get_kind_display()} at {facts.company_name(a.company_id)} raised "
            f"{facts.topic_list(a.topic_ids)} "
            f"({_quoted(a.title)}, {a.reported if a.reported_on else a.started}); "
            f"no company response recorded after {days.days} days."
        )
        yield _finding(
            unanswered_employees, f"e{a.pk}", a.company_id, commitment.id if commitment else None,
            summary, raised, raised + days, [a, commitment.in_force_version if commitment else None],
        )


def latest_known(action):
    if action.reported_on:
        return action.reported.end
    return action.started.end if action.started_on else None


def _covering_commitment(facts, company_id, topic_ids, on):
    candidates = [
        cf for cf in facts.commitments_by_company.get(company_id, ())
        if cf.topics & topic_ids and cf.in_force_version is not None
    ]
    candidates.sort(key=lambda cf: (not cf.in_force_on(on), cf.id))
    return candidates[0] if candidates else None


@rule("Right of reply unanswered")
def unanswered_right_of_reply(facts):
    """We asked the company to respond to a finding or a claim, and its deadline passed with no
    answer (or it was recorded as not responding).

    A company that declines to comment has answered; only silence counts.
    """
    for r in facts.replies:
        silent = r.outcome == ReplyOutcome.NO_RESPONSE or (
            r.outcome == ReplyOutcome.PENDING and r.deadline_on < facts.today
        )
        if not silent:
            continue
        commitment_id = r.about_commitment_id
        summary = (
            f"{facts.company_name(r.company_id)} was asked on {_d(r.asked_on)} ({r.channel}) "
            f"to reply by {_d(r.deadline_on)}; no answer is recorded."
        )
        yield _finding(
            unanswered_right_of_reply, f"r{r.pk}", r.company_id, commitment_id, summary,
            r.asked_on, r.deadline_on, [r],
        )


def run_rules(facts, rules=None):
    """Every finding of every rule, for companies in scope, by fingerprint."""
    out = {}
    for fn in rules or RULES:
        for finding in fn(facts):
            if finding.company_id not in facts.companies:
                continue  # the company itself is not published
            if facts.owners is not None and finding.company_id not in facts.owners:
                continue
            out[finding.fingerprint] = finding
    return out


def _d(date):
    return f"{date.day} {date:%B %Y}" if date else "an unknown date"


def _quoted(text):
    """Text in double quotes; its own double quotes become single ones, as nested quotes are written."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def _short(text, limit=120):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slug(text):
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower())[:20]
