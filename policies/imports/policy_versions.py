"""Import a policy version from a .md, .txt or .html file, or a whole Open Terms Archive series.

The text is normalised (Unicode NFC, line ends, spaces, blank lines; HTML turned into
text with the standard library's `html.parser`) so that importing the same text again is
a no-op: a new `PolicyVersion` is created only when the normalised text differs from the
version in force just before its date. The new version is a draft citing a Source for the
file, and commitment matching (`policies.gaps.matching.match_version`) runs on it when
that module is installed.

An Open Terms Archive dataset is laid out `<Service>/<Terms type>/<YYYY-MM-DDTHH-MM-SSZ>.md`;
each file's date is the date it was fetched, so its version is marked "known to be in
force by this date". A directory is read as a series in date order; each terms type maps
to the company's policy of that kind (`lib.terms_types.terms_type_for`).
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..lib.terms_types import terms_type_for
from ..models import Citation, EditorialStatus, PolicyVersion, Source, SourceKind
from ..models.policies import EffectiveBasis, text_hash

SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm"}
OTA_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2})-(\d{2})-(\d{2})Z)?$")


class PolicyImportError(Exception):
    """The file or directory cannot be imported; the message says why."""


# -- text -------------------------------------------------------------------------------------


def normalise_text(text):
    """Same words, same paragraphs → same text: the basis of 'identical text is a no-op'."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextExtractor(HTMLParser):
    BLOCKS = {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "ul",
        "ol",
        "table",
        "tr",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dl",
        "dt",
        "dd",
        "figure",
        "form",
        "hr",
    }
    SKIP = {"script", "style", "noscript", "template", "head", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(" ".join(data.split("\n")))


def html_to_text(html):
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return normalise_text("".join(parser.parts))


def read_policy_text(path):
    path = Path(path)
    text, error = read_policy_text_from_bytes(path.name, path.read_bytes())
    if error:
        raise PolicyImportError(error)
    return text


def read_policy_text_from_bytes(name, data):
    """`(normalised text, None)` or `(None, error message)` for a file called `name`."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return None, f"{name}: only {', '.join(sorted(SUFFIXES))} files can be imported"
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, f"{name}: the file is not UTF-8"
    if "\x00" in raw:  # valid UTF-8 (UTF-16 text, many binary formats), but no database holds it
        return None, f"{name}: the file holds NUL bytes, so it is not plain text (UTF-16, or binary?)"
    text = html_to_text(raw) if suffix in (".html", ".htm") else normalise_text(raw)
    if not text:
        return None, f"{name}: the file has no text"
    return text, None


# -- outcomes ---------------------------------------------------------------------------------


@dataclass
class VersionResult:
    file: str
    effective_on: datetime.date | None
    outcome: str  # imported, unchanged, skipped, rejected
    reason: str = ""
    version: PolicyVersion | None = None
    matches: list = field(default_factory=list)

    def describe(self):
        when = f" ({self.effective_on})" if self.effective_on else ""
        return f"{self.file}{when}: {self.outcome}" + (f" — {self.reason}" if self.reason else "")


# -- one version ------------------------------------------------------------------------------


def import_version(
    policy,
    effective_on,
    text,
    *,
    file_name,
    basis=EffectiveBasis.EFFECTIVE,
    user=None,
    reason="",
    dry_run=False,
):
    """Create a version of `policy` from `text` unless the text in force then is the same."""
    text = normalise_text(text)
    digest = text_hash(text)
    found = _same_day(policy, effective_on, digest, file_name)
    if found:
        return found
    before = PolicyVersion.objects.filter(policy=policy, effective_on__lt=effective_on).order_by(
        "-effective_on"
    )
    previous = before.first()
    if previous is not None and previous.text_sha256 == digest:
        return VersionResult(
            file_name, effective_on, "unchanged", f"same text as the version of {previous.effective}"
        )
    if dry_run:
        return VersionResult(file_name, effective_on, "imported", "dry run: not saved")
    try:
        version = _create(policy, effective_on, text, file_name, basis, user, reason)
    except IntegrityError:
        # Another import (another process) recorded this date since we looked: its
        # version is compared like any other; _create's transaction left nothing behind.
        found = _same_day(policy, effective_on, digest, file_name)
        if found:
            return found
        raise
    return VersionResult(file_name, effective_on, "imported", version=version, matches=_match(version))


def _same_day(policy, effective_on, digest, file_name):
    """The result when `policy` already has a version on `effective_on`, else None."""
    same_day = PolicyVersion.objects.filter(policy=policy, effective_on=effective_on).first()
    if same_day is None:
        return None
    if same_day.text_sha256 == digest:
        return VersionResult(file_name, effective_on, "unchanged", "the same text is already recorded")
    return VersionResult(
        file_name,
        effective_on,
        "rejected",
        "a different text is already recorded for this date: correct it in the admin instead",
    )


def _create(policy, effective_on, text, file_name, basis, user, reason):
    why = f"Imported from {file_name}" + (f": {reason}" if reason else "")
    with transaction.atomic():
        source = Source(
            title=f"{policy.title} ({file_name})"[:400],
            publisher=policy.company.name[:200],
            kind=SourceKind.COMPANY,
            url=policy.url,
            accessed_on=effective_on if basis == EffectiveBasis.IN_FORCE_BY else timezone.localdate(),
            editorial_status=EditorialStatus.DRAFT,
        )
        version = PolicyVersion(
            policy=policy,
            effective_on=effective_on,
            effective_basis=basis,
            text=text,
            editorial_status=EditorialStatus.DRAFT,
        )
        for obj in (source, version):
            obj._change_reason = why
            obj._history_user = user
            obj.save()
        citation = Citation(
            source=source,
            content_type=ContentType.objects.get_for_model(version),
            object_id=version.pk,
            locator=file_name[:200],
        )
        citation._change_reason = why
        citation._history_user = user
        citation.save()
    return version


def _match(version):
    """Commitment matching from the gaps work, when it is installed (a soft dependency)."""
    try:
        from ..gaps.matching import match_version
    except ImportError:
        return []
    return match_version(version)


# -- files and series -------------------------------------------------------------------------


def import_file(policy, effective_on, path, *, dry_run=False, **options):
    path = Path(path)
    try:
        text = read_policy_text(path)
    except PolicyImportError as exc:
        return VersionResult(path.name, effective_on, "rejected", str(exc))
    with _rolled_back(dry_run) as results:
        results.append(import_version(policy, effective_on, text, file_name=path.name, **options))
    return results[0]


class _rolled_back:
    """Collect results; with `dry_run`, write them for real and roll back, so a dry run
    reports exactly what the import would do (a series' later files are compared with the
    versions its earlier files would create)."""

    def __init__(self, dry_run):
        self.dry_run = dry_run
        self.results = []
        self.atomic = transaction.atomic() if dry_run else None

    def __enter__(self):
        if self.atomic:
            self.atomic.__enter__()
        return self.results

    def __exit__(self, *exc_info):
        if not self.atomic:
            return False
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc_info)
        for result in self.results:
            if result.outcome == "imported":
                result.version = None
                result.reason = "dry run: not saved"
        return False


def ota_date(path):
    """The fetch date of an Open Terms Archive file named like 2024-01-02T03-04-05Z.md."""
    match = OTA_DATE.match(Path(path).stem)
    if not match:
        return None
    try:
        return datetime.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def import_series(company, directory, *, policy=None, dry_run=False, **options):
    """Import every dated file under `directory` (a service, terms type or dataset folder)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PolicyImportError(f"{directory} is not a directory")
    files = sorted(
        (p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES),
        key=lambda p: (p.parent.name, p.stem),
    )
    if not files:
        raise PolicyImportError(f"{directory} holds no .md, .txt or .html files")
    with _rolled_back(dry_run) as results:
        _import_each(company, directory, files, policy, results, options)
    return results


def _import_each(company, directory, files, policy, results, options):
    for path in files:
        effective_on = ota_date(path)
        label = str(path.relative_to(directory))
        if effective_on is None:
            results.append(
                VersionResult(label, None, "skipped", "the file name is not a date (YYYY-MM-DDTHH-MM-SSZ)")
            )
            continue
        target = policy or _policy_for_type(company, path.parent.name)
        if target is None:
            results.append(
                VersionResult(
                    label,
                    effective_on,
                    "skipped",
                    f"{company} has no policy of the kind {path.parent.name!r}: create it, or give --policy",
                )
            )
            continue
        result = import_file(target, effective_on, path, basis=EffectiveBasis.IN_FORCE_BY, **options)
        result.file = label
        results.append(result)


def _policy_for_type(company, folder_name):
    kind = terms_type_for(folder_name)
    if kind is None:
        return None
    return company.policies.filter(kind=kind).order_by("pk").first()
