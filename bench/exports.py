"""Benchmark (not a test): the history export vs a bare PostgreSQL COPY of the same rows.

    .venv/bin/python bench/exports.py [--database-url postgres://postgres@127.0.0.1:5432/helper_exports_bench]
                                      [--sizes 100,1035] [--repeat 9] [--tables] [--current]

For each size N it uses the database <url>_<N> (created, migrated and filled with
`manage.py generate_synthetic --companies N --seed 1` when empty: about 1,000 history
rows per company), then runs three measurements, each in a fresh subprocess so peak
memory (ru_maxrss) is its own:

- export: every history table written as CSV by policies.exports (public rows only,
  formatted in SQL, through COPY, in one snapshot), exactly what
  `manage.py export --history` does for the history tables;
- same rows (the reference for the target): a bare `COPY <table> TO STDOUT (FORMAT csv,
  HEADER)` of tables holding exactly the rows and columns the export writes
  (materialised once per run in the schema `export_bench` from the export's own
  SELECT, then vacuumed and checkpointed), read with psycopg's COPY iterator into a file
  in the same folder: the same rows and the same bytes (both are checked), with none of
  the work of choosing, formatting and ordering them;
- full table: a bare `COPY <history table> TO STDOUT (FORMAT csv, HEADER)` of every row
  of the same tables (drafts too), for comparison with earlier figures.

Throughput is rows written per second. The ratio is export / same-rows COPY (target >= 0.8;
same rows, so it is also the ratio of times). Measurements run in rounds (every other
round in reverse order); times are medians over the rounds, and "paired" is the median
over rounds of same-rows time / export time within a round. Peak memory should be flat
between sizes (within 10%) and under 150 MB. Nothing is asserted about speed.

--tables prints, instead, where the time goes on the server: each table's export SELECT
and its same-rows table written with `COPY ... TO '/dev/null'`, and planning times
(with --current: the current tables, on --database-url itself, each statement built
as the export builds it: on the ids of the tables written before it, which are written
once for that).

--current measures, instead, only the current-state export (`manage.py export` without
--history) against a COPY of its same rows, on the database --database-url names (an
existing world, e.g. a copy of the N=1000 one; nothing is generated there). It also
prints the CPU each side used (the client process, and every PostgreSQL backend it
used, from /proc when the server runs on this machine): on a shared 2-core machine wall
times move with other work, the CPU a measurement needs much less. And the same rows
read the way the export reads COPY (libpq's calls, policies.exports.copy._copy_out)
instead of psycopg's iterator: the reference above is psycopg's iterator, which costs
the client about twice the CPU; this line is the like-for-like figure.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django(url, code=None):
    """Django set up on `url`, with the tracker's code from `code` (default: this checkout)."""
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY="bench-only-" + "k" * 60,
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="tracker.settings",
    )
    sys.path.insert(0, str(code or ROOT))
    import django

    django.setup()


def measure_export(folder, jobs=None, history=True):
    """What `manage.py export --history` does for the history tables (see dump.write_export):
    on `jobs` connections at once (the command's default), all in one snapshot. With
    history=False: the current tables, as `manage.py export` writes them."""
    from policies.exports import dump, parallel, resources
    from policies.exports.copy import snapshot
    from policies.exports.selection import Scope, Selection
    from policies.exports.tables import TABLES

    make = resources.history if history else resources.current
    with snapshot():
        selection = Selection(Scope())
        found = [make(selection, table) for table in TABLES]
        counts = dump.write_tables(found, folder, "csv", jobs=jobs or parallel.DEFAULT_JOBS)
    return sum(counts.values())


def measure_export_serial(folder):
    """The same on one connection (`export --jobs 1`)."""
    return measure_export(folder, jobs=1)


def measure_export_current(folder):
    return measure_export(folder, history=False)


SCHEMA = "export_bench"


def materialise():
    """export_bench.<table>: exactly the rows and columns the history export writes."""
    from django.db import connection

    from policies.exports import copy, resources
    from policies.exports.selection import Scope, Selection
    from policies.exports.tables import TABLES

    selection = Selection(Scope())
    with connection.cursor() as cursor, copy.export_settings(whole_export=True):
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        for prefix, make in (("", resources.history), (CURRENT, resources.current)):
            for table in TABLES:
                select = make(selection, table).select
                names = ", ".join(f'"{name}"' for name in select.header)
                cursor.execute(
                    f"CREATE TABLE {SCHEMA}.{prefix}{table.name} ({names}) AS {select.sql}", select.params
                )
                # Settle the new table as the tracker's tables are settled (hint bits set,
                # visibility map, pages on disk), so reading it costs the reference nothing extra.
                cursor.execute(f"VACUUM (FREEZE, ANALYZE) {SCHEMA}.{prefix}{table.name}")
        cursor.execute("CHECKPOINT")
    print(json.dumps({"kind": "materialise"}))


CURRENT = "current_"  # export_bench.current_<table>: the rows of the current-state export


def measure_same(folder):
    return _copy_tables(folder, [f"{SCHEMA}.{table.name}" for table in _tables()])


def measure_same_current(folder):
    return _copy_tables(folder, [f"{SCHEMA}.{CURRENT}{table.name}" for table in _tables()])


def measure_same_current_lean(folder):
    """The same rows read the way the export reads COPY (its libpq loop, copy._copy_out)
    rather than with psycopg's Copy iterator: the like-for-like reference for an export
    that reads that way."""
    return _copy_tables(folder, [f"{SCHEMA}.{CURRENT}{table.name}" for table in _tables()], lean=True)


def measure_copy(folder):
    return _copy_tables(folder, [table.history_model._meta.db_table for table in _tables()])


def _tables():
    from policies.exports.tables import TABLES

    return TABLES


def _copy_tables(folder, names, lean=False):
    from django.db import connection

    from policies.exports import copy as export_copy

    rows = 0
    with connection.cursor() as cursor:
        for name in names:
            statement = f"COPY {name} TO STDOUT WITH (FORMAT csv, HEADER)"
            with open(folder / f"{name}.csv", "wb") as out:
                if lean:
                    conn = cursor.cursor.connection
                    with conn.lock:
                        rows += conn.wait(export_copy._copy_out(conn, statement.encode(), out.write, None))
                    continue
                with cursor.cursor.copy(statement) as copy:
                    for chunk in copy:
                        out.write(chunk)
            rows += cursor.cursor.rowcount
    return rows


MEASURES = {
    "export": measure_export,
    "export_serial": measure_export_serial,
    "same": measure_same,
    "copy": measure_copy,
    "export_current": measure_export_current,
    "same_current": measure_same_current,
    "same_current_lean": measure_same_current_lean,
}


def per_table(repeat, history=True):
    """Where the time goes, server side only: each table's export SELECT and its same-rows
    table, `COPY ... TO '/dev/null'` (no client, no network), medians of `repeat`
    alternating runs; and the planning time of each export SELECT. history=False: the
    current tables (built in the export's snapshot, as the export builds them)."""
    from django.db import connection

    from policies.exports import copy, dump, resources
    from policies.exports.selection import Scope, Selection
    from policies.exports.tables import TABLES

    totals = {"build": 0.0, "plan": 0.0, "export": 0.0, "same": 0.0}
    print(
        f"{'table':<22} {'rows':>8} {'build ms':>8} {'plan ms':>8} "
        f"{'export s':>9} {'same s':>7} {'extra s':>8}"
    )
    with copy.snapshot(), connection.cursor() as cursor:
        selection = Selection(Scope())
        make, prefix = (resources.history, "") if history else (resources.current, CURRENT)
        found = [make(selection, table) for table in TABLES]
        scratch = tempfile.TemporaryDirectory(dir=ROOT / "var")
        if not history:  # the statements as the export builds them: on the ids it wrote before
            resources.chain(found)
            (Path(scratch.name) / "data").mkdir()
        for resource in resources.after_first(found):
            table = resource.table
            started = time.perf_counter()
            select = resource.select
            build = time.perf_counter() - started
            if resource.collect:
                dump.write_resource(resource, Path(scratch.name), "csv")
            cursor.execute("EXPLAIN (SUMMARY, FORMAT JSON) " + select.sql, select.params)
            plan = cursor.fetchone()[0][0]["Planning Time"] / 1000
            statements = {
                "export": (f"COPY ({select.sql}) TO '/dev/null' WITH (FORMAT csv)", select.params),
                "same": (f"COPY {SCHEMA}.{prefix}{table.name} TO '/dev/null' WITH (FORMAT csv)", ()),
            }
            times = {kind: [] for kind in statements}
            for round_ in range(repeat):
                for kind in statements if round_ % 2 == 0 else reversed(statements):
                    sql, params = statements[kind]
                    started = time.perf_counter()
                    cursor.cursor.execute(sql, params or None)
                    times[kind].append(time.perf_counter() - started)
                    rows = cursor.cursor.rowcount
            export, same = median(times["export"]), median(times["same"])
            for key, value in (("build", build), ("plan", plan), ("export", export), ("same", same)):
                totals[key] += value
            print(
                f"{table.name:<22} {rows:>8,} {build * 1000:>8.1f} {plan * 1000:>8.1f} {export:>9.3f} "
                f"{same:>7.3f} {export - same:>+8.3f}"
            )
    scratch.cleanup()
    print(
        f"{'total':<22} {'':>8} {totals['build'] * 1000:>8.1f} {totals['plan'] * 1000:>8.1f} "
        f"{totals['export']:>9.3f} {totals['same']:>7.3f} {totals['export'] - totals['same']:>+8.3f}"
    )


def child(kind, url, repeat=5, code=None):
    _django(url, code)
    from django.db import connection

    connection.ensure_connection()
    if kind == "materialise":
        return materialise()
    if kind in ("tables", "tables_current"):
        return per_table(repeat, history=kind == "tables")
    server = ServerCPU()
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as tmp, server:
        started, cpu = time.perf_counter(), time.process_time()
        rows = MEASURES[kind](Path(tmp))
        seconds, client_cpu = time.perf_counter() - started, time.process_time() - cpu
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "kind": kind, "rows": rows, "seconds": seconds, "bytes": size, "peak_mb": peak_mb,
        "client_cpu": client_cpu, "server_cpu": server.seconds,
    }))


class ServerCPU:
    """CPU time of every PostgreSQL backend a measurement used (its own connection and any
    worker's), from /proc/<pid>/schedstat: only when PostgreSQL runs on this machine and
    its processes are readable (else None). On a shared machine wall times move with the
    load, while the work done (client + server CPU) stays put."""

    def __enter__(self):
        from django.db import connection
        from django.db.backends.base.base import BaseDatabaseWrapper

        self.main = connection.connection.info.backend_pid
        self.start = self._ns(self.main)
        self.closed = {}
        self._close = close = BaseDatabaseWrapper.close
        closed = self.closed

        def counted(wrapper):  # a worker's connection: read its backend before it ends
            if wrapper.connection is not None and wrapper.connection.info.backend_pid != self.main:
                pid = wrapper.connection.info.backend_pid
                closed[pid] = self._ns(pid)
            return close(wrapper)

        BaseDatabaseWrapper.close = counted
        return self

    def __exit__(self, *exc):
        from django.db.backends.base.base import BaseDatabaseWrapper

        BaseDatabaseWrapper.close = self._close
        end = self._ns(self.main)
        parts = [self.start, end, *self.closed.values()]
        self.seconds = None if None in parts else (end - self.start + sum(self.closed.values())) / 1e9

    @staticmethod
    def _ns(pid):
        try:
            with open(f"/proc/{pid}/schedstat") as f:
                return int(f.read().split()[0])
        except OSError:
            return None


def run_child(kind, url, code=None):
    """One measurement in a fresh process; `code`: the tracker code of another checkout."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--database-url", url, *(["--code", code] * bool(code))],
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


def median(values):
    return statistics.median(values)


def medians_of(url, repeat, measures=tuple(MEASURES), baseline=None):
    """The median of `repeat` runs of each measurement, taken in rounds (load hits all alike).

    Rounds alternate the order (export first, then same-rows COPY first), so neither
    always runs on the caches the other left. `baseline`: {name: (kind, code)}, more
    measurements taken in the same rounds with another checkout's tracker code.
    """
    runs = {kind: [] for kind in measures}
    plan = {kind: (kind, None) for kind in measures} | (baseline or {})
    runs.update({name: [] for name in baseline or {}})
    for round_ in range(repeat):
        names = list(plan) if round_ % 2 == 0 else list(reversed(plan))
        for name in names:
            runs[name].append(run_child(plan[name][0], url, plan[name][1]))
    found = {}
    for kind, results in runs.items():
        servers = [r.get("server_cpu") for r in results]
        found[kind] = {
            "rows": results[0]["rows"],
            "bytes": results[0]["bytes"],
            "seconds": median(r["seconds"] for r in results),
            "peak_mb": max(r["peak_mb"] for r in results),
            "all": [round(r["seconds"], 2) for r in results],
            "client_cpu": median(r.get("client_cpu", 0) for r in results),
            "server_cpu": None if None in servers else median(servers),
        }
    # Each round's export against the same-rows COPY of the same round: robust to load
    # that comes and goes between rounds (this machine is shared).
    pairs_of = (
        ("export", "same", "paired"),
        ("export_current", "same_current", "paired_current"),
        ("export_current", "same_current_lean", "paired_current_lean"),
    )
    for export, same, key in pairs_of:
        if export in runs and same in runs:
            pairs = zip(runs[export], runs[same], strict=True)
            found[key] = median(s["seconds"] / e["seconds"] for e, s in pairs)
    return found


def current_only(url, repeat, baseline=None, history=False):
    """--current: the current-state export against a COPY of its same rows, nothing else
    (with --history-only: the history tables' export, on two connections, instead).

    On the database at `url` as it is (an existing world; nothing is generated):
    materialise the same rows once, then `repeat` alternating rounds of the two, and of
    the export with the tracker code of `baseline` (another checkout) when given.
    """
    export_kind, same_kind, label = ("export", "same", "history tables")
    if not history:
        export_kind, same_kind, label = ("export_current", "same_current", "current tables")
    run_child("materialise", url)
    extra = {"baseline": (export_kind, baseline)} if baseline else None
    lean = () if history else ("same_current_lean",)
    found = medians_of(url, repeat, (export_kind, same_kind, *lean), extra)
    export, same = found[export_kind], found[same_kind]
    assert same["rows"] == export["rows"], (same["rows"], export["rows"])
    assert same["bytes"] == export["bytes"], (same["bytes"], export["bytes"])
    paired = found["paired" if history else "paired_current"]
    print(
        f"{label}: {export['rows']:,} rows, {export['bytes']:,} bytes; medians of {repeat} rounds: "
        f"export {export['seconds']:.3f}s, same rows {same['seconds']:.3f}s, "
        f"ratio {same['seconds'] / export['seconds']:.2f}, paired {paired:.2f}; "
        f"peak MB export {export['peak_mb']:.1f}, same rows {same['peak_mb']:.1f}"
    )
    if lean:
        same_lean = found["same_current_lean"]
        assert same_lean["bytes"] == export["bytes"], (same_lean["bytes"], export["bytes"])
        print(
            f"    same rows read as the export reads COPY (libpq loop, not psycopg's iterator): "
            f"{same_lean['seconds']:.3f}s, ratio {same_lean['seconds'] / export['seconds']:.2f}, "
            f"paired {found['paired_current_lean']:.2f}"
        )
    names = [export_kind, same_kind, *lean, *(["baseline"] if baseline else [])]
    print("    runs (s): " + "; ".join(f"{name} {found[name]['all']}" for name in names))
    if baseline:
        old = found["baseline"]
        assert old["bytes"] == export["bytes"], (old["bytes"], export["bytes"])
        print(
            f"    baseline ({baseline}): export {old['seconds']:.3f}s, "
            f"ratio {same['seconds'] / old['seconds']:.2f}"
        )
    for name in names:
        entry = found[name]
        if entry["server_cpu"] is not None:
            print(
                f"    CPU (medians), {name}: client {entry['client_cpu']:.3f}s + server "
                f"{entry['server_cpu']:.3f}s = {entry['client_cpu'] + entry['server_cpu']:.3f}s"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/helper_exports_bench")
    parser.add_argument(
        "--sizes", default="100,1035", help="Company counts (about 1,000 history rows each; 1035: 1,001,406)."
    )
    parser.add_argument("--repeat", type=int, default=9, help="Runs per measurement; medians are reported.")
    parser.add_argument(
        "--tables", action="store_true",
        help="Instead: server-side time per table, export SELECT vs same rows (COPY to /dev/null).",
    )
    parser.add_argument(
        "--current", action="store_true",
        help="Instead: the current-state export vs the same rows only, on --database-url itself (no suffix).",
    )
    parser.add_argument(
        "--history-only", action="store_true",
        help="Like --current, for the history tables' export (two connections) instead.",
    )
    parser.add_argument(
        "--baseline", metavar="DIR",
        help="With --current or --history-only: also measure the export with the tracker code in DIR "
        "(e.g. a `git archive` of an earlier commit), in the same rounds.",
    )
    parser.add_argument(
        "--child", choices=[*MEASURES, "materialise", "tables", "tables_current"], help=argparse.SUPPRESS
    )
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    if args.child:
        return child(args.child, args.database_url, args.repeat, args.code)
    if args.current and args.tables:
        run_child("materialise", args.database_url)
        command = [sys.executable, __file__, "--child", "tables_current", "--database-url", args.database_url]
        subprocess.run([*command, "--repeat", str(args.repeat)], check=True, cwd=ROOT)
        return None
    if args.current or args.history_only:
        return current_only(args.database_url, args.repeat, args.baseline, history=args.history_only)
    if args.tables:
        for companies in [int(n) for n in args.sizes.split(",")]:
            url = f"{args.database_url}_{companies}"
            prepare(url, companies)
            run_child("materialise", url)
            print(f"{companies} companies", flush=True)
            command = [sys.executable, __file__, "--child", "tables", "--database-url", url]
            subprocess.run([*command, "--repeat", str(args.repeat)], check=True, cwd=ROOT)
        return None
    print(
        f"{'companies':>9} {'history rows':>12} {'exported':>10} {'export s':>9} {'same s':>7} "
        f"{'full s':>7} {'export r/s':>11} {'same r/s':>10} {'ratio':>6} {'paired':>6} {'full r/s':>10} "
        f"{'ratio':>6} {'export MB':>9} {'COPY MB':>8}"
    )
    peaks = []
    for companies in [int(n) for n in args.sizes.split(",")]:
        url = f"{args.database_url}_{companies}"
        prepare(url, companies)
        run_child("materialise", url)
        found = medians_of(url, args.repeat)
        export, same, full = found["export"], found["same"], found["copy"]
        assert same["rows"] == export["rows"], (same["rows"], export["rows"])
        assert same["bytes"] == export["bytes"], (same["bytes"], export["bytes"])
        rate = {kind: found[kind]["rows"] / found[kind]["seconds"] for kind in MEASURES}
        peaks.append(export["peak_mb"])
        print(
            f"{companies:>9} {full['rows']:>12,} {export['rows']:>10,} {export['seconds']:>9.2f} "
            f"{same['seconds']:>7.2f} {full['seconds']:>7.2f} {rate['export']:>11,.0f} "
            f"{rate['same']:>10,.0f} {rate['export'] / rate['same']:>6.2f} {found['paired']:>6.2f} "
            f"{rate['copy']:>10,.0f} "
            f"{rate['export'] / rate['copy']:>6.2f} {export['peak_mb']:>9.1f} {full['peak_mb']:>8.1f}"
        )
        serial, current, same_current = found["export_serial"], found["export_current"], found["same_current"]
        assert same_current["bytes"] == current["bytes"], (same_current["bytes"], current["bytes"])
        print(
            f"    one connection (--jobs 1): {serial['seconds']:.2f}s, "
            f"ratio {same['seconds'] / serial['seconds']:.2f}; "
            f"current tables: {current['rows']:,} rows, export {current['seconds']:.2f}s vs same rows "
            f"{same_current['seconds']:.2f}s, ratio {same_current['seconds'] / current['seconds']:.2f}"
        )
        print("    runs (s): " + "; ".join(f"{kind} {found[kind]['all']}" for kind in MEASURES))
    if len(peaks) > 1:
        print(f"export peak memory, largest vs smallest: {max(peaks) / min(peaks) - 1:+.1%}")


if __name__ == "__main__":
    main()
