import datetime

import pytest

from policies.lib.event_dates import EventDate, parse_event_date, truncate


def test_a_month_is_shown_as_a_month_never_as_a_day():
    assert str(EventDate(datetime.date(2025, 7, 1), "month")) == "July 2025"


def test_a_year_is_shown_as_a_year():
    assert str(EventDate(datetime.date(2018, 1, 1), "year")) == "2018"


def test_a_day_is_shown_in_full():
    assert str(EventDate(datetime.date(2026, 2, 17), "day")) == "17 February 2026"


def test_iso_form_keeps_the_precision():
    assert EventDate(datetime.date(2025, 7, 1), "month").iso() == "2025-07"
    assert EventDate(datetime.date(2018, 1, 1), "year").iso() == "2018"


def test_parse_reads_year_month_and_day():
    assert parse_event_date("2018") == EventDate(datetime.date(2018, 1, 1), "year")
    assert parse_event_date("2025-07") == EventDate(datetime.date(2025, 7, 1), "month")
    assert parse_event_date("2026-02-17") == EventDate(datetime.date(2026, 2, 17), "day")


@pytest.mark.parametrize("text", ["", "July 2025", "2025-13", "2025-02-30", "25-07-01"])
def test_parse_rejects_anything_else(text):
    with pytest.raises(ValueError):
        parse_event_date(text)


def test_the_end_of_a_month_or_year_is_its_last_day():
    assert EventDate(datetime.date(2024, 2, 1), "month").end == datetime.date(2024, 2, 29)
    assert EventDate(datetime.date(2018, 1, 1), "year").end == datetime.date(2018, 12, 31)


def test_sorting_uses_the_date():
    dates = [EventDate(datetime.date(2026, 1, 1), "month"), EventDate(datetime.date(2018, 1, 1), "year")]
    assert sorted(dates)[0].date.year == 2018


def test_truncate_drops_what_is_not_known():
    assert truncate(datetime.date(2025, 7, 14), "month") == datetime.date(2025, 7, 1)
