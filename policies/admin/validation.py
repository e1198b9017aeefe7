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
                  _route, _retraction_note, _own_parent, _alias_key):
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
    # The database's rule: a direct sale or an unreported route has no intermediary; a sale
    # through a reseller or a prime contractor names it.
    if data["route"] == "direct" and data.get("intermediary"):
        form.add_error("intermediary", "A direct sale has no intermediary: clear it or change the route.")
    elif data["route"] == "unknown" and data.get("intermediary"):
        form.add_error(
            "intermediary",
            "The route is “not reported”: choose “reseller” or “prime contractor” to name an intermediary.",
        )
    elif data["route"] in ("reseller", "prime") and not data.get("intermediary"):
        form.add_error("intermediary", "Name the reseller or prime contractor for this route.")
    elif data.get("intermediary") and data.get("intermediary") == data.get("vendor"):
        form.add_error("intermediary", "The intermediary cannot be the vendor itself.")


def _retraction_note(form, data):
    # The status is read-only in the form, so the model's "retraction has a note" check is
    # skipped there and only the database would refuse an emptied note (an error page).
    if "correction_note" not in data or getattr(form.instance, "editorial_status", None) != "retracted":
        return
    if not (data["correction_note"] or "").strip():
        form.add_error(
            "correction_note",
            "A retracted record is shown publicly with its correction note: correct the note, "
            "but do not empty it (un-publish the record to withdraw the correction).",
        )


def _own_parent(form, data):
    """No record is its own parent, directly or through its parent's parents (a cycle)."""
    parent = data.get("parent")
    if parent is None or form.instance.pk is None or type(parent) is not type(form.instance):
        return
    name = form.instance._meta.verbose_name
    if parent.pk == form.instance.pk:
        form.add_error("parent", f"A {name} cannot be its own parent.")
        return
    seen, ancestor = {parent.pk}, parent.parent
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == form.instance.pk:
            form.add_error("parent", f"{parent} is already under this {name}: it cannot also be its parent.")
            return
        seen.add(ancestor.pk)
        ancestor = ancestor.parent


def _alias_key(form, data):
    # The unique rule is on the alias's derived `key` (not a form field), so only these checks
    # stop the database from refusing the save.
    model = type(form.instance)
    if model.__name__ != "CompanyAlias" or not data.get("scheme") or not data.get("value"):
        return
    key = model.make_key(data["scheme"], data["value"])
    if not key:
        form.add_error("value", "This has no letters or digits to match on: write the name or identifier.")
        return
    clash = (
        model._default_manager.exclude(pk=form.instance.pk)
        .filter(scheme=data["scheme"], key=key)
        .select_related("company")
        .first()
    )
    if clash:
        form.add_error(
            "value",
            f"“{clash.value}” of {clash.company} is already recorded under this scheme, and matches "
            "this value: edit that alias instead.",
        )
