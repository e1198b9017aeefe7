"""'How we identify gaps': the method page, generated from the rules' docstrings and settings."""

import inspect

from django.conf import settings
from django.shortcuts import render

from ..gaps.rules import RULES

SETTINGS = [
    ("GAP_GROWTH_THRESHOLD", "Growth factor: a measure must grow to more than this many times its level"),
    ("GAP_WEAKENED_WINDOW_DAYS", "Days after a contract begins in which weakening a commitment is flagged"),
    ("GAP_EMPLOYEE_RESPONSE_DAYS", "Days employees' concerns may go without a recorded company response"),
]


def setting_values():
    return {name: getattr(settings, name) for name, _ in SETTINGS}


def describe(fn, values):
    """The rule's docstring as paragraphs, with setting names replaced by their values."""
    text = inspect.getdoc(fn) or ""
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    return [p.format_map(_Display(values)) for p in paragraphs]


class _Display(dict):
    def __missing__(self, key):
        return "{" + key + "}"

    def __getitem__(self, key):
        value = dict.__getitem__(self, key) if key in self else self.__missing__(key)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


def page(request):
    values = setting_values()
    rules = [
        {"name": fn.__name__, "title": fn.title, "paragraphs": describe(fn, values)} for fn in RULES
    ]
    settings_rows = [{"name": n, "label": label, "value": values[n]} for n, label in SETTINGS]
    return render(request, "policies/method.html", {"rules": rules, "settings_rows": settings_rows})
