"""The home page's counts of public records, kept in a table and read in one query.

Counting every public contract and statement under the public rule (each one's agency,
company, reseller... public too) takes time in proportion to the record: 8-9 ms each
for the N=1000 benchmark world's ~100,000 contracts and statements, a cost every
uncached home page paid, and the more so the larger the record. The counts change only
when the record does, so they are counted then instead:

- every save and delete of a record with an editorial status (through signals; bulk
  writers and the importers call `changed()` themselves) marks this thread's counts
  dirty and asks for a recount once its transaction commits. A transaction of many writes
  recounts once: the callbacks after the first find nothing new to count.
- a recount takes a lock first (PostgreSQL: a transaction-level advisory lock; SQLite
  writes one at a time anyway), then counts: each count starts after the lock is held, so
  of two recounts racing the last to write has seen every write committed before it
  began. Rolled-back writes ask for nothing; the next recount counts from scratch.
- `read()` computes a count that is missing (a new deployment, a restored database
  without the table's rows), so the page never shows a gap.

A recount costs what the old page did (~20 ms at N=1000), once per committed change
instead of once per uncached page view.
"""

import threading

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

LOCK_KEY = 0x7C0_C0DE5  # pg_advisory_xact_lock key of a recount: any constant of this app's own

_state = threading.local()


def _kinds():
    from .asof import public_linked
    from .models import Agency, Company, Contract, Source, Statement

    return {  # in the order the home page lists them
        "companies": lambda: Company.objects.public(),
        "agencies": lambda: public_linked(Agency),
        "contracts": lambda: public_linked(Contract),  # the ones a visitor can open
        "statements": lambda: public_linked(Statement),
        "sources": lambda: Source.objects.public(),
    }


def read():
    """[(name, count)] in the home page's order (1 query; more only when a count is missing)."""
    from .models import PublicCount

    kinds = _kinds()
    found = dict(PublicCount.objects.filter(name__in=list(kinds)).values_list("name", "n"))
    if len(found) < len(kinds):
        found = recount()
    return [(name, found[name]) for name in kinds]


def recount():
    """Count every kind afresh and store the counts; {name: count}."""
    from .models import PublicCount

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        now = timezone.now()
        counts = {name: records().count() for name, records in _kinds().items()}
        PublicCount.objects.bulk_create(
            [PublicCount(name=name, n=n, refreshed_at=now) for name, n in counts.items()],
            update_conflicts=True, unique_fields=["name"], update_fields=["n", "refreshed_at"],
        )  # bulk: no signals, so no page-cache bump and no recount of its own
    return counts


def changed():
    """A write to the record: recount once the transaction commits (now, outside one).
    A recount that fails is logged, not raised: the write it follows has committed."""
    _state.dirty = getattr(_state, "dirty", 0) + 1
    transaction.on_commit(_recount_if_dirty, robust=True)


@receiver(post_save, dispatch_uid="public_counts_post_save")
@receiver(post_delete, dispatch_uid="public_counts_post_delete")
def _record_changed(sender, **kwargs):
    """A record with an editorial status saved or deleted: the counted kinds, and every
    record the public rule follows from them (`asof.status_links`: only records with a
    status). Not citations, signals, history rows or the like, which change no count."""
    from .models.base import Publishable

    if isinstance(sender, type) and issubclass(sender, Publishable):
        changed()


def _recount_if_dirty():
    dirty = _state.dirty
    if getattr(_state, "counted", None) == dirty:
        return  # an earlier callback of the same transaction counted this write already
    recount()
    _state.counted = dirty  # only once counted: after a failed recount the next change tries again
