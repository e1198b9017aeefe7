"""Time the uncached company page of the company with the largest record.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<world> DEBUG=true \
        .venv/bin/python -m bench.company_page [slug] [query string, e.g. "?page=2"]

Without a slug it picks the company with the most statements, contracts and
observations. Prints the size, the query count and the time of the first and the
median of five further requests, each with the page cache cleared.
"""

import os
import statistics
import sys
import time


def _largest():
    from collections import Counter

    from django.db.models import Count

    from policies.models import Company, Contract, Observation, Statement

    sizes = Counter()
    for model, column in ((Statement, "company"), (Observation, "company"),
                          (Contract, "vendor"), (Contract, "intermediary")):
        rows = model.objects.exclude(**{column: None}).order_by().values(column).annotate(n=Count("id"))
        sizes.update({row[column]: row["n"] for row in rows})
    return Company.objects.get(pk=max(sizes, key=lambda pk: (sizes[pk], -pk)))


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection, reset_queries
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    slug = argv[0] if argv else _largest().slug
    url = f"/companies/{slug}/{argv[1] if len(argv) > 1 else ''}"
    client, times = Client(), []
    for _ in range(6):
        for cache in caches.all():
            cache.clear()
        reset_queries()
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    median = statistics.median(times[1:]) * 1000
    print(f"{url}: {len(response.content):,} bytes, {len(connection.queries)} queries, "
          f"first {times[0] * 1000:.0f} ms, median of the next five {median:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
