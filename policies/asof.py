"""`?as_of=YYYY-MM-DD`: public pages as the tracker recorded them on a past day (record time).

`as_of_from(request)` reads the parameter (400 on a malformed or future date);
`snapshot(model, when)` is the model's queryset then, or now when `when` is None.
"""

import datetime

from django.core.exceptions import BadRequest
from django.db.models import Q
from django.utils import timezone

from .lib import clock
from .models import EmployeeAction
from .models.base import PUBLIC_STATUSES


def parse_as_of(text):
    """The end of the named day (UTC) as an aware datetime; ValueError if not a past-or-today date."""
    day = datetime.date.fromisoformat(text.strip())
    if len(text.strip()) != 10:
        raise ValueError("as_of must be YYYY-MM-DD")
    if day > timezone.now().date():
        raise ValueError("as_of is in the future")
    end = datetime.datetime.combine(day, datetime.time.max)
    return timezone.make_aware(end, datetime.UTC)


def as_of_from(request):
    raw = request.GET.get("as_of", "")
    if not raw:
        return None
    try:
        return parse_as_of(raw)
    except ValueError:
        raise BadRequest("as_of must be a date like 2025-07-14, not in the future.") from None


def snapshot(model, when=None):
    """All rows of `model` as they stood at `when` (instances), or the live table."""
    if when is None:
        return model.objects.all()
    return model.history.as_of(when)


def public_snapshot(model, when=None):
    """The records the public could see at `when`.

    Employee actions must be public now too: an embargo or redaction added later
    protects people retroactively, so it applies to past views as well.
    """
    if when is None:
        return model.objects.public()
    qs = snapshot(model, when).filter(editorial_status__in=PUBLIC_STATUSES)
    if model is EmployeeAction:
        today = clock.today()
        qs = qs.filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=today))
        qs = qs.filter(id__in=EmployeeAction.objects.public().values("id"))
    return qs


def as_of_label(when):
    return when.date() if when else None


def status_links(model):
    """`model`'s foreign keys to records that have an editorial status (and so can be drafts)."""
    def has_status(target):
        return any(f.name == "editorial_status" for f in target._meta.concrete_fields)

    return [fk for fk in model._meta.concrete_fields if fk.is_relation and has_status(fk.related_model)]


def linked_public_q(model, prefix="", depth=3):
    """A Q: every record `model` points at (company, agency, vendor, policy, ...) is public.

    The exports' rule (policies/exports/selection.py): a public row's ids all point at
    public rows. A published statement of a company taken back to draft, a contract with
    a draft agency, maker or reseller, is not public either. Follows links `depth` deep
    (a policy version's policy's company); an empty nullable link is fine.
    """
    q = Q()
    if depth == 0:
        return q
    for fk in status_links(model):
        path = f"{prefix}{fk.name}"
        linked = Q(**{f"{path}__editorial_status__in": PUBLIC_STATUSES}) & linked_public_q(
            fk.related_model, f"{path}__", depth - 1
        )
        q &= (Q(**{f"{path}__isnull": True}) | linked) if fk.null else linked
    return q


def public_record_q(models, linked=True):
    """A Q on rows with a generic link (`content_type`, `object_id`): the record it names is
    of one of `models` and public now: under the whole public rule (`public_linked`), or with
    `linked=False` by its own status and embargo only (no joins: far cheaper to plan, for
    queries that are built on every request). Each row costs one index lookup in its
    record's table. Content types are named by app and model, not by id, so the SQL is the
    same text on every database (a restore renumbers them)."""
    from django.db.models import Exists, OuterRef

    found = Q()
    for model in models:
        records = public_linked(model) if linked else model.objects.public()
        found |= Q(
            Exists(records.filter(pk=OuterRef("object_id"))),
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )
    return found


def public_linked(model):
    """`model`'s public records whose links are all public (see `linked_public_q`)."""
    return model.objects.public().filter(linked_public_q(model))
