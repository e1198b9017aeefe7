"""Where the company page's database time goes: its queries one after another, the same
queries sent together, and as many bare round trips (not a test; prints figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_big DEBUG=true \\
        .venv/bin/python -m bench.company_queries [slug] [--rounds 40]

It records the SQL and parameters of one uncached request for /companies/<slug>/ (the
median company of the N=1000 world by default), then times, on one connection with
prepared statements as the site runs them (policies/lib/prepared.py), medians of
--rounds after 10 unmeasured:

- sequential: each query sent, run and read before the next, as the page does;
- pipelined: all of them sent at once in psycopg's pipeline mode, then read (the most
  that sending independent queries together could save);
- round trips: as many `SELECT 1`, the network and protocol cost alone.

PostgreSQL only.
"""

import argparse
import os
import statistics
import time


def _page_queries(slug):
    import django.db.backends.utils as utils
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client, url = Client(), f"/companies/{slug}/"
    assert client.get(url).status_code == 200  # caches warm (content types, compiled queries)
    captured, execute = [], utils.CursorWrapper._execute

    def record(self, sql, params, *args):
        captured.append((sql, params))
        return execute(self, sql, params, *args)

    utils.CursorWrapper._execute = record
    try:
        client.get(url)
    finally:
        utils.CursorWrapper._execute = execute
    return captured


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("slug", nargs="?", default="example-cloud-0500")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.db import connection
    from psycopg import Cursor

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL.")
    queries = _page_queries(args.slug)
    connection.ensure_connection()
    raw = connection.connection
    raw.prepare_threshold = 0

    def sequential():
        for sql, params in queries:
            with Cursor(raw) as cursor:
                cursor.execute(sql, params, prepare=True)
                cursor.fetchall()

    def pipelined():
        cursors = []
        with raw.pipeline():
            for sql, params in queries:
                cursor = Cursor(raw)
                cursor.execute(sql, params, prepare=True)
                cursors.append(cursor)
        for cursor in cursors:
            cursor.fetchall()
            cursor.close()

    def round_trips():
        for _ in queries:
            with Cursor(raw) as cursor:
                cursor.execute("SELECT 1", prepare=True)
                cursor.fetchall()

    ways = (sequential, pipelined, round_trips)
    for way in ways:
        for _ in range(10):
            way()
    times = {way.__name__: [] for way in ways}
    for _ in range(args.rounds):
        for way in ways:
            started = time.perf_counter()
            way()
            times[way.__name__].append(time.perf_counter() - started)
    print(f"/companies/{args.slug}/: {len(queries)} queries; medians of {args.rounds} rounds")
    for name, found in times.items():
        print(f"  {name.replace('_', ' '):12} {statistics.median(found) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
