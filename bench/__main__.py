"""`python -m bench`: build or reuse the worlds, serve them, measure, write bench/results/latest.md.

Exits 1 when a target is missed. Options: --requests (sequential requests per figure),
--seconds (load duration), --connections, --small/--big (companies), --skip-commands.
"""

import argparse
import os
import sys
from pathlib import Path

from . import commands as cmd
from . import load, targets, worlds
from .pages import discover
from .report import markdown
from .server import PORT, THREADS, WORKERS, serving

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
WARM_SECONDS = 600


def log(message):
    print(message, file=sys.stderr, flush=True)


def measure_pages(small, big, paths, requests, warmup):
    """Per page: uncached latency and queries in both worlds, warm-cache latency, the floor.

    Both worlds are served at once (two gunicorns) and the small world's page, the big
    world's page and the floor (a bare view returning a body of the page's size) are
    requested in turn, so every figure and its reference see the same load on the machine.
    """
    found = {name: {"small": {}, "big": {}} for name in paths["big"]}
    with serving(small, 0, PORT) as small_base, serving(big, 0, PORT + 1) as big_base:
        for name, row in found.items():
            size = load.interleaved([(big_base, paths["big"][name])], 1, warmup=0)[0].size
            row["floor_path"] = f"/__bench__/floor/?bytes={size}"
            row["small"]["uncached"], row["big"]["uncached"], row["big"]["floor"] = load.interleaved(
                [
                    (small_base, paths["small"][name]),
                    (big_base, paths["big"][name]),
                    (big_base, row["floor_path"]),
                ],
                requests,
                warmup=warmup,
            )
            log(
                f"  {name:16} p50 N={small.companies}: {row['small']['uncached'].p50 * 1000:7.1f} ms, "
                f"N={big.companies}: {row['big']['uncached'].p50 * 1000:7.1f} ms, "
                f"floor {row['big']['floor'].p50 * 1000:5.1f} ms"
            )
    with serving(big, WARM_SECONDS, PORT + 1) as big_base:
        for name, row in found.items():
            row["big"]["warm"], row["big"]["warm_floor"] = load.interleaved(
                [(big_base, paths["big"][name]), (big_base, row["floor_path"])], requests
            )
    return {name: {"small": row["small"], "big": row["big"]} for name, row in found.items()}


def measure_load(world, path, size, connections, seconds):
    results = {}
    with serving(world, page_cache_seconds=WARM_SECONDS) as base:
        load.sequential(base, path, 1, warmup=1)  # fill the page cache
        log(f"  load: floor, {connections} connections, {seconds:.0f} s")
        results["floor"] = load.concurrent(base, f"/__bench__/floor/?bytes={size}", connections, seconds)
        log("  load: company page, cache warm")
        results["company (cache warm)"] = load.concurrent(base, path, connections, seconds)
    with serving(world, page_cache_seconds=0) as base:
        log("  load: company page, uncached")
        results["company (uncached)"] = load.concurrent(base, path, connections, seconds)
    return results


def measure_commands(world, import_rows):
    found = {"Django start-up (shell -c pass)": cmd.manage_timed(world, "shell", "-c", "pass")}
    with cmd.scratch_folder() as folder:
        folder = Path(folder)
        for history in (False, True):
            label = "history" if history else "current"
            out = folder / f"export-{label}"
            if cmd.available("export"):
                found[f"export ({label})"] = cmd.export(world, history, out)
            if world.is_postgres:
                copy_dir = folder / f"copy-{label}"
                copy_dir.mkdir()
                found[f"COPY out ({label})"] = cmd.copy_out(world, history, copy_dir)
        if cmd.available("detect_gaps") or cmd.available("import_usaspending"):
            scratch = worlds.scratch_copy(world)
            try:
                if scratch.is_postgres and cmd.available("export"):
                    # first, on the world as built: the writers below add 100,000 draft
                    # contracts with their citations, which the export must read past
                    found.update(cmd.export_vs_same_rows(scratch))
                if cmd.available("detect_gaps"):
                    found["detect_gaps"] = cmd.manage_timed(scratch, "detect_gaps")
                if cmd.available("import_usaspending"):
                    path, header = cmd.write_import_file(folder, import_rows)
                    found["import_usaspending"] = cmd.import_file(scratch, path)
                    found["import_usaspending"].note = (
                        found["import_usaspending"].note or f"{import_rows:,} award rows"
                    )
                    if scratch.is_postgres:
                        found["COPY in"] = cmd.copy_in(scratch, path, header)
            finally:
                worlds.drop(scratch)
    for name in ("export", "detect_gaps", "import_usaspending"):
        if not cmd.available(name):
            log(f"  {name}: not available yet")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--big", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument(
        "--warmup", type=int, default=5 * THREADS,
        help="Unmeasured rounds before the uncached figures: enough for each thread's database "
        "connection to have prepared the page's statements and PostgreSQL to have settled on "
        "their plans (five runs each); the steady state of a serving site.",
    )
    parser.add_argument("--import-rows", type=int, default=cmd.IMPORT_ROWS)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--skip-commands", action="store_true")
    args = parser.parse_args(argv)

    small, big = worlds.worlds(args.small, args.big)
    for world in (small, big):
        worlds.ensure(world, log)
    paths = {w.name: discover(w) for w in (small, big)}
    pages = measure_pages(small, big, paths, args.requests, args.warmup)
    company = pages["median company"]["big"]["uncached"]
    under_load = measure_load(
        big, paths["big"]["median company"], company.size, args.connections, args.seconds
    )
    commands = {"small": {}, "big": {}}
    if not args.skip_commands:
        for world in (small, big):
            log(f"commands on the {world.name} world")
            commands[world.name] = measure_commands(world, args.import_rows)

    checks = targets.page_checks(pages) + targets.load_checks(under_load)
    checks += targets.command_checks(commands)
    setup = dict(
        cpus=os.cpu_count(),
        database="PostgreSQL" if big.is_postgres else "SQLite",
        cache=os.environ.get("CACHE_URL", "locmem:// (per worker)"),
        workers=WORKERS,
        threads=THREADS,
        requests=args.requests,
        warmup=args.warmup,
        connections=args.connections,
        seconds=args.seconds,
        port=PORT,
    )
    text = markdown(setup, pages, under_load, commands, checks)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    return 1 if any(c.met is False for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
