"""Soak test: 32 concurrent keep-alive connections for 60 s against gunicorn (gthread).

    .venv/bin/python bench/soak.py [--database-url postgres://postgres@127.0.0.1:5432/tracker_soak]
                                   [--seconds 60] [--connections 32] [--port 8010] [--companies 50]

It prepares the database (migrate, seed, a synthetic world) unless --no-setup, starts
gunicorn with production settings on 127.0.0.1, reads the URL list by crawling a few
pages, then keeps every connection busy for the whole run. It reports requests, errors
(any exception, 5xx, or unexpected status) and each worker's resident memory (VmRSS
from /proc) after boot, after a warm-up (the same load until memory settles) and every
5 s to the end. Exit 1 on any error or on growth beyond --max-growth.
Loopback only; the page cache is off (PAGE_CACHE_SECONDS=0) so every request renders.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Generous: with 32 connections on 2 workers a request may queue behind 15 others.
# The soak counts failures, not latency (bench/ measures latency).
CLIENT_TIMEOUT = 120
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def server_env(database_url):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="false",  # no TLS on loopback; everything else as in production
        PAGE_CACHE_SECONDS="0",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="ERROR",
    )
    return env


def prepare(env, companies):
    steps = (["migrate", "--noinput"], ["load_seed"], ["generate_synthetic", "--companies", str(companies)])
    for args in steps:
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_gunicorn(env, port, workers, threads):
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "tracker.wsgi",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "5",
        "--timeout",
        "60",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        try:
            fetch(port, "/")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not start: {server.stderr.read()}")


def fetch(port, path, connection=None):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    body = response.read()
    if connection is None:
        conn.close()
    return response.status, body


def discover(port, limit=60):
    """Public URLs by following links from a few pages (no admin, no static, no downloads)."""
    urls, queue = [], ["/", "/companies/", "/gaps/", "/topics/", "/changes/", "/search/?q=cloud"]
    while queue and len(urls) < limit:
        path = queue.pop(0)
        if path in urls:
            continue
        status, body = fetch(port, path)
        if status != 200:
            continue
        urls.append(path)
        for href in re.findall(rb'href="(/[^"#]*)"', body):
            href = href.decode().replace("&amp;", "&")
            if not href.startswith(("/static/", "/admin/", "/exports/")) and href not in urls:
                queue.append(href)
    return urls


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def hammer(port, urls, seconds, connections, on_tick=None, tick=5.0):
    """Each thread holds one keep-alive connection and requests URLs in turn until time is up.

    The calling thread runs `on_tick()` every `tick` seconds meanwhile (memory samples).
    """
    statuses, errors, lock = Counter(), [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def run(offset):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
        i = offset
        while time.monotonic() < stop_at:
            path = urls[i % len(urls)]
            i += 1
            try:
                status, _ = fetch(port, path, conn)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
                continue
            with lock:
                statuses[status] += 1
                if status != 200:
                    errors.append(f"{path}: HTTP {status}")
        conn.close()

    threads = [threading.Thread(target=run, args=(n * 7,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(tick)
        if on_tick:
            on_tick()
    for thread in threads:
        thread.join()
    return statuses, errors


def warm_up(port, urls, connections, server_pid, chunk=15.0, limit=300.0, settled=0.02):
    """Run the load until each worker's memory stops growing (its working set at this
    concurrency), so the measured window shows growth, not first-time allocation."""
    started, before = time.monotonic(), None
    while time.monotonic() - started < limit:
        hammer(port, urls, chunk, connections)
        now = {pid: rss_kib(pid) for pid in worker_pids(server_pid)}
        if before and now.keys() == before.keys() and all(now[p] <= before[p] * (1 + settled) for p in now):
            break
        before = now
    return round(time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in /tmp")
    parser.add_argument("--no-setup", action="store_true", help="use the database as it is")
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup-max", type=float, default=300)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--max-growth", type=float, default=0.10)
    parser.add_argument("--exclude", default=None, help="skip URLs matching this regex")
    args = parser.parse_args()

    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='soak-')}/soak.sqlite3"
    env = server_env(database_url)
    if not args.no_setup:
        prepare(env, args.companies)
    server = start_gunicorn(env, args.port, args.workers, args.threads)
    try:
        booted = {pid: rss_kib(pid) for pid in worker_pids(server.pid)}
        urls = [u for u in discover(args.port) if not (args.exclude and re.search(args.exclude, u))]
        warmup_seconds = warm_up(args.port, urls, args.connections, server.pid, limit=args.warmup_max)
        start = {pid: rss_kib(pid) for pid in worker_pids(server.pid)}
        samples = []
        statuses, errors = hammer(
            args.port, urls, args.seconds, args.connections,
            on_tick=lambda: samples.append({pid: rss_kib(pid) for pid in worker_pids(server.pid)}),
        )
        end = {pid: rss_kib(pid) for pid in worker_pids(server.pid)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    growth = {pid: (end.get(pid, 0) - start[pid]) / start[pid] for pid in start}
    report = {
        "urls": len(urls),
        "connections": args.connections,
        "seconds": args.seconds,
        "requests": sum(statuses.values()),
        "requests_per_second": round(sum(statuses.values()) / args.seconds, 1),
        "statuses": dict(statuses),
        "errors": len(errors),
        "first_errors": errors[:5],
        "workers_replaced": sorted(set(end) - set(start)),
        "warmup_seconds": warmup_seconds,
        "rss_mib_after_boot": {pid: round(kib / 1024, 1) for pid, kib in booted.items()},
        "rss_mib_start": {pid: round(kib / 1024, 1) for pid, kib in start.items()},
        "rss_mib_end": {pid: round(kib / 1024, 1) for pid, kib in end.items()},
        "rss_growth_percent": {pid: round(100 * g, 1) for pid, g in growth.items()},
        "rss_mib_every_5s": {
            pid: [round(sample.get(pid, 0) / 1024, 1) for sample in samples] for pid in start
        },
    }
    print(json.dumps(report, indent=2))
    failed = errors or report["workers_replaced"] or any(g > args.max_growth for g in growth.values())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
