"""A redaction removes text from the record and from its whole history, and says so."""

import pytest
from django.core.exceptions import PermissionDenied

from policies import models as m
from policies.redaction import REDACTED, redact
from tests import factories as f
from tests.admin_support import admin_url, editor, reviewer

pytestmark = pytest.mark.django_db

NAME = "Jane Example-Person"


def _action_naming_someone():
    action = f.employee_action(status="published", names_nobody=False, named_participants=NAME)
    action.description = f"Organised by {NAME}."
    action._change_reason = "Added detail"
    action.save()
    return action


def test_a_redaction_blanks_the_field_and_scrubs_every_history_row():
    action = _action_naming_someone()
    user = reviewer()
    entry = redact(action, "named_participants", user=user, reason="She asked not to be named")
    action.refresh_from_db()
    assert action.named_participants == ""
    values = list(action.history.values_list("named_participants", flat=True))
    assert NAME not in values
    assert REDACTED in values
    latest = action.history.first()
    assert latest.history_change_reason == "Redaction: She asked not to be named"
    assert latest.history_user == user
    assert entry.field_name == "named_participants" and entry.redacted_by == user
    assert NAME not in entry.reason


def test_text_elsewhere_in_history_is_untouched():
    action = _action_naming_someone()
    redact(action, "named_participants", user=reviewer(), reason="Consent withdrawn")
    assert f"Organised by {NAME}." in action.history.values_list("description", flat=True)


def test_editors_cannot_redact(client):
    action = _action_naming_someone()
    with pytest.raises(PermissionDenied):
        redact(action, "named_participants", user=editor(), reason="x")
    client.force_login(editor())
    assert client.get(admin_url(action, "redact")).status_code == 403


def test_a_reviewer_redacts_from_the_admin_and_the_log_keeps_who_and_why(client):
    action = _action_naming_someone()
    user = reviewer()
    client.force_login(user)
    page = client.get(admin_url(action, "redact"))
    assert page.status_code == 200
    response = client.post(
        admin_url(action, "redact"), {"field_name": "named_participants", "reason": "Asked not to be named"}
    )
    assert response.status_code == 302
    assert NAME not in str(list(action.history.values_list("named_participants", flat=True)))
    log = client.get(admin_url(m.Redaction, "changelist")).content.decode()
    assert "Asked not to be named" in log
    assert NAME not in log
