"""The Jinja2 environment of the public pages (`policies/jinja2/`).

The public pages are rendered by Jinja2, the admin and the error pages by Django's
template language. Jinja2 compiles a template to Python once per process; Django's
language walks its nodes and resolves every variable through its lookup rules on each
render. On the median company page of the N=1000 world (50 timeline entries, its chart,
commitments and sources) that was most of the page's Python time (docs/performance.md).

Output is what Django's language produced, so the two can be compared byte for byte
(less whitespace): every `{{ value }}` goes through the same localisation (`finalize`
below: dates in the site's format, times in its zone), autoescaping is on, and the
filters keep Django's names and behaviour (they are Django's own functions). What differs
in writing templates: methods are called with `()`, filters take arguments in brackets,
`{% url %}` is `url(...)`, and the shared pieces are macros in `policies/macros.html`.
"""

from decimal import Decimal

from django.conf import settings
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from jinja2 import Environment


def url(name, *args):
    """`{% url name arg ... %}`."""
    return reverse(name, args=args)


def url_or_empty(name, *args):
    """`{% url name as variable %}`: the empty string where the URL is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def site_name():
    return settings.SITE_NAME


def query_with(request, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


def money(amount, currency="USD"):
    """1234567.5, "USD" -> "USD 1,234,568"."""
    if amount in (None, ""):
        return "amount not reported"
    return f"{currency} {Decimal(amount):,.0f}"


def quantity(value):
    """A Decimal with thousands separators and no needless decimals."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"


def finalize(value):
    """What Django's language does to every value it prints: aware datetimes in the
    current time zone, then dates and numbers in the site's format. Most values are text,
    which both leave as it is: it returns at once (~900 values on a company page)."""
    if isinstance(value, str):
        return value
    return localize(template_localtime(value))


def date(value, arg=None):
    """Django's `date` filter, given the value in the site's time zone as Django's language
    gives it (the filter is registered `expects_localtime`)."""
    return defaultfilters.date(template_localtime(value), arg)


FILTERS = {
    "date": date,
    "linebreaks": lambda value: defaultfilters.linebreaks_filter(value, autoescape=True),
    "linebreaksbr": lambda value: defaultfilters.linebreaksbr(value, autoescape=True),
    "money": money,
    "pluralize": defaultfilters.pluralize,
    "quantity": quantity,
    "stringformat": defaultfilters.stringformat,
    "truncatechars": defaultfilters.truncatechars,
    "truncatewords": defaultfilters.truncatewords,
}


def environment(**options):
    env = Environment(finalize=finalize, **options)
    env.filters.update(FILTERS)
    env.globals.update(
        url=url, url_or_empty=url_or_empty, static=static, query_with=query_with, site_name=site_name,
    )
    return env
