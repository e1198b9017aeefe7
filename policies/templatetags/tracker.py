"""Template helpers for the public site."""

from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_name():
    return settings.SITE_NAME


@register.filter
def money(amount, currency="USD"):
    """1234567.5, "USD" -> "USD 1,234,568"."""
    if amount in (None, ""):
        return "amount not reported"
    return f"{currency} {Decimal(amount):,.0f}"


@register.filter
def quantity(value):
    """A Decimal with thousands separators and no needless decimals."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()
