"""Bad input gets a clear message on the field, and nothing is half-saved."""

import pytest

from policies import models as m
from tests import factories as f
from tests.admin_support import admin_url, editor, form_data

pytestmark = pytest.mark.django_db


def _post(client, record, **changes):
    client.force_login(editor())
    page = client.get(admin_url(record))
    return client.post(admin_url(record), form_data(page, change_reason="Fix", **changes))


def _errors(response):
    return response.context["adminform"].form.errors


def test_dates_out_of_order_are_refused_with_a_clear_message(client):
    record = f.contract(status="draft")
    response = _post(client, record, started_on="2025-05-01", ended_on="2025-01-01")
    assert _errors(response)["ended_on"] == ["The end date cannot be before the start date."]
    record.refresh_from_db()
    assert record.ended_on is None


def test_a_negative_amount_is_refused(client):
    response = _post(client, f.contract(status="draft"), amount="-5")
    assert _errors(response)["amount"] == ["An amount cannot be negative."]


def test_a_duplicate_award_identifier_is_refused(client):
    first = f.contract(status="draft", award_id="70CMSD25C0001")
    second = f.contract(agency_obj=first.agency, status="draft")
    response = _post(client, second, award_id="70CMSD25C0001")
    assert "already recorded for this agency" in _errors(response)["award_id"][0]


def test_a_direct_sale_cannot_name_an_intermediary(client):
    record = f.contract(status="draft")
    response = _post(client, record, intermediary=f.company().pk, route="direct")
    assert "A direct sale has no intermediary" in _errors(response)["intermediary"][0]


def test_a_url_that_is_not_http_and_an_archive_link_that_is_not_wayback_are_refused(client):
    source = f.source(status="draft")
    response = _post(client, source, url="ftp://example.org/report.pdf", archive_url="https://archive.ph/abc")
    errors = _errors(response)
    assert "starts with http:// or https://" in errors["url"][0]
    assert "Wayback Machine capture URL" in errors["archive_url"][0]


def test_nothing_half_saves_when_an_inline_row_is_invalid(client):
    record = f.statement(status="draft", speaker="A spokesperson", cited=False)
    client.force_login(editor())
    page = client.get(admin_url(record))
    prefix = "policies-citation-content_type-object_id-0-"
    data = form_data(page, speaker="Changed", change_reason="Both")
    data.update({prefix + "quote": "A quote without a source"})
    response = client.post(admin_url(record), data)
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.speaker == "A spokesperson"
    assert not m.Citation.objects.filter(quote="A quote without a source").exists()


def test_dates_are_iso_only_so_day_and_month_cannot_be_swapped(client):
    statement = f.statement(status="draft", made_on="2026-02-01", made_precision="day")
    response = _post(client, statement, made_on="01/02/2026")
    assert response.status_code == 200 and "made_on" in _errors(response)
    statement.refresh_from_db()
    assert str(statement.made_on) == "2026-02-01"
    client.force_login(editor())
    assert 'value="2026-02-01"' in client.get(admin_url(statement)).content.decode()
    response = _post(client, statement, made_on="2026-01-02")
    assert response.status_code == 302
    statement.refresh_from_db()
    assert str(statement.made_on) == "2026-01-02"
