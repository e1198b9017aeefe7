"""The policy page: every version, a word diff between any two, commitment changes called out."""

from django.core.exceptions import BadRequest
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import render

from ..asof import as_of_from, public_snapshot, snapshot
from ..lib.textdiff import word_diff_html
from ..models import ClauseChange, CommitmentClause, Policy, PolicyVersion
from ..models.base import PUBLIC_STATUSES
from ..timeline import public_citations

CALLED_OUT = (ClauseChange.WEAKENED, ClauseChange.REMOVED, ClauseChange.ADDED, ClauseChange.STRENGTHENED)


def _policy(company_slug, slug, when):
    qs = public_snapshot(Policy, when).filter(
        company__slug=company_slug, company__editorial_status__in=PUBLIC_STATUSES, slug=slug
    )
    found = qs.first()
    if found is None:
        raise Http404("No such published policy.")
    prefetch_related_objects([found], "company", public_citations())
    return found


def _versions(policy, when):
    """Versions oldest first, each with its clauses and citations (4 queries)."""
    versions = list(public_snapshot(PolicyVersion, when).filter(policy_id=policy.pk).order_by("effective_on"))
    prefetch_related_objects(versions, public_citations())
    clauses = list(
        snapshot(CommitmentClause, when)
        .filter(version_id__in=[v.pk for v in versions], commitment__editorial_status__in=PUBLIC_STATUSES)
    )
    prefetch_related_objects(clauses, "commitment")
    by_version = {}
    for clause in clauses:
        by_version.setdefault(clause.version_id, []).append(clause)
    for v in versions:
        v.clause_list = sorted(by_version.get(v.pk, []), key=lambda c: c.commitment.title)
        v.called_out = [c for c in v.clause_list if c.change in CALLED_OUT]
    return versions


def _pick(versions, request):
    """The two versions to diff: ?from=&to= (version ids), else the last two. 400 on bad ids."""
    by_id = {str(v.pk): v for v in versions}
    raw_from, raw_to = request.GET.get("from"), request.GET.get("to")
    if raw_from or raw_to:
        if raw_from not in by_id or raw_to not in by_id:
            raise BadRequest("from and to must name two versions of this policy.")
        return by_id[raw_from], by_id[raw_to]
    if len(versions) < 2:
        return None, None
    return versions[-2], versions[-1]


def policy(request, company_slug, slug):
    when = as_of_from(request)
    obj = _policy(company_slug, slug, when)
    versions = _versions(obj, when)
    old, new = _pick(versions, request)
    diff = word_diff_html(old.text, new.text) if old and new else None
    context = {
        "policy": obj, "company": obj.company, "as_of": when, "versions": versions,
        "old": old, "new": new, "diff": diff,
    }
    return render(request, "policies/policy.html", context)
