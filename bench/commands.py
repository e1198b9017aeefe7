"""Time and peak memory of management commands, and the bare COPY they are measured against."""

import csv
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .worlds import MANAGE, ROOT, django_env, query

COMMANDS = ROOT / "policies" / "management" / "commands"
HEADER = ROOT / "tests" / "data" / "usaspending-contracts-prime-award-summaries.header.csv"
IMPORT_ROWS = 100_000  # the figure (#7): a 100,000-row award summary file


@dataclass
class Run:
    seconds: float
    peak_mib: float
    ok: bool
    note: str = ""


def available(name):
    return (COMMANDS / f"{name}.py").exists()


def timed(argv, env):
    """Run argv; wall time and the peak resident memory of that one process (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    note = "" if process.returncode == 0 else process.stderr.read().decode()[-300:].strip()
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode == 0, note)


def manage_timed(world, *args):
    return timed([*MANAGE, *args], django_env(world.url))


def _python_timed(world, code):
    """A bare reference, also in its own process so start-up is paid by both sides."""
    return timed([sys.executable, "-c", code], django_env(world.url))


def _tables(world, history):
    rows = query(
        world.url,
        (
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'policies_%' "
            "ORDER BY tablename"
        ),
    )
    return [r[0] for r in rows if ("_historical" in r[0]) == history and "signal" not in r[0]]


def copy_out(world, history, folder):
    """COPY every table an export reads (whole tables: a generous reference) to CSV files."""
    tables = _tables(world, history)
    code = (
        "import os, psycopg\n"
        "url = os.environ['DATABASE_URL'].replace('postgres://', 'postgresql://', 1)\n"
        "with psycopg.connect(url) as conn:\n"
        f"    for table in {tables!r}:\n"
        f"        with open(os.path.join({str(folder)!r}, table + '.csv'), 'wb') as out:\n"
        "            with conn.cursor().copy(f'COPY {table} TO STDOUT WITH (FORMAT csv, HEADER)') as copy:\n"
        "                for chunk in copy:\n"
        "                    out.write(chunk)\n"
    )
    return _python_timed(world, code)


def export(world, history, folder):
    args = ["export", "--format", "csv", "--output", str(folder)]
    return manage_timed(world, *(args + ["--history"] if history else args))


def write_import_file(folder, rows=IMPORT_ROWS):
    """A USAspending award-summary download of fictional awards to synthetic companies."""
    with open(HEADER, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    path = Path(folder) / "usaspending-contracts-prime-award-summaries-2025-06-30.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for i in range(rows):
            company = i % 900 + 1
            piid = f"BENCH{i:07d}"
            key = f"CONT_AWD_{piid}_7012_-NONE-_-NONE-"
            writer.writerow(
                {
                    "contract_award_unique_key": key,
                    "award_id_piid": piid,
                    "total_obligated_amount": f"{1000 + i}.00",
                    "potential_total_value_of_award": f"{2000 + i}.00",
                    "award_base_action_date": "2025-01-15",
                    "award_latest_action_date": "2025-02-01",
                    "period_of_performance_start_date": "2025-01-15",
                    "period_of_performance_current_end_date": "2025-12-31",
                    "awarding_agency_code": "070",
                    "awarding_agency_name": "Department of Examples",
                    "awarding_sub_agency_code": "7012",
                    "awarding_sub_agency_name": "Agency 901",
                    "recipient_uei": f"EXMPLCLD{company:04d}",
                    "recipient_name": f"EXAMPLE CLOUD {company:04d} LLC",
                    "recipient_parent_name": f"EXAMPLE CLOUD {company:04d} LLC",
                    "prime_award_base_transaction_description": "CLOUD STORAGE SERVICES",
                    "usaspending_permalink": f"https://www.usaspending.gov/award/{key}/",
                }
            )
    return path, header


def import_file(world, path):
    return manage_timed(
        world, "import_usaspending", str(path), "--reason", "Benchmark import", "--seen-on", "2025-06-30"
    )


def copy_in(world, path, header):
    """COPY the same file into an unlogged table of text columns (then drop it)."""
    columns = ", ".join(f'"{name}" text' for name in header)
    code = (
        "import os, psycopg\n"
        "url = os.environ['DATABASE_URL'].replace('postgres://', 'postgresql://', 1)\n"
        "with psycopg.connect(url) as conn:\n"
        f"    conn.execute('CREATE UNLOGGED TABLE bench_copy_in ({columns})')\n"
        "    with conn.cursor().copy('COPY bench_copy_in FROM STDIN WITH (FORMAT csv, HEADER)') as copy:\n"
        f"        copy.write(open({str(path)!r}, 'rb').read())\n"
        "    conn.execute('DROP TABLE bench_copy_in')\n"
    )
    return _python_timed(world, code)


def scratch_folder():
    return tempfile.TemporaryDirectory(prefix="bench-")


EXPORT_ROUNDS = 5


def export_vs_same_rows(world, rounds=EXPORT_ROUNDS):
    """The export targets' own references (bench/exports.py): the history tables, and the
    current tables, as the export writes them (in-process: throughput, not start-up),
    against a bare COPY of tables holding exactly those rows (materialised from the
    export's SELECT on this throwaway copy); medians of `rounds` alternating rounds. The
    export reads over `parallel.DEFAULT_JOBS` connections, as the command does; its
    one-connection figure is shown too."""
    from bench import exports

    exports.run_child("materialise", world.url)
    found = exports.medians_of(world.url, rounds)

    def run(kind, label):
        note = f"{found[kind]['rows']:,} rows; median of {rounds} rounds"
        return label, Run(found[kind]["seconds"], found[kind]["peak_mb"], True, note)

    return dict(
        [
            run("export", "export of the history tables"),
            run("export_serial", "export of the history tables, one connection"),
            run("same", "COPY out (the same rows)"),
            run("export_current", "export of the current tables"),
            run("same_current", "COPY out (the same current rows)"),
        ]
    )
