"""Bad input everywhere public: random and hostile query parameters never cause a 500 or a write.

The URLs are found by crawling the seeded site (so new pages are fuzzed as soon as
they are linked), then driven with the parameters public pages read (as_of, page,
filters, search text) and with random ones: quotes, SQL and search operators,
10,000 characters, NUL bytes, broken percent-escapes and invalid UTF-8.
"""

from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.backup import row_counts
from tests import factories as f
from tests.crawl import crawl

pytestmark = pytest.mark.django_db

KNOWN_PARAMS = [
    "as_of", "page", "q", "topic", "agency", "company", "open_gaps", "from", "to",
    "format", "table", "history", "kind", "status", "sort",
]
NASTY = [
    "", " ", "0", "-1", "99999999999999999999", "1e309", "NaN", "2025-02-30", "0000-00-00",
    "9999-12-31", "2025-13-01", "'", '"', "' OR '1'='1", "\") OR 1=1 --", "a & b | !c <-> d",
    "%", "_", "\\", "*", "NULL", "<script>alert(1)</script>", "x" * 10_000, "nul\x00byte",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "😀" * 50,
]
# Escapes that decode to invalid UTF-8 or are not escapes at all.
RAW_ESCAPES = ["%ff", "%fe%ff", "%c3%28", "%ed%a0%80", "%00", "%", "%zz", "%e2%82"]


@pytest.fixture
def site():
    try:
        from policies.seed import load_seed
    except ImportError:
        company = f.company()
        f.gap(company)
        f.statement(company)
    else:
        load_seed()
    pages = crawl(Client(), limit=150).html_pages()
    paths = sorted({urlsplit(p.url).path for p in pages if p.status == 200})
    return _one_per_route(paths)


def _one_per_route(paths):
    """Pages of one kind share a view: fuzzing one of each keeps this fast."""
    by_route = {}
    for path in paths:
        match = resolve(path)
        key = (match.route, match.kwargs.get("kind"))
        by_route.setdefault(key, [])
        if not by_route[key]:
            by_route[key].append(path)
    assert len(by_route) > 5, "the crawl should reach several kinds of page"
    return [path for group in by_route.values() for path in group]


def _get(client, path, query):
    response = client.get(f"{path}?{query}")
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _encoded(params):
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)


def test_every_public_page_survives_hostile_values_of_every_parameter(site):
    """One parameter at a time (a bad as_of must not hide a crash in the search), values rotated."""
    client = Client(raise_request_exception=False)
    before = row_counts()
    for i, path in enumerate(site):
        for j, name in enumerate(KNOWN_PARAMS):
            for k in range(2):
                value = NASTY[(i * 7 + j * 3 + k) % len(NASTY)]
                response = _get(client, path, _encoded([(name, value)]))
                assert response.status_code < 500, (path, name, value[:40])
            raw = RAW_ESCAPES[(i + j) % len(RAW_ESCAPES)]
            assert _get(client, path, f"{name}={raw}").status_code < 500, (path, name, raw)
        for value in ("x" * 10_000, "nul\x00byte", "' OR '1'='1"):
            assert _get(client, path, _encoded([("q", value)])).status_code < 500, (path, value[:20])
    assert row_counts() == before


def test_broken_escapes_in_the_path_are_not_found_not_a_crash(site):
    client = Client(raise_request_exception=False)
    for raw in RAW_ESCAPES:
        for path in ("/companies/", "/records/statement/", "/search/"):
            assert client.get(f"{path}{raw}/").status_code < 500, (path, raw)


parameter_values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=10_000),
    st.integers().map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"\A[0-9-]{0,12}\Z"),
)
parameters = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN_PARAMS), st.text(min_size=1, max_size=20)), parameter_values),
    max_size=6,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_parameters_on_random_public_pages_never_cause_a_500_or_a_write(site, data):
    path = data.draw(st.sampled_from(site), label="path")
    params = data.draw(parameters, label="params")
    tail = data.draw(st.sampled_from(["", *RAW_ESCAPES]), label="raw escape")
    query = _encoded(params) + (f"&q={tail}" if tail else "")
    before = row_counts()
    response = _get(Client(raise_request_exception=False), path, query)
    assert response.status_code < 500
    assert row_counts() == before
