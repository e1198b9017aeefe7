"""The public pages' Jinja2 environment prints what Django's template language printed."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.test import override_settings
from django.utils.safestring import mark_safe

from policies.lib.event_dates import EventDate, Precision

JINJA2 = Path(__file__).resolve().parent.parent / "policies" / "jinja2"


def jinja(source, **context):
    return engines["jinja2"].from_string(source).render(context)


def django(source, **context):
    return engines["django"].from_string(source).render(context)


def test_every_public_template_compiles():
    names = sorted(str(p.relative_to(JINJA2)) for p in JINJA2.rglob("*.html"))
    assert "policies/company.html" in names and "policies/macros.html" in names
    for name in names:
        engines["jinja2"].get_template(name)  # raises TemplateSyntaxError


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2025, 7, 14),
        datetime.datetime(2025, 7, 14, 23, 30, tzinfo=datetime.UTC),
        Decimal("1400.50"),
        1400,
        None,
        True,
        EventDate(datetime.date(2025, 7, 1), Precision.MONTH),
        "Palantir's “ELITE” <b>",
    ],
)
def test_a_value_prints_as_in_django_templates(value):
    assert jinja("{{ v }}", v=value) == django("{{ v }}", v=value).replace("&#x27;", "&#39;")


@override_settings(TIME_ZONE="America/New_York")
def test_an_aware_datetime_prints_in_the_sites_time_zone():
    moment = datetime.datetime(2025, 7, 15, 2, 0, tzinfo=datetime.UTC)
    assert jinja("{{ v }}", v=moment) == django("{{ v }}", v=moment)
    assert jinja("{{ v|date('j F Y, H:i') }}", v=moment) == django("{{ v|date:'j F Y, H:i' }}", v=moment)
    assert jinja("{{ v|date('j F Y, H:i') }}", v=moment) == "14 July 2025, 22:00"
    assert jinja("{{ v }}", v=moment) == "14 Jul 2025, 10 p.m."  # 02:00 UTC is 22:00 the day before


def test_output_is_escaped_unless_marked_safe():
    assert jinja("{{ v }}", v="<script>") == "&lt;script&gt;"
    assert jinja("{{ v }}", v=mark_safe("<svg></svg>")) == "<svg></svg>"
    assert jinja("{{ v|linebreaks }}", v="a <b>\n\nc") == "<p>a &lt;b&gt;</p>\n\n<p>c</p>"


def test_filters_keep_djangos_behaviour():
    assert jinja("{{ n }} item{{ n|pluralize }}", n=1) == "1 item"
    assert jinja("{{ n }} {{ n|pluralize('is,are') }}", n=2) == "2 are"
    assert jinja("{{ d|date('j F Y') }}", d=datetime.date(2025, 7, 4)) == "4 July 2025"
    assert jinja("{{ t|truncatewords(3) }}", t="one two three four") == "one two three …"
    assert jinja("{{ a|money('USD') }}", a=Decimal("1234567.5")) == "USD 1,234,568"
    assert jinja("{{ a|money('USD') }}", a=None) == "amount not reported"
    assert jinja("{{ q|quantity }}", q=Decimal("1400.50")) == "1,400.50"
    assert jinja("{{ q|quantity }}", q=Decimal("1400.00")) == "1,400"


def test_urls():
    assert jinja("{{ url('policies:record', 'company', 7) }}") == "/records/company/7/"
    assert jinja("[{{ url_or_empty('policies:no-such-page') }}]") == "[]"
    assert jinja("{{ url_or_empty('policies:home') }}") == "/"


def test_query_with_replaces_one_parameter(rf):
    request = rf.get("/companies/?q=cloud&page=2")
    assert jinja("{{ query_with(request, page=3) }}", request=request) == "?q=cloud&amp;page=3"


@override_settings(SITE_NAME="Example Tracker")
def test_the_site_name_follows_the_setting():
    assert jinja("{{ site_name() }}") == "Example Tracker"
