"""Who may reach the admin, and who may publish."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from policies import models as m
from policies.roles import EDITORS, REVIEWERS
from tests import factories as f
from tests.admin_support import admin_url, editor, reviewer

pytestmark = pytest.mark.django_db


def test_the_groups_exist_after_migrate_with_publish_permission_only_for_reviewers():
    editors = Group.objects.get(name=EDITORS)
    reviewers = Group.objects.get(name=REVIEWERS)
    assert editors.permissions.filter(codename="add_statement").exists()
    assert editors.permissions.filter(codename="change_statement").exists()
    assert not editors.permissions.filter(codename__startswith="publish_").exists()
    assert not editors.permissions.filter(codename="delete_statement").exists()
    assert reviewers.permissions.filter(codename="publish_statement").exists()
    assert reviewers.permissions.filter(codename="add_redaction").exists()


def test_the_admin_lives_at_the_configured_path():
    assert admin_url(m.Statement, "changelist").startswith("/" + settings.ADMIN_URL)


def test_anonymous_users_get_the_login_page(client):
    response = client.get(admin_url(m.Statement, "changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_user_who_is_not_staff_gets_nothing(client):
    draft = f.statement(status="draft", quote="A secret draft quote.")
    user = User.objects.create_user("visitor", password="x")
    client.force_login(user)
    for url in (admin_url(m.Statement, "changelist"), admin_url(draft)):
        response = client.get(url, follow=True)
        assert b"A secret draft quote." not in response.content
        assert response.redirect_chain[0][0].startswith("/" + settings.ADMIN_URL + "login/")


def test_editors_cannot_publish(client):
    draft = f.statement(status="draft")
    client.force_login(editor())
    page = client.get(admin_url(draft))
    assert page.status_code == 200
    assert b"Publish\xe2\x80\xa6" not in page.content
    assert client.get(admin_url(draft, "publish")).status_code == 403
    response = client.post(admin_url(draft, "publish"), {"change_reason": "Looks right"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.editorial_status == "draft"


def test_editors_cannot_publish_through_the_form_or_a_bulk_action(client):
    draft = f.statement(status="draft")
    client.force_login(editor())
    changelist = client.get(admin_url(m.Statement, "changelist"))
    action_form = changelist.context["action_form"]  # None when the user has no action at all
    assert action_form is None or "publish_selected" not in repr(action_form.fields["action"].choices)
    client.post(
        admin_url(m.Statement, "changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk], "change_reason": "Go"},
    )
    draft.refresh_from_db()
    assert draft.editorial_status == "draft"
    form = client.get(admin_url(draft)).context["adminform"].form
    assert "editorial_status" not in form.fields


def test_editors_may_view_but_not_change_a_published_record(client):
    published = f.statement(status="published")
    client.force_login(editor())
    page = client.get(admin_url(published))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False


def test_reviewers_can_publish(client):
    draft = f.statement(status="draft")
    client.force_login(reviewer())
    page = client.get(admin_url(draft))
    assert b"Publish\xe2\x80\xa6" in page.content
    response = client.post(admin_url(draft, "publish"), {"change_reason": "Checked against the source"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.editorial_status == "published"
    assert draft.history.first().history_change_reason == "Checked against the source"
