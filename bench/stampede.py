"""Benchmark (not a test): a busy page while the record keeps changing, as when a story breaks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.stampede \
        [--connections 32] [--seconds 20] [--every 2]

Serves the big world (see bench/worlds.py; built when missing) under gunicorn with the page
cache on and a cache every worker shares (a file cache in a new temporary folder), sends
`--connections` clients at the median company page for `--seconds`, and bumps the content
version every `--every` seconds, as each save in the admin does. Every bump empties the
page cache at once, so every client misses together.

It runs twice, alternating, with `PAGE_CACHE_LOCK_SECONDS` at 0 (every miss renders the
page) and at its default (one request renders, the others wait for its copy), and prints
for each: requests/s, p50/p95/max latency, errors, and how many responses were rendered
(`X-Page-Cache: miss` or none) rather than read from the cache. Nothing is asserted.
"""

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time

from . import worlds
from .pages import discover
from .server import PORT, serving


def _bump_every(cache_dir, every, stop, bumps):
    """Bump the content version in the shared cache, as a save in the admin does."""
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from django.core.cache.backends.filebased import FileBasedCache

    from policies.cache import VERSION_KEY

    cache = FileBasedCache(cache_dir, {"KEY_PREFIX": "tracker"})  # what CACHE_URL=file://... gives the app
    while not stop.wait(every):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)
        bumps.append(time.perf_counter())


def _hammer(base, path, connections, seconds):
    host, port = base.removeprefix("http://").split(":")
    deadline = time.perf_counter() + seconds
    latencies, rendered, errors = [], [0], [0]
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                with lock:
                    errors[0] += 1
                continue
            took = time.perf_counter() - started
            with lock:
                if response.status != 200:
                    errors[0] += 1
                    continue
                latencies.append(took)
                if response.getheader("X-Page-Cache") != "hit":
                    rendered[0] += 1
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return latencies, rendered[0], errors[0], time.perf_counter() - started


def _run(world, path, lock_seconds, args):
    with tempfile.TemporaryDirectory(prefix="tracker-stampede-") as cache_dir:
        extra = {"CACHE_URL": f"file://{cache_dir}", "PAGE_CACHE_LOCK_SECONDS": lock_seconds}
        with serving(world, 600, PORT + 2, **extra) as base:
            _hammer(base, path, 4, 2)  # warm the workers
            stop, bumps = threading.Event(), []
            bumper = threading.Thread(
                target=_bump_every, args=(cache_dir, args.every, stop, bumps), daemon=True
            )
            bumper.start()
            latencies, rendered, errors, elapsed = _hammer(base, path, args.connections, args.seconds)
            stop.set()
            bumper.join()
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0] * 99
    return {
        "lock": lock_seconds, "requests": len(latencies), "rate": len(latencies) / elapsed,
        "p50": q[49] * 1000, "p95": q[94] * 1000, "max": max(latencies, default=0) * 1000,
        "errors": errors, "rendered": rendered, "bumps": len(bumps),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.stampede", description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between two bumps")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lock-seconds", default="5", help="the setting's value for the 'with lock' runs")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(worlds.ROOT))
    big = worlds.worlds()[1]
    worlds.ensure(big, lambda m: print(m, file=sys.stderr))
    path = discover(big)["median company"]
    print(f"{path} on N={big.companies}, {args.connections} connections for {args.seconds:.0f} s, "
          f"the content version bumped every {args.every:g} s")
    print("| page cache lock (s) | req/s | p50 ms | p95 ms | max ms | errors | rendered | bumps |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for _ in range(args.rounds):
        for lock_seconds in ("0", args.lock_seconds):
            r = _run(big, path, lock_seconds, args)
            print(f"| {r['lock']} | {r['rate']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.0f} "
                  f"| {r['errors']} | {r['rendered']} | {r['bumps']} |", flush=True)


if __name__ == "__main__":
    main()
