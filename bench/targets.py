"""The targets of the benchmark, as ratios (issue #8), checked against one run's figures."""

from dataclasses import dataclass

FLAT = 1.5  # p50 at N=1000 within 1.5x of N=10
UNCACHED_VS_FLOOR = 10.0
WARM_VS_FLOOR = 2.0
THROUGHPUT_VS_FLOOR = 0.5
EXPORT_VS_COPY = 0.8  # export throughput at least 0.8x COPY's
IMPORT_VS_COPY = 3.0  # import time at most 3x COPY's
MEMORY_FLAT = 1.5  # export peak memory at N=1000 within 1.5x of N=10


@dataclass
class Check:
    name: str
    figure: str
    met: bool | None  # None: could not be measured

    @property
    def verdict(self):
        return {True: "met", False: "MISSED", None: "not available"}[self.met]


def ratio(a, b):
    return a / b if b else float("inf")


def page_checks(pages):
    checks = []
    for name, row in pages.items():
        small, big = row["small"], row["big"]
        flat = ratio(big["uncached"].p50, small["uncached"].p50)
        checks.append(Check(f"{name}: p50 N=1000 / N=10 <= {FLAT}", f"{flat:.2f}x", flat <= FLAT))
        queries = small["uncached"].queries | big["uncached"].queries
        checks.append(Check(f"{name}: constant queries", _queries(small, big), len(queries) == 1))
    company = pages["median company"]["big"]
    uncached = ratio(company["uncached"].p50, company["floor"].p50)
    warm = ratio(company["warm"].p50, company["warm_floor"].p50)
    checks.append(
        Check(
            f"company page uncached p50 / floor <= {UNCACHED_VS_FLOOR}",
            f"{uncached:.1f}x",
            uncached <= UNCACHED_VS_FLOOR,
        )
    )
    checks.append(
        Check(
            f"company page warm-cache p50 / floor <= {WARM_VS_FLOOR}", f"{warm:.2f}x", warm <= WARM_VS_FLOOR
        )
    )
    return checks


def _queries(small, big):
    def fmt(s):
        return "/".join(str(q) for q in sorted(s["uncached"].queries)) or "?"

    return f"{fmt(small)} vs {fmt(big)}"


def load_checks(load):
    floor, cached = load["floor"], load["company (cache warm)"]
    errors = sum(s.errors for s in load.values())
    share = ratio(cached.rate, floor.rate)
    return [
        Check("32 connections x 30 s: zero errors", f"{errors} errors", errors == 0),
        Check(
            f"company page req/s / floor req/s >= {THROUGHPUT_VS_FLOOR}",
            f"{share:.2f}x",
            share >= THROUGHPUT_VS_FLOOR,
        ),
    ]


def command_checks(commands):
    checks = []
    for history in (False, True):
        label = "export (history)" if history else "export (current)"
        big = commands["big"].get(label)
        copy = commands["big"].get(f"COPY out ({'history' if history else 'current'})")
        if not big or not copy or not big.ok or not copy.ok:
            checks.append(Check(f"{label}: throughput / COPY >= {EXPORT_VS_COPY}", "-", None))
            continue
        share = ratio(copy.seconds, big.seconds)
        kind = "history" if history else "current"
        exported = commands["big"].get(f"export of the {kind} tables")
        same = commands["big"].get(
            "COPY out (the same rows)" if history else "COPY out (the same current rows)"
        )
        if exported and same:
            # The target's reference: a COPY of exactly the rows the export writes (bench/exports.py);
            # whole tables, drafts and all, are a generous reference, shown for comparison.
            # In-process, as the reference is: rows per second, not Django's start-up.
            strict = ratio(same.seconds, exported.seconds)
            serial = commands["big"].get(f"export of the {kind} tables, one connection")
            alone = f"one connection: {ratio(same.seconds, serial.seconds):.2f}x; " if serial else ""
            checks.append(
                Check(
                    f"{label}: throughput / COPY of the same rows >= {EXPORT_VS_COPY}",
                    f"{strict:.2f}x ({alone}whole command vs whole tables: {share:.2f}x)",
                    strict >= EXPORT_VS_COPY,
                )
            )
        else:
            checks.append(
                Check(
                    f"{label}: throughput / COPY of whole tables >= {EXPORT_VS_COPY}",
                    f"{share:.2f}x",
                    share >= EXPORT_VS_COPY,
                )
            )
        small = commands["small"].get(label)
        if small and small.ok:
            grew = ratio(big.peak_mib, small.peak_mib)
            checks.append(
                Check(
                    f"{label}: peak memory N=1000 / N=10 <= {MEMORY_FLAT}",
                    f"{grew:.2f}x",
                    grew <= MEMORY_FLAT,
                )
            )
    imported, copy_in = commands["big"].get("import_usaspending"), commands["big"].get("COPY in")
    if imported and copy_in and imported.ok and copy_in.ok:
        slower = ratio(imported.seconds, copy_in.seconds)
        checks.append(
            Check(f"import time / COPY time <= {IMPORT_VS_COPY}", f"{slower:.1f}x", slower <= IMPORT_VS_COPY)
        )
    else:
        checks.append(Check(f"import time / COPY time <= {IMPORT_VS_COPY}", "-", None))
    return checks
