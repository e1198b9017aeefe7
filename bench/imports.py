"""Benchmark (not a test): import a 100,000-row award summary file vs a bare PostgreSQL COPY.

    .venv/bin/python bench/imports.py [--rows 100000] [--database-url postgres://postgres@127.0.0.1:5432/bench_imports]

It (re)creates the scratch database, migrates it, writes a synthetic file in the exact
286-column layout (fictional names), then times:

1. `COPY scratch FROM STDIN (FORMAT csv, HEADER)` of the file into a 286-text-column table;
2. `import_files()` of the same file into an empty tracker (contracts + history + citations),
   sampling the process's resident memory as it goes (it should stay flat).

Both are repeated `--repeat` times, side by side (COPY, then the import into a tracker
emptied again, after a CHECKPOINT each), and the medians and the median of the per-round
ratios are printed. Target: the import takes at most 3x the COPY. Figures are printed;
nothing is asserted.

Each side's CPU is printed too, when PostgreSQL runs on this machine: this process's, and
that of every PostgreSQL process (backends, WAL writer, checkpointer, ...) from
/proc/<pid>/schedstat, read before and after. Wall times move with whatever else the
machine does; the work a side needs much less. An import needing C CPU-seconds cannot
finish in under C / (cores) seconds however it is split, which bounds its ratio to the
COPY from below ("the floor on N cores").

With `--command`, the same rounds are then run as whole processes: `manage.py
import_usaspending FILE` (Django's start-up included) against a separate Python process
doing the bare COPY (its start-up, psycopg's import and the connection included).
"""

import argparse
import csv
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ROOT / "tests" / "data" / "usaspending-contracts-prime-award-summaries.header.csv"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_imports")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--command", action="store_true", help="Also time the command and the COPY as whole processes."
    )
    args = parser.parse_args()

    _setup_django(args.database_url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
        started = time.perf_counter()
        header = write_file(path, args.rows)
        print(
            f"file: {args.rows:,} rows x {len(header)} columns, {path.stat().st_size / 2**20:.1f} MiB "
            f"(written in {time.perf_counter() - started:.1f}s)"
        )
        copies, imports, peaks, copy_cpus, import_cpus = [], [], [], [], []
        for round_ in range(1, args.repeat + 1):
            empty_tracker()
            checkpoint()
            with CPU() as copy_cpu:
                copy_seconds = bare_copy(path, header)
            checkpoint()
            with CPU() as import_cpu:
                import_seconds, memory = run_import(path, args.batch_size)
            copies.append(copy_seconds)
            imports.append(import_seconds)
            peaks.append(max(memory))
            copy_cpus.append(copy_cpu)
            import_cpus.append(import_cpu)
            print(
                f"round {round_}: bare COPY {copy_seconds:.2f}s (CPU {copy_cpu}), "
                f"import {import_seconds:.2f}s (CPU {import_cpu}), "
                f"ratio {import_seconds / copy_seconds:.2f}x; resident memory (MiB): "
                + ", ".join(f"{m:.0f}" for m in memory)
            )
        ratios = [i / c for i, c in zip(imports, copies, strict=True)]
        copy_median = statistics.median(copies)
        print(f"bare COPY into a scratch table, median: {copy_median:.2f}s")
        print(f"import_files (contracts, history, citations), median: {statistics.median(imports):.2f}s")
        print(f"ratio import / COPY, median of rounds: {statistics.median(ratios):.2f}x (target <= 3x)")
        print(f"peak resident memory: {max(peaks):.0f} MiB")
        if all(c.total is not None for c in [*copy_cpus, *import_cpus]):
            _print_cpu(copy_cpus, import_cpus, copy_median)
        if args.command:
            processes(path, header, args.repeat)


def processes(path, header, repeat):
    """`manage.py import_usaspending FILE` against a bare COPY, each in its own process."""
    copies, commands = [], []
    for round_ in range(1, repeat + 1):
        empty_tracker()
        checkpoint()
        copy_seconds = _timed([sys.executable, "-c", _COPY_PROCESS, str(path), str(len(header))])
        checkpoint()
        command_seconds = _timed([sys.executable, str(ROOT / "manage.py"), "import_usaspending", str(path)])
        copies.append(copy_seconds)
        commands.append(command_seconds)
        print(
            f"process round {round_}: bare COPY {copy_seconds:.2f}s, manage.py import_usaspending "
            f"{command_seconds:.2f}s, ratio {command_seconds / copy_seconds:.2f}x"
        )
    ratios = [c / b for c, b in zip(commands, copies, strict=True)]
    print(f"bare COPY process, median: {statistics.median(copies):.2f}s")
    print(f"manage.py import_usaspending, median: {statistics.median(commands):.2f}s")
    print(f"ratio command / COPY process, median of rounds: {statistics.median(ratios):.2f}x")


_COPY_PROCESS = """
import os, sys, psycopg
path, width = sys.argv[1], int(sys.argv[2])
columns = ", ".join(f'"c{i}" text' for i in range(width))
url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
with psycopg.connect(url, autocommit=True) as conn:
    conn.execute("DROP TABLE IF EXISTS bench_scratch")
    conn.execute(f"CREATE UNLOGGED TABLE bench_scratch ({columns})")
    with open(path, "rb") as f, conn.cursor().copy(
        "COPY bench_scratch FROM STDIN WITH (FORMAT csv, HEADER)"
    ) as copy:
        while chunk := f.read(1 << 20):
            copy.write(chunk)
    conn.execute("DROP TABLE bench_scratch")
"""


def _timed(argv):
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _setup_django(url):
    import psycopg

    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"  # DEBUG would keep every query in memory
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    os.environ["GAP_DETECT_ON_SAVE"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.path.insert(0, str(ROOT))
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def write_file(path, rows):
    with open(HEADER, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    index = {name: i for i, name in enumerate(header)}
    template = [""] * len(header)
    fixed = {
        "awarding_agency_code": "070",
        "awarding_agency_name": "Department of Homeland Security",
        "awarding_sub_agency_code": "7012",
        "awarding_sub_agency_name": "U.S. Immigration and Customs Enforcement",
        "award_base_action_date": "2025-01-15",
        "award_latest_action_date": "2025-02-01",
        "period_of_performance_start_date": "2025-01-15",
        "period_of_performance_current_end_date": "2025-12-31",
        "prime_award_base_transaction_description": "CLOUD STORAGE AND SOFTWARE SUBSCRIPTIONS",
        "recipient_country_name": "UNITED STATES",
        "naics_description": "COMPUTER SYSTEMS DESIGN SERVICES",
    }
    for name, value in fixed.items():
        template[index[name]] = value
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        for n in range(rows):
            row = list(template)
            piid = f"70CMSD25C{n:07d}"
            row[index["contract_award_unique_key"]] = f"CONT_AWD_{piid}_7012_-NONE-_-NONE-"
            row[index["award_id_piid"]] = piid
            row[index["total_obligated_amount"]] = f"{(n % 9973) * 101 + 16000}.00"
            row[index["potential_total_value_of_award"]] = f"{(n % 9973) * 131 + 20000}.00"
            row[index["recipient_name"]] = f"EXAMPLE CLOUD {n % 500:04d} LLC"
            row[index["recipient_uei"]] = f"EXMPL{n % 500:07d}"
            writer.writerow(row)
    return header


def empty_tracker():
    """Remove what an import wrote (a scratch database: nothing else lives there)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE policies_contract, policies_historicalcontract, policies_citation, "
            "policies_historicalcitation, policies_importrun, policies_importrunrecord, policies_source, "
            "policies_historicalsource, policies_agency, policies_historicalagency CASCADE"
        )


def checkpoint():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def bare_copy(path, header):
    from django.db import connection

    columns = ", ".join(f'"c{i}" text' for i in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_scratch ({columns})")
        started = time.perf_counter()
        with (
            open(path, "rb") as f,
            cursor.connection.cursor().copy(
                "COPY bench_scratch FROM STDIN WITH (FORMAT csv, HEADER)"
            ) as copy,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_scratch")
    return seconds


class CPU:
    """CPU-seconds used between enter and exit by this process (every thread) and by the
    PostgreSQL processes that worked for it: the backends of its database (a connection
    opened and closed meanwhile included) and the server's own processes (WAL writer,
    checkpointer, ...), sampled from /proc/<pid>/schedstat every 20 ms. Backends of other
    databases (another benchmark on the same server) are left out. `server` is None when
    PostgreSQL's processes cannot be read (a server on another machine)."""

    INTERVAL = 0.02

    def __enter__(self):
        from django.db import connection

        self.database = connection.settings_dict["NAME"]
        self.kinds = {}  # pid: what the process is, None when it does not count (another database's)
        self.start = self._read()
        self.client = time.process_time()  # after that first scan of /proc: not the client's work
        self.last = dict(self.start or {})
        self.sampling = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.stop.wait(self.INTERVAL):
            self.last.update(self._read() or {})
        self.sampling = time.thread_time()  # this thread's own CPU, not the client's

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.client = time.process_time() - self.client - self.sampling
        self.last.update(self._read() or {})
        if self.start is None:
            self.server = self.total = None
            return
        # A backend that ended keeps its last sample: at most 20 ms of its work is missed.
        self.by_kind = {}
        for pid, ns in self.last.items():
            kind = self.kinds[pid]
            self.by_kind[kind] = self.by_kind.get(kind, 0) + (ns - self.start.get(pid, 0)) / 1e9
        self.server = sum(self.by_kind.values())
        self.total = self.client + self.server

    def _read(self):
        """{pid: CPU nanoseconds} of the PostgreSQL processes that count (None if unreadable)."""
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                kind = self.kinds[pid] if pid in self.kinds else self._kind(pid)
                if kind != "not retitled yet":  # a new backend: looked at again next time
                    self.kinds[pid] = kind
                if kind and kind != "not retitled yet":
                    with open(f"/proc/{pid}/schedstat") as f:
                        found[pid] = int(f.read().split()[0])
            except OSError:  # ended meanwhile, or not ours to read
                continue
        return found or None

    def _kind(self, pid):
        """"backends" (this database's connections), the name of one of the server's own
        processes ("walwriter", "autovacuum worker", ...), or None: not PostgreSQL, or a
        connection to another database."""
        with open(f"/proc/{pid}/comm") as f:
            if not f.read().startswith("postgres"):
                return None
        with open(f"/proc/{pid}/cmdline") as f:
            title = f.read().replace("\0", " ").split()
        # "postgres: [<cluster>:] <user> <database> <host>(<port>) <state>" for a client
        # backend; "postgres: [<cluster>:] walwriter" for one of the server's own processes
        # (the cluster only when `cluster_name` is set).
        if not title or title[0] != "postgres:":
            # The postmaster; or a backend it has just forked, still under its title:
            # not filed until it shows whose it is.
            return "postmaster" if _is_postmaster(pid) else "not retitled yet"
        words = [w for w in title[1:] if not w.endswith(":")]
        if any("(" in word for word in words):
            return "backends" if self.database in words else None
        return " ".join(w for w in words if w != self.database)

    def __str__(self):
        if self.server is None:
            return f"client {self.client:.2f}s, server unknown"
        return f"{self.total:.2f}s: client {self.client:.2f} + server {self.server:.2f}"


def _is_postmaster(pid):
    """Whether `pid` is the server's first process (its parent is not PostgreSQL)."""
    with open(f"/proc/{pid}/stat") as f:
        parent = int(f.read().rsplit(")", 1)[1].split()[1])
    try:
        with open(f"/proc/{parent}/comm") as f:
            return not f.read().startswith("postgres")
    except OSError:
        return True


def _print_cpu(copy_cpus, import_cpus, copy_seconds):
    """The work each side needs, and the least time the import could take on this machine."""
    copy_cpu = statistics.median(c.total for c in copy_cpus)
    import_cpu = statistics.median(c.total for c in import_cpus)
    server = statistics.median(c.server for c in import_cpus)
    cores = os.cpu_count() or 1
    print(f"CPU, median: bare COPY {copy_cpu:.2f}s; import {import_cpu:.2f}s "
          f"(client {statistics.median(c.client for c in import_cpus):.2f} + PostgreSQL {server:.2f})")
    by_kind = {
        kind: statistics.median(c.by_kind.get(kind, 0) for c in import_cpus)
        for kind in {k for c in import_cpus for k in c.by_kind}
    }
    print("PostgreSQL's part of the import, median: " + ", ".join(
        f"{kind} {seconds:.2f}s" for kind, seconds in sorted(by_kind.items(), key=lambda kv: -kv[1])
    ))
    print(f"the import's floor on {cores} cores: {import_cpu / cores:.2f}s of wall time, "
          f"{import_cpu / cores / copy_seconds:.2f}x the COPY; PostgreSQL's part alone: "
          f"{server / cores / copy_seconds:.2f}x")


def _rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_import(path, batch_size):
    from policies.imports.csvfile import CsvFile
    from policies.imports.report import ImportReport
    from policies.imports.usaspending import ImportOptions, import_files
    from policies.models import Contract

    samples, seen = [_rss_mib()], [0]

    def progress(rows):
        seen[0] += rows
        if seen[0] % 20_000 < rows:
            samples.append(_rss_mib())

    report = ImportReport(keep_rows=False)
    csv_file = CsvFile.open(path)
    started = time.perf_counter()
    import_files([csv_file], ImportOptions(batch_size=batch_size, progress=progress), report)
    seconds = time.perf_counter() - started
    csv_file.close()
    samples.append(_rss_mib())
    print(
        "  " + report.summary_lines()[0] + f" contracts: {Contract.objects.count():,}, "
        f"history rows: {Contract.history.count():,}"
    )
    return seconds, samples


if __name__ == "__main__":
    main()
