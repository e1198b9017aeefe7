"""A small load client: threads and http.client, loopback only, bounded in time and count."""

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ALLOWED_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_REQUESTS = 200_000


@dataclass
class Sample:
    latencies: list = field(default_factory=list)  # seconds
    errors: int = 0
    queries: set = field(default_factory=set)
    cache: set = field(default_factory=set)
    size: int = 0
    elapsed: float = 0.0

    @property
    def p50(self):
        return _percentile(self.latencies, 50)

    @property
    def p95(self):
        return _percentile(self.latencies, 95)

    @property
    def rate(self):
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def _percentile(values, pct):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _connection(base):
    parts = urlsplit(base)
    if parts.hostname not in ALLOWED_HOSTS:
        raise ValueError(f"the load client only targets this machine, not {parts.hostname}")
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def _one(conn, path, sample):
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException):
        sample.errors += 1
        return False
    took = time.perf_counter() - started
    if response.status != 200:
        sample.errors += 1
        return True
    sample.latencies.append(took)
    sample.size = len(body)
    if response.getheader("X-Bench-Queries") is not None:
        sample.queries.add(int(response.getheader("X-Bench-Queries")))
    sample.cache.add(response.getheader("X-Page-Cache") or "-")
    return True


def sequential(base, path, count=30, warmup=3):
    """Latency of one client making `count` requests one after another (keep-alive)."""
    conn = _connection(base)
    throwaway = Sample()
    for _ in range(warmup):
        if not _one(conn, path, throwaway):
            conn = _connection(base)
    sample = Sample()
    started = time.perf_counter()
    for _ in range(count):
        if not _one(conn, path, sample):
            conn = _connection(base)
    sample.elapsed = time.perf_counter() - started
    conn.close()
    return sample


def interleaved(targets, count=30, warmup=3):
    """Latency of several (base, path) targets requested in turn, one connection each.

    Taking turns (in a rotating order) cancels the drift of a shared, busy machine: every
    sample sees the same load. Returns one Sample per target, in order.
    """
    conns = [_connection(base) for base, _ in targets]
    samples = [Sample() for _ in targets]
    order = list(range(len(targets)))
    for round_ in range(warmup + count):
        rotated = order[round_ % len(order) :] + order[: round_ % len(order)]
        for i in rotated:
            sample = samples[i] if round_ >= warmup else Sample()
            if not _one(conns[i], targets[i][1], sample):
                conns[i] = _connection(targets[i][0])
    for conn in conns:
        conn.close()
    return samples


def concurrent(base, path, connections=32, seconds=30.0):
    """`connections` clients hammering `path` for `seconds` (and at most MAX_REQUESTS)."""
    deadline = time.perf_counter() + seconds
    samples = [Sample() for _ in range(connections)]
    budget = [MAX_REQUESTS]
    lock = threading.Lock()

    def client(sample):
        conn = _connection(base)
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            if not _one(conn, path, sample):
                conn.close()
                conn = _connection(base)
        conn.close()

    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in samples]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    total = Sample(elapsed=time.perf_counter() - started)
    for s in samples:
        total.latencies.extend(s.latencies)
        total.errors += s.errors
        total.queries |= s.queries
        total.cache |= s.cache
        total.size = s.size or total.size
    return total
