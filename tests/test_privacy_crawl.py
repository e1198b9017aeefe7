"""Staff and people stay private: crawl every public page, feed, search and export for secrets.

The database holds the seed data plus distinctive secrets: a staff member's name,
username and email (who made edits), a draft record, an embargoed employee action,
text that was redacted, and internal notes. None may appear anywhere a reader can reach.
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests import factories as f
from tests.crawl import crawl, reverse_or_none

pytestmark = pytest.mark.django_db

SECRETS = {
    "staff first name": "Quillonia",
    "staff last name": "Vexbrand",
    "staff username": "kestrel-editor-login",
    "staff email": "hidden-editor-77@staff.example.org",
    "draft company": "Zorblax Draft Holdings",
    "draft statement": "DRAFTQUOTE xyzzy",
    "draft text on a public record": "UNPUBLISHEDSUMMARY wibble",
    "embargoed action": "EMBARGOED plugh walkout",
    "embargoed participant": "Ambrosine Tellwether",
    "redacted text": "REDACTEDNAME frobozz",
    "internal note": "INTERNALNOTE grue",
}


def _as(staff, obj, reason="Edited in the privacy test"):
    obj._history_user = staff
    obj._change_reason = reason
    obj.save()
    return obj


@pytest.fixture
def seeded(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    try:
        from policies.seed import load_seed
    except ImportError:
        pass
    else:
        load_seed()
    staff = User.objects.create_superuser(
        SECRETS["staff username"], SECRETS["staff email"], "x" * 20,
        first_name=SECRETS["staff first name"], last_name=SECRETS["staff last name"],
    )
    company = f.company(name="Example Cloud Privacy", internal_notes=SECRETS["internal note"])
    _as(staff, company)
    statement = f.statement(company, internal_notes=SECRETS["internal note"])
    _as(staff, statement)
    f.statement(company, status="draft", quote=SECRETS["draft statement"])
    f.company(status="draft", name=SECRETS["draft company"])
    f.employee_action(
        company, title=SECRETS["embargoed action"], named_participants=SECRETS["embargoed participant"],
        names_nobody=False, embargo_until=datetime.date.today() + datetime.timedelta(days=365),
    )
    f.gap(company, internal_notes=SECRETS["internal note"])
    exposed = f.statement(company, quote=f"Said by {SECRETS['redacted text']} in a meeting.")
    from policies.redaction import redact

    redact(exposed, "quote", user=staff, reason="Names a private person")
    # A draft version of a published policy: its text is not public yet.
    f.policy_version(f.policy(company), status="draft", text=SECRETS["draft text on a public record"])
    _try_release()
    return company


def _try_release():
    try:
        from policies.exports.releases import make_release
    except ImportError:
        return
    make_release()


def _start_urls(company):
    urls = ["/", company.get_absolute_url()]
    # Search for each secret minus its last letters: the page may echo the query,
    # but the whole secret can only appear if a result leaks it.
    for term in [*(secret[:-2] for secret in SECRETS.values()), "Example", "surveillance", "a"]:
        urls.append(reverse_or_none("policies:search", query=f"?q={term}"))
        urls.append(reverse_or_none("policies:companies", query=f"?q={term}"))
    for name in ("feed-changes", "feed-gaps", "changes", "exports", "gaps", "topics", "companies"):
        urls.append(reverse_or_none(f"policies:{name}"))
    urls.append(reverse_or_none("policies:feed-company", company.slug))
    urls.extend(_export_downloads())
    return urls


def _export_downloads():
    try:
        from policies.exports.tables import TABLES
    except ImportError:
        return []
    base = reverse_or_none("policies:exports-download")
    if base is None:
        return []
    names = [getattr(t, "name", t) for t in TABLES]
    return [
        f"{base}?table={name}&format={fmt}{extra}"
        for name in names
        for fmt in ("csv", "jsonl")
        for extra in ("", "&history=1", f"&as_of={datetime.date.today().isoformat()}")
    ]


def test_no_staff_identity_draft_embargo_redaction_or_internal_note_is_anywhere_public(seeded):
    result = crawl(Client(), start=_start_urls(seeded))
    assert len(result.pages) > 20, "the crawl should reach a real site"
    assert any("Example Cloud Privacy" in p.text for p in result.pages.values())
    failures = [url for url, page in result.pages.items() if page.status >= 500]
    assert failures == []
    leaks = [
        (what, url)
        for url, page in result.pages.items()
        for what, secret in SECRETS.items()
        if secret.lower() in page.text.lower()
    ]
    assert leaks == []


def test_no_public_page_has_inline_scripts_styles_or_event_handlers(seeded):
    import re

    inline = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)
    result = crawl(Client(), start=_start_urls(seeded), limit=300)
    offenders = {p.url: inline.findall(p.text)[:3] for p in result.html_pages() if inline.search(p.text)}
    assert offenders == {}
