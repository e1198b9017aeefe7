"""Every public page runs a fixed number of queries, whatever the amount of data.

Each test renders the page once to warm the content-type cache, then counts the
queries for a company with one item of each timeline kind and with 240 items
(40 of each of six kinds; more than the one page of the timeline that is shown): the count is the same.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tests.site_data import company_with_record

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    client.get(url)  # warm caches (content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def page_urls(data):
    return {
        "company": data["company"].get_absolute_url(),
        "agency": data["agency"].get_absolute_url(),
        "policy": data["policy"].get_absolute_url(),
        "gap": data["gap"].get_absolute_url(),
        "topic": data["topic"].get_absolute_url(),
        "company history": reverse("policies:history", args=["company", data["company"].pk]),
        "company feed": reverse("policies:feed-company", args=[data["company"].slug]),
    }


@pytest.fixture
def small():
    return company_with_record(n=1)


@pytest.fixture
def large():
    data = company_with_record(n=40)
    # The newest contract is resold too, so the page shown (the latest events) has a contract
    # with an intermediary, like the small company's: a prefetch with no key runs no query.
    reseller = f.company(name="Example Reseller Latest")
    f.contract(data["agency"], vendor=data["company"], intermediary=reseller, route="reseller",
               title="Resold storage contract", amount=Decimal(5000), started_on=datetime.date(2026, 1, 1))
    return data


# The company page, as pinned below (comments name the queries):
#   company (1), aliases (1), corporate family with both companies (1),
#   products (1) + capabilities (1),
#   commitments (1) + clauses joined with their versions, policies and companies (1),
#   gaps with their commitment (1) + the company's public replies (1) + supporting signals (1),
#             fetched by the company, so the same with no gap at all (listings.company_gaps),
#   timeline (one page of at most 50 entries, policies/timeline.py):
#             counts of each kind (1, a UNION of six COUNTs);
#             the page's (kind, id, date) keys (1, a UNION with ORDER BY and LIMIT/OFFSET);
#             the page's records by id, each kind joined with its related rows: policy versions (1),
#             changed clauses (1), statements (1), employee actions (1), contracts (1), observations (1);
#             the citations of all of them, with their sources (1)
#   chart (policies/chart.py): observations per month (1), contract amounts per month (1),
#             citations of the single-record points (1), latest policy versions (1), latest statements (1)
# A kind absent from the page runs none of its queries, so this is also the most any page runs.
# As of a date, related rows come from prefetches instead of joins (historical rows keep none).
COMPANY_PAGE_QUERIES = 24


def test_the_company_page_runs_the_same_queries_for_1_and_200_timeline_items(
    client, small, large, django_assert_num_queries
):
    client.get(small["company"].get_absolute_url())
    with django_assert_num_queries(COMPANY_PAGE_QUERIES):
        client.get(small["company"].get_absolute_url())
    with django_assert_num_queries(COMPANY_PAGE_QUERIES):
        client.get(large["company"].get_absolute_url())


def test_every_page_runs_a_fixed_number_of_queries(client, small, large):
    small_urls, large_urls = page_urls(small), page_urls(large)
    for name in small_urls:
        assert queries_for(client, small_urls[name]) == queries_for(client, large_urls[name]), name


@pytest.mark.parametrize(
    "name", ["home", "companies", "agencies", "gaps", "changes", "feed-changes", "feed-gaps"]
)
def test_site_wide_pages_run_a_fixed_number_of_queries(client, name):
    company_with_record(n=1)
    before = queries_for(client, reverse(f"policies:{name}"))
    company_with_record(n=5)
    assert queries_for(client, reverse(f"policies:{name}")) == before



def test_the_company_page_runs_the_same_queries_with_and_without_gaps(client, small):
    """Gaps, their replies and signals are fetched by the company: none found is no cheaper."""
    from policies.models import Gap

    url = small["company"].get_absolute_url()
    as_of = url + "?as_of=" + datetime.date.today().isoformat()
    assert small["gap"].title in client.get(url).content.decode()
    assert small["gap"].title in client.get(as_of).content.decode()
    now, then = queries_for(client, url), queries_for(client, as_of)
    Gap.objects.filter(company=small["company"]).delete()
    assert small["gap"].title not in client.get(url).content.decode()
    assert queries_for(client, url) == now
    assert queries_for(client, as_of) == then
