"""?as_of=YYYY-MM-DD shows a page as the tracker recorded it that day (record time)."""

import datetime

import pytest
from django.utils import timezone

from policies.asof import parse_as_of
from tests import factories as f

pytestmark = pytest.mark.django_db

PAST = datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)


def backdate(record, when):
    record.history.all().update(history_date=when)


def edit(record, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record._change_reason = "A later edit"
    record.save()


def test_the_company_page_shows_the_earlier_state_after_an_edit(client):
    company = f.company(summary="The summary as first published.")
    backdate(company, PAST)
    edit(company, summary="The summary as edited today.")
    url = company.get_absolute_url()
    then = client.get(url, {"as_of": "2025-03-02"}).content.decode()
    now = client.get(url).content.decode()
    assert "The summary as first published." in then and "as edited today" not in then
    assert "You are looking at the past" in then
    assert "The summary as edited today." in now


def test_the_timeline_as_of_a_date_leaves_out_later_records(client):
    company = f.company()
    backdate(company, PAST)
    old = f.statement(company, quote="Said early.")
    backdate(old, PAST)
    f.statement(company, quote="Said after the date.")
    html = client.get(company.get_absolute_url(), {"as_of": "2025-03-02"}).content.decode()
    assert "Said early." in html and "Said after the date." not in html


def test_the_policy_and_gap_pages_show_the_earlier_state(client):
    gap = f.gap(narrative="First narrative.")
    pol = gap.commitment.policy
    for record in (gap, gap.company, gap.commitment, pol):
        backdate(record, PAST)
    version = f.policy_version(pol, text="Old policy text.")
    backdate(version, PAST)
    edit(version, text="New policy text.")
    edit(gap, narrative="Second narrative.")
    assert "Old policy text." in client.get(pol.get_absolute_url(), {"as_of": "2025-03-02"}).content.decode()
    html = client.get(gap.get_absolute_url(), {"as_of": "2025-03-02"}).content.decode()
    assert "First narrative." in html and "Second narrative." not in html


def test_a_record_not_yet_published_that_day_is_a_404(client):
    company = f.company()
    assert client.get(company.get_absolute_url(), {"as_of": "2020-01-01"}).status_code == 404


def test_a_draft_then_is_not_shown_as_of_then(client):
    company = f.company(status="draft", summary="Draft wording.")
    backdate(company, PAST)
    edit(company, editorial_status="published")
    assert client.get(company.get_absolute_url(), {"as_of": "2025-03-02"}).status_code == 404


BAD_DATES = ["yesterday", "2025-13-01", "2025-02-30", "20250101", "2999-01-01", "1-1-1"]


@pytest.mark.parametrize("value", BAD_DATES)
def test_a_malformed_or_future_date_is_a_400(client, value):
    company = f.company()
    for url in (company.get_absolute_url(),):
        assert client.get(url, {"as_of": value}).status_code == 400


def test_today_is_a_valid_as_of_date():
    today = timezone.now().date()
    assert parse_as_of(today.isoformat()).date() == today
