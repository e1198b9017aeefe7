"""The company page shows one page of its timeline and a chart of its whole record.

The page's cost is flat in the size of the record: the timeline is a page of at most
PER_PAGE entries (page 1 the latest, oldest first within the page, links to earlier
and later events), and the chart is built from monthly aggregates and the latest words.
"""

import datetime
import re
from decimal import Decimal

import pytest

from policies.chart import MARKERS_PER_KIND
from policies.timeline import PER_PAGE
from tests import factories as f

pytestmark = pytest.mark.django_db

START = datetime.date(2020, 1, 1)
PAST = datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)


def day(i):
    return START + datetime.timedelta(days=7 * i)


@pytest.fixture
def busy():
    """A company with more statements than a page: 'Said 0' is the oldest."""
    company = f.company()
    for i in range(PER_PAGE + 10):
        f.statement(company, made_on=day(i), made_precision="day", quote=f"Said {i:03d}.")
    return company


def timeline_of(html):
    return html[html.index('id="timeline"'):html.index('id="sources-heading"')]


def said(html):
    return [int(n) for n in re.findall(r"Said (\d{3})\.", timeline_of(html))]


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_company_with_more_events_than_a_page_shows_the_latest_page_and_a_link_to_earlier_events(
    client, busy
):
    html = get(client, busy.get_absolute_url())
    assert said(html) == list(range(10, PER_PAGE + 10))
    assert "Earlier events" in html and "?page=2#timeline" in html
    assert f"Events 11–{PER_PAGE + 10} of {PER_PAGE + 10}, oldest first; 10 earlier events" in html
    assert "Later events" not in html


def test_the_earlier_page_holds_the_oldest_events_and_leads_back_to_the_later_ones(client, busy):
    html = get(client, busy.get_absolute_url(), page="2")
    assert said(html) == list(range(10))
    assert "Later events" in html and "?page=1#timeline" in html
    assert "Earlier events" not in html


def test_a_page_past_the_end_shows_the_earliest_page(client, busy):
    assert said(get(client, busy.get_absolute_url(), page="999999")) == list(range(10))


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "2'", "9" * 40, "1e3"])
def test_a_malformed_page_number_is_a_bad_request(client, busy, value):
    assert client.get(busy.get_absolute_url(), {"page": value}).status_code == 400


def test_a_small_timeline_has_no_page_links(client):
    company = f.company()
    f.statement(company, quote="Only words.")
    html = get(client, company.get_absolute_url())
    assert "Only words." in html and "Earlier events" not in html and "Page 1 of" not in html


def test_the_chart_covers_the_whole_period_while_the_timeline_shows_one_page(client):
    company = f.company()
    agency = f.agency()
    f.observation(company, agency, value=Decimal(400), observed_on=datetime.date(2019, 7, 1))
    for i in range(PER_PAGE + 5):
        f.statement(company, made_on=datetime.date(2026, 1, 1), quote=f"Said {i:03d}.")
    html = get(client, company.get_absolute_url())
    assert "400 TB" not in timeline_of(html)
    table = html[html.index('class="chart-table"'):html.index('id="gaps-heading"')]
    assert "July 2019" in table and "400 TB" in table


def test_figures_of_one_month_are_combined_into_one_point(client):
    company = f.company()
    agency = f.agency()
    for value, day_of_month in ((100, 3), (700, 17), (300, 28)):
        f.observation(company, agency, value=Decimal(value), observed_on=datetime.date(2025, 7, day_of_month),
                      observed_precision="day")
    f.observation(company, agency, metric="obligation", unit="USD", value=Decimal(5),
                  observed_on=datetime.date(2025, 7, 2), observed_precision="day")
    f.observation(company, agency, metric="obligation", unit="USD", value=Decimal(7),
                  observed_on=datetime.date(2025, 7, 9), observed_precision="day")
    html = get(client, company.get_absolute_url())
    table = html[html.index('class="chart-table"'):html.index('id="gaps-heading"')]
    assert "700 TB (highest of 3 figures)" in table
    assert "12 USD in 2 figures" in table
    assert table.count("<tr>") == 1 + 2  # header, one row per series


def test_only_the_latest_words_are_marked_and_the_others_are_counted(client):
    company = f.company()
    f.observation(company, f.agency())
    for i in range(MARKERS_PER_KIND + 3):
        f.statement(company, made_on=day(i), made_precision="day", quote=f"Said {i:03d}.")
    html = get(client, company.get_absolute_url())
    figure = html[html.index('class="chart-figure"'):html.index("</figure>")]
    assert figure.count("<li value=") == MARKERS_PER_KIND
    assert "+3 more" in figure


def test_the_sources_listed_are_those_of_what_the_page_shows(client, busy):
    shown = f.statement(busy, made_on=day(500), made_precision="day", quote="Latest words.", cited=False)
    f.cite(shown, f.source(title="SOURCE-OF-THE-LATEST"))
    hidden = f.statement(busy, made_on=datetime.date(2010, 1, 1), quote="Oldest words.", cited=False)
    f.cite(hidden, f.source(title="SOURCE-OF-THE-OLDEST"))
    html = get(client, busy.get_absolute_url())
    listed = html[html.index('id="sources-heading"'):]
    assert "SOURCE-OF-THE-LATEST" in listed
    assert "SOURCE-OF-THE-OLDEST" not in listed


def test_the_source_of_a_charted_figure_is_listed_even_when_its_record_is_on_an_earlier_page(
    client, busy
):
    figure = f.observation(busy, f.agency(), observed_on=datetime.date(2009, 1, 1), cited=False)
    f.cite(figure, f.source(title="SOURCE-OF-THE-FIGURE"))
    html = get(client, busy.get_absolute_url())
    assert "SOURCE-OF-THE-FIGURE" in html[html.index('id="sources-heading"'):]


def test_pages_as_of_a_past_date_leave_out_later_records(client):
    company = f.company()
    company.history.all().update(history_date=PAST)
    for i in range(PER_PAGE + 1):
        early = f.statement(company, made_on=day(i), made_precision="day", quote=f"Said {i:03d}.")
        early.history.all().update(history_date=PAST)
    f.statement(company, made_on=day(999), quote="Said 999.")
    html = get(client, company.get_absolute_url(), as_of="2025-03-02")
    assert said(html) == list(range(1, PER_PAGE + 1))
    assert "?as_of=2025-03-02&amp;page=2#timeline" in html
    assert said(get(client, company.get_absolute_url(), as_of="2025-03-02", page="2")) == [0]


@pytest.mark.parametrize("as_of", [False, True])
def test_each_timeline_entry_shows_its_own_citations_whatever_its_kind(client, as_of):
    """The citations of every kind come from one query; each must land on its own entry."""
    company, agency = f.company(), f.agency()
    records = {
        "statement": f.statement(company, cited=False),
        "employeeaction": f.employee_action(company, cited=False),
        "contract": f.contract(agency, vendor=company, cited=False),
        "observation": f.observation(company, agency, cited=False),
    }
    for kind, record in records.items():
        f.cite(record, f.source(publisher=f"PUBLISHER-OF-THE-{kind.upper()}"))
    params = {"as_of": datetime.date.today().isoformat()} if as_of else {}
    html = timeline_of(get(client, company.get_absolute_url(), **params))
    entries = dict(re.findall(r'<li class="entry[^"]*" id="([a-z]+)-\d+">(.*?)</li>', html, re.S))
    assert set(entries) == set(records)
    for kind, body in entries.items():
        assert re.findall(r"PUBLISHER-OF-THE-([A-Z]+)", body) == [kind.upper()], kind


def test_a_commitment_leaves_the_company_page_with_its_policy_taken_back_to_draft(client):
    """Clauses follow the same public rule as every kind: their version's policy counts too."""
    from policies import models as m

    company = f.company()
    policy = f.policy(company)
    version = f.policy_version(policy, effective_on=datetime.date(2025, 6, 1))
    commitment = f.commitment(policy, title="Example no-surveillance pledge")
    f._save(m.CommitmentClause(commitment=commitment, version=version, text="Not at all.", change="added"))
    assert "Example no-surveillance pledge" in timeline_of(get(client, company.get_absolute_url()))
    policy.editorial_status = "draft"
    f._save(policy)
    # neither in the timeline nor under "What it says"
    assert "Example no-surveillance pledge" not in get(client, company.get_absolute_url())


def test_the_timeline_reads_no_bookkeeping_timestamps():
    """Entries, their related rows and their citations are read without the timestamps the
    tracker keeps for itself (parsing them was a tenth of the timeline's time); nothing on
    the page reads them back, which the pages' pinned query counts would show."""
    from policies.timeline import BOOKKEEPING, timeline_page

    company, agency = f.company(), f.agency()
    f.statement(company)
    f.contract(agency, vendor=company)
    f.observation(company, agency)
    entries = timeline_page(company).entries
    assert {e.kind for e in entries} == {"statement", "contract", "observation"}
    for entry in entries:
        rows = [entry.record, *(c for c in entry.citations), *(c.source for c in entry.citations)]
        if entry.kind in ("contract", "observation"):
            rows.append(entry.record.agency)
        assert entry.citations, entry.kind
        for row in rows:
            deferred = row.get_deferred_fields()
            present = {f.name for f in type(row)._meta.concrete_fields} & set(BOOKKEEPING)
            assert present and present <= deferred, (entry.kind, type(row).__name__, deferred)
