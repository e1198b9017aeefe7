"""robots.txt keeps crawlers off the unbounded pages; sitemap.xml lists the public pages only."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_crawlers_out_of_past_states_searches_and_downloads(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for path in ("/*?as_of=", "/*&as_of=", "/search/", "/exports/download/"):
        assert f"Disallow: {path}\n" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "admin" not in text  # the admin's address is not advertised


def test_the_sitemap_lists_public_pages_and_no_draft(client):
    public = f.company(name="Example Cloud 0042", slug="example-cloud-0042")
    draft = f.company(name="Example Draft Cloud", slug="example-draft-cloud", status="draft")
    agency = f.agency(name="Example Public Agency", slug="example-public-agency")
    hidden = f.agency(name="Example Draft Agency", slug="example-draft-agency", status="draft")
    gap = f.gap(public)
    draft_gap = f.gap(public, status="draft")
    xml = client.get("/sitemap.xml").content.decode()
    for obj in (public, agency, gap):
        assert f"<loc>http://testserver{obj.get_absolute_url()}</loc>" in xml
    for obj in (draft, hidden, draft_gap):
        assert obj.get_absolute_url() not in xml
    assert "<loc>http://testserver/gaps/</loc>" in xml


def test_the_sitemap_runs_the_same_queries_however_many_records(client, django_assert_num_queries):
    f.gap(f.company(name="Example Cloud 0001", slug="example-cloud-0001"))
    f.agency(name="Example Agency 001", slug="example-agency-001")
    client.get("/sitemap.xml")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/sitemap.xml")
    for n in range(2, 12):
        f.gap(f.company(name=f"Example Cloud {n:04d}", slug=f"example-cloud-{n:04d}"))
        f.agency(name=f"Example Agency {n:03d}", slug=f"example-agency-{n:03d}")
    with django_assert_num_queries(len(few)):
        assert client.get("/sitemap.xml").status_code == 200
