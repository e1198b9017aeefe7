"""Benchmark (not a test): the history export vs a bare PostgreSQL COPY of the same tables.

    .venv/bin/python bench/exports.py [--database-url postgres://postgres@127.0.0.1:5432/helper_exports_bench]
                                      [--sizes 100,1000] [--repeat 2]

For each size N it uses the database <url>_<N> (created, migrated and filled with
`manage.py generate_synthetic --companies N --seed 1` when empty: about 1,000 history
rows per company), then runs two measurements, each in a fresh subprocess so peak
memory (ru_maxrss) is its own:

- export: every history table written as CSV by policies.exports (public rows only,
  formatted in SQL, through COPY), exactly what `manage.py export --history` does;
- copy: a bare `COPY <history table> TO STDOUT (FORMAT csv, HEADER)` of every row of the
  same tables, written to files the same way.

Throughput is rows written per second; the ratio is export / copy (target >= 0.8).
Peak memory should be flat between sizes (within 10%) and under 150 MB. Nothing is asserted.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django(url):
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY="bench-only-" + "k" * 60,
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="tracker.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def measure_export(folder):
    from policies.exports import csv, resources
    from policies.exports.selection import Scope, Selection
    from policies.exports.tables import TABLES

    selection, rows = Selection(Scope()), 0
    for table in TABLES:
        resource_ = resources.history(selection, table)
        with open(folder / f"{table.name}.csv", "wb") as out:
            rows += csv.write(resource_.select, out)
    return rows


def measure_copy(folder):
    from django.db import connection

    from policies.exports.tables import TABLES

    rows = 0
    with connection.cursor() as cursor:
        for table in TABLES:
            name = table.history_model._meta.db_table
            with open(folder / f"{table.name}.csv", "wb") as out:
                with cursor.cursor.copy(f"COPY {name} TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                    for chunk in copy:
                        out.write(chunk)
            rows += cursor.cursor.rowcount
    return rows


def child(kind, url):
    _django(url)
    from django.db import connection

    connection.ensure_connection()
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as tmp:
        started = time.perf_counter()
        rows = (measure_export if kind == "export" else measure_copy)(Path(tmp))
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"kind": kind, "rows": rows, "seconds": seconds, "bytes": size, "peak_mb": peak_mb}))


def run_child(kind, url):
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--database-url", url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(url, companies):
    import psycopg

    head, _, name = url.rpartition("/")
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = dict(os.environ, DATABASE_URL=url, DEBUG="true")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    with psycopg.connect(url) as conn:
        filled = conn.execute("SELECT count(*) FROM policies_company").fetchone()[0]
    if not filled:
        subprocess.run(
            [*manage, "generate_synthetic", "--companies", str(companies), "--seed", "1"],
            env=env,
            check=True,
            cwd=ROOT,
        )


def best(kind, url, repeat):
    runs = [run_child(kind, url) for _ in range(repeat)]
    fastest = min(runs, key=lambda r: r["seconds"])
    fastest["peak_mb"] = max(r["peak_mb"] for r in runs)
    return fastest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/helper_exports_bench")
    parser.add_argument("--sizes", default="100,1000", help="Company counts (about 1,000 history rows each).")
    parser.add_argument("--repeat", type=int, default=2, help="Runs per measurement; the fastest is kept.")
    parser.add_argument("--child", choices=["export", "copy"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    if args.child:
        return child(args.child, args.database_url)
    print(
        f"{'companies':>9} {'history rows':>12} {'exported':>10} {'export s':>9} {'COPY s':>7} "
        f"{'export r/s':>11} {'COPY r/s':>10} {'ratio':>6} {'export MB':>9} {'COPY MB':>8}"
    )
    peaks = []
    for companies in [int(n) for n in args.sizes.split(",")]:
        url = f"{args.database_url}_{companies}"
        prepare(url, companies)
        copy, export = best("copy", url, args.repeat), best("export", url, args.repeat)
        export_rate, copy_rate = export["rows"] / export["seconds"], copy["rows"] / copy["seconds"]
        peaks.append(export["peak_mb"])
        print(
            f"{companies:>9} {copy['rows']:>12,} {export['rows']:>10,} {export['seconds']:>9.2f} "
            f"{copy['seconds']:>7.2f} {export_rate:>11,.0f} {copy_rate:>10,.0f} "
            f"{export_rate / copy_rate:>6.2f} {export['peak_mb']:>9.1f} {copy['peak_mb']:>8.1f}"
        )
    if len(peaks) > 1:
        print(f"export peak memory, largest vs smallest: {max(peaks) / min(peaks) - 1:+.1%}")


if __name__ == "__main__":
    main()
