"""A small crawler for tests: from "/", every internal link, feed and file the site offers.

It follows <a href>, <link href> (feeds) and <form method=get> actions in HTML, and
links inside Atom/RSS feeds; it reads zip files (data packages) member by member.
Admin and static URLs are not followed. Used by the privacy crawl and the CSP checks.
"""

import io
import zipfile
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(attrs.get("action") or "")


def _feed_links(text):
    import re

    return re.findall(r'<link[^>]*href="([^"]+)"', text) + re.findall(r"<link>([^<]+)</link>", text)


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    text: str


@dataclass
class Crawl:
    pages: dict = field(default_factory=dict)

    def html_pages(self):
        return [p for p in self.pages.values() if p.content_type.startswith("text/html")]


def reverse_or_none(name, *args, query=""):
    """A URL by name, or None while the page that owns it does not exist yet."""
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return None


def _local(base, href):
    url, _ = urldefrag(urljoin(base, href))
    site = settings.SITE_URL.rstrip("/")
    for prefix in (site, "http://testserver", "https://testserver"):
        if url.startswith(prefix + "/"):
            url = url[len(prefix) :]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/"):
        return None
    if url.startswith(("/" + settings.ADMIN_URL, "/static/")):
        return None
    return url


def _body(response):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return raw.decode("utf-8", "replace")


def crawl(client, start=("/",), limit=1500):
    """Fetch every URL reachable from `start`; return a Crawl of pages by URL."""
    result = Crawl()
    queue = deque(u for u in start if u)
    seen = set(queue)
    while queue and len(result.pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        text = _body(response)
        result.pages[url] = Page(url, response.status_code, content_type, text)
        if content_type.startswith("text/html"):
            parser = _Links()
            parser.feed(text)
            hrefs = parser.links
        elif "xml" in content_type:
            hrefs = _feed_links(text)
        else:
            hrefs = []
        for href in hrefs:
            target = _local(url, href)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
    return result
