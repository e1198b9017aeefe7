"""Clear messages for the rules the database enforces as named constraints.

The constraints stay the last word; these checks run first in the admin form so staff
read "The end date cannot be before the start date" instead of "Constraint ... is
violated". A field that gets an error here is excluded from the model's constraint
validation, so each problem is reported once.
"""

import re

from django.core.exceptions import ValidationError

from ..models.sources import validate_http_url

DATE_PAIRS = [
    ("started_on", "ended_on", "The end date cannot be before the start date."),
    ("valid_from", "valid_to", "“Valid to” cannot be before “valid from”."),
    ("asked_on", "deadline_on", "The deadline cannot be before the date the company was asked."),
    ("asked_on", "answered_on", "The answer cannot be dated before the question."),
    ("first_date", "last_date", "The last date cannot be before the first date."),
]
NOT_NEGATIVE = ["amount", "potential_amount"]
HTTP_URL_FIELDS = ["url", "website"]


def friendly_errors(form):
    for check in (_date_order, _not_negative, _http_urls, _currency, _observation_value, _award_ids,
                  _route):
        check(form, form.cleaned_data)


def _date_order(form, data):
    for start, end, message in DATE_PAIRS:
        if data.get(start) and data.get(end) and data[end] < data[start]:
            form.add_error(end, message)


def _not_negative(form, data):
    for name in NOT_NEGATIVE:
        if data.get(name) is not None and data[name] < 0:
            form.add_error(name, "An amount cannot be negative.")


def _http_urls(form, data):
    for name in HTTP_URL_FIELDS:
        if data.get(name):
            try:
                validate_http_url(data[name])
            except ValidationError as error:
                form.add_error(name, error)


def _currency(form, data):
    if "currency" in data and data["currency"] and not re.fullmatch(r"[A-Z]{3}", data["currency"]):
        form.add_error("currency", "Use a three-letter ISO 4217 code in capitals, e.g. USD or EUR.")


def _observation_value(form, data):
    if data.get("metric") and data.get("value") is not None:
        if data["metric"] != "obligation" and data["value"] < 0:
            form.add_error("value", "Only an obligation (a transaction) can be negative.")


def _award_ids(form, data):
    model = type(form.instance)
    if model.__name__ != "Contract":
        return
    others = model._default_manager.exclude(pk=form.instance.pk)
    if data.get("award_id") and data.get("agency"):
        clash = others.filter(agency=data["agency"], award_id=data["award_id"]).first()
        if clash:
            form.add_error(
                "award_id",
                f"Award identifier {data['award_id']} is already recorded for this agency: “{clash}”.",
            )
    if data.get("award_key"):
        clash = others.filter(award_key=data["award_key"]).first()
        if clash:
            form.add_error("award_key", f"This award key is already recorded: “{clash}”.")


def _route(form, data):
    if "route" not in data or "intermediary" not in data:
        return
    if data["route"] == "direct" and data.get("intermediary"):
        form.add_error("intermediary", "A direct sale has no intermediary: clear it or change the route.")
    elif data["route"] and data["route"] != "direct" and not data.get("intermediary"):
        form.add_error("intermediary", "Name the reseller or prime contractor for this route.")
    elif data.get("intermediary") and data.get("intermediary") == data.get("vendor"):
        form.add_error("intermediary", "The intermediary cannot be the vendor itself.")
