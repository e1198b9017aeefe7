"""The app under gunicorn (gthread workers) on 127.0.0.1, started and stopped by the benchmark."""

import http.client
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

from .worlds import ROOT, django_env

HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8006"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))


@contextmanager
def serving(world, page_cache_seconds, port=PORT, **settings):
    """Gunicorn on HOST:port for `world`, with the page cache on (seconds > 0) or off.

    `settings` are more environment settings for the app (CACHE_URL, say)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--timeout",
        "120",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    env = django_env(world.url, PAGE_CACHE_SECONDS=page_cache_seconds, **settings)
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_up(process, port)
        yield f"http://{HOST}:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process, port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited: " + process.stderr.read().decode()[-2000:])
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/__bench__/floor/?bytes=10")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {HOST}:{port} within {timeout}s")
