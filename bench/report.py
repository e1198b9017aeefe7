"""The results as a Markdown table: every figure next to its reference from the same run."""

import datetime as dt
import platform


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def _q(sample):
    return "/".join(str(q) for q in sorted(sample.queries)) or "-"


def markdown(setup, pages, load, commands, checks):
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{setup['cpus']} CPU cores; database: {setup['database']}; cache: {setup['cache']}; "
        f"gunicorn gthread, {setup['workers']} workers x {setup['threads']} threads; "
        f"{setup['requests']} sequential requests per figure, "
        f"after {setup.get('warmup', 3)} unmeasured rounds.",
        "",
        "## Public pages (latency in ms)",
        "",
        "| page | N=10 p50 | N=1000 p50 | N=1000 p95 | N=1000/N=10 | queries N=10 / N=1000 "
        "| floor p50 (same size) | uncached/floor | warm-cache p50 | floor p50 (warm run) | warm/floor "
        "| size KiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in pages.items():
        small, big = row["small"], row["big"]
        u, f, w, wf = big["uncached"], big["floor"], big["warm"], big["warm_floor"]
        lines.append(
            f"| {name} | {ms(small['uncached'].p50)} | {ms(u.p50)} | {ms(u.p95)} "
            f"| {u.p50 / small['uncached'].p50:.2f}x | {_q(small['uncached'])} / {_q(u)} | {ms(f.p50)} "
            f"| {u.p50 / f.p50:.1f}x | {ms(w.p50)} | {ms(wf.p50)} | {w.p50 / wf.p50:.2f}x "
            f"| {u.size / 1024:.0f} |"
        )
    lines += [
        "",
        f"## Under load: {setup['connections']} connections for {setup['seconds']:.0f} s (N=1000)",
        "",
        "| target | requests/s | p50 ms | p95 ms | errors | vs floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    floor = load["floor"]
    for name, sample in load.items():
        lines.append(
            f"| {name} | {sample.rate:.0f} | {ms(sample.p50)} | {ms(sample.p95)} | {sample.errors} "
            f"| {sample.rate / floor.rate:.2f}x |"
        )
    lines += [
        "",
        "## Commands (one process each: wall time and peak resident memory)",
        "",
        "| command | N=10 s | N=10 MiB | N=1000 s | N=1000 MiB | note |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    names = list(dict.fromkeys([*commands["small"], *commands["big"]]))
    for name in names:
        small, big = commands["small"].get(name), commands["big"].get(name)
        lines.append(f"| {name} | {_run(small)} | {_run(big)} | {_note(small, big)} |")
    lines += ["", "## Targets", "", "| target | measured | verdict |", "| --- | ---: | --- |"]
    lines += [f"| {c.name} | {c.figure} | {c.verdict} |" for c in checks]
    missed = [c for c in checks if c.met is False]
    lines += ["", f"{len(missed)} of {len(checks)} targets missed." if missed else "Every target met.", ""]
    return "\n".join(lines)


def _run(run):
    if run is None:
        return "not available | -"
    if not run.ok:
        return "failed | -"
    return f"{run.seconds:.2f} | {run.peak_mib:.0f}"


def _note(*runs):
    notes = dict.fromkeys(r.note.replace("|", "/").replace("\n", " ")[:120] for r in runs if r and r.note)
    return "; ".join(notes)
