"""Citable releases: numbered, dated data packages with checksums, a CITATION.cff and a changelog.

Layout under settings.EXPORTS_ROOT:

    releases/0003-2026-11-22/
        tracker-release-0003.zip   the data package, current state and full history
        CITATION.cff               how to cite this release
        CHANGELOG.md               row counts, and what changed since release 0002
        manifest.json              number, date, counts, files with sizes and SHA-256
        SHA256SUMS                 checksums of every other file (sha256sum -c SHA256SUMS)
"""

import fcntl
import hashlib
import json
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import atomic, copy, datapackage, options, resources

FOLDER = re.compile(r"^(\d{4})-(\d{4}-\d{2}-\d{2})$")


def root():
    return Path(settings.EXPORTS_ROOT) / "releases"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def list_releases():
    """Every finished release, newest first (a half-written one has no manifest yet)."""
    found = []
    folder = root()
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        manifest = path / "manifest.json"
        if FOLDER.match(path.name) and manifest.is_file():
            data = json.loads(manifest.read_text())
            data["folder"] = path.name
            data["checksums"] = _read_sums(path / "SHA256SUMS")
            found.append(data)
    return sorted(found, key=lambda r: r["number"], reverse=True)


def release_file(folder_name, file_name):
    """The path of a file that belongs to a listed release, or None."""
    for release in list_releases():
        if release["folder"] == folder_name and file_name in release["checksums"]:
            return root() / folder_name / file_name
    return None


def _read_sums(path):
    sums = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            digest, _, name = line.partition("  ")
            sums[name] = digest
    return sums


def citation_cff(number, date, version):
    return f"""cff-version: 1.2.0
message: "If you use this data, please cite it as below."
type: dataset
title: "{settings.SITE_NAME}: data release {number:04d}"
version: "{version}"
date-released: "{date.isoformat()}"
url: "{settings.SITE_URL}/exports/"
license: {datapackage.licence()["name"]}
authors:
  - name: "{settings.SITE_NAME}"
"""


def changelog(number, date, counts, previous):
    lines = [f"# Release {number:04d} ({date.isoformat()})", ""]
    if previous:
        lines += [f"Changes since release {previous['number']:04d} ({previous['date']}).", ""]
    else:
        lines += ["First release.", ""]
    lines += ["| table | rows | change |", "| --- | ---: | ---: |"]
    before = previous["counts"] if previous else {}
    for name, rows in counts.items():
        delta = rows - before.get(name, 0)
        lines.append(f"| {name} | {rows} | {delta:+d} |")
    return "\n".join(lines) + "\n"


class Unchanged(Exception):
    """The data are exactly those of the latest release: nothing was written."""

    def __init__(self, previous):
        super().__init__(f"Nothing changed since release {previous['number']:04d} ({previous['date']}).")
        self.previous = previous


def data_fingerprint(package):
    """{table file: CRC-32} of a release's data, read from the zip's directory (no unpacking).

    The tables alone: datapackage.json and README.md carry the release's date and number.
    """
    with zipfile.ZipFile(package) as zf:
        return {i.filename: f"{i.CRC:08x}" for i in zf.infolist() if i.filename.endswith(".csv")}


def make_release(now=None, progress=None, if_changed=False):
    """Write the next release; return its manifest.

    With `if_changed` (a schedule), raise Unchanged instead when every table is the same,
    byte for byte, as in the latest release: a weekly job then adds a release only when
    the record moved.
    """
    root().mkdir(parents=True, exist_ok=True)
    # One release at a time (a cron job and a person, say): both would take the same
    # number, and the second would fail at the final rename. The lock file lives in the
    # releases folder, so it serialises every process that writes there.
    with open(root() / ".release.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _make_release(now, progress, if_changed)


def _make_release(now, progress, if_changed):
    now = now or timezone.now()
    date = timezone.localdate(now)
    existing = list_releases()
    previous = existing[0] if existing else None
    number = (previous["number"] + 1) if previous else 1
    version = f"{number}.0.0"
    final = root() / f"{number:04d}-{date.isoformat()}"
    opts = options.parse("datapackage", history=True)
    with atomic.atomic_dir(final) as folder:
        package = folder / f"tracker-release-{number:04d}.zip"
        with open(package, "wb") as out, copy.snapshot():
            found = resources.for_options(opts)
            counts = datapackage.write(found, opts, out, version, now, progress=progress)
        fingerprint = data_fingerprint(package)
        if if_changed and previous and previous.get("data") == fingerprint:
            raise Unchanged(previous)  # the half-made folder is removed with it
        (folder / "CITATION.cff").write_text(citation_cff(number, date, version))
        (folder / "CHANGELOG.md").write_text(changelog(number, date, counts, previous))
        files = [package.name, "CITATION.cff", "CHANGELOG.md"]
        digests = {n: sha256(folder / n) for n in files}  # the package is read once, not twice
        manifest = {
            "number": number,
            "version": version,
            "date": date.isoformat(),
            "created": now.isoformat(),
            "counts": counts,
            "data": fingerprint,
            "files": [
                {"name": n, "bytes": (folder / n).stat().st_size, "sha256": digests[n]}
                for n in files
            ],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        digests["manifest.json"] = sha256(folder / "manifest.json")
        sums = "".join(f"{digests[n]}  {n}\n" for n in files + ["manifest.json"])
        (folder / "SHA256SUMS").write_text(sums)
    # Files, not rows: no signal tells the page cache that the exports page changed.
    from ..cache import bump_content_version

    bump_content_version()
    return manifest
