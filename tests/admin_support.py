"""Helpers for the admin tests: staff users in the editorial groups, and form data from a page."""

import datetime

from django.contrib.auth.models import Group, User
from django.forms import MultiWidget
from django.urls import reverse

from policies.roles import EDITORS, REVIEWERS

PASSWORD = "correct horse battery staple"


def staff_user(username, *groups, superuser=False):
    """A staff user in `groups` (the same user again when called twice with one name)."""
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True, is_superuser=superuser)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def editor(username="editor"):
    return staff_user(username, EDITORS)


def reviewer(username="reviewer"):
    return staff_user(username, REVIEWERS)


def admin_url(obj_or_model, view="change", *args):
    opts = obj_or_model._meta
    if view in ("changelist", "add"):
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj_or_model.pk, *args])


def form_data(response, **changes):
    """The POST data a browser would send for the admin form on `response`, then `changes`."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _add_form(data, form):
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{i}"] = _text(part)
        elif isinstance(value, bool):
            data[key] = "on" if value else None
        elif isinstance(value, (list, tuple)):
            data[key] = [_text(v) for v in value]
        else:
            data[key] = _text(value)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def confirmation_data(response):
    """The hidden fields of a confirmation page's form (publish selected), as a browser sends them."""
    import re

    html = response.content.decode()
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html):
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 and k != "_selected_action" else v for k, v in data.items()}


def bulk_publish(client, model, selected, reason):
    """The reviewer's two steps: "Publish selected" with a reason, then the confirmation page's button."""
    url = admin_url(model, "changelist")
    action = {"action": "publish_selected", "_selected_action": selected, "change_reason": reason}
    page = client.post(url, action)
    assert page.status_code == 200 and b"publish-records" in page.content, page.content[:500]
    return client.post(url, confirmation_data(page), follow=True)
