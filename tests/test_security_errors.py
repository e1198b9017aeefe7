"""Error pages (400, 403, 404, 500) are friendly, carry the security headers, and leak nothing."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_faults")]

LEAKS = ("Traceback", "secret", "staff@example.org", "10.9.8.7", "settings", "DEBUG", "Django", "policies.")


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def _assert_friendly(response, status, heading):
    body = response.content.decode()
    assert response.status_code == status
    assert heading in body
    assert 'href="/"' in body, "every error page offers a way home"
    for leak in LEAKS:
        assert leak not in body, leak
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_missing_page_is_a_friendly_404_that_does_not_echo_the_address(visitor):
    response = visitor.get("/companies/no-such-company-<script>alert(1)</script>/")
    _assert_friendly(response, 404, "We could not find that page")
    assert "no-such-company" not in response.content.decode()


def test_a_crash_is_a_friendly_500_without_the_traceback(visitor):
    _assert_friendly(visitor.get("/fail/crash/"), 500, "Something went wrong on our side")


def test_a_bad_request_is_a_friendly_400(visitor):
    _assert_friendly(visitor.get("/fail/suspicious/"), 400, "We could not understand that request")


def test_an_unknown_host_is_refused_with_the_friendly_400(visitor):
    _assert_friendly(visitor.get("/", HTTP_HOST="evil.example"), 400, "We could not understand that request")


def test_a_forbidden_action_is_a_friendly_403(visitor):
    _assert_friendly(visitor.get("/fail/forbidden/"), 403, "You are not allowed to do that")


def test_a_form_posted_without_its_csrf_token_is_a_friendly_403():
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post("/admin/login/", {"username": "x", "password": "y"})
    _assert_friendly(response, 403, "That form has expired")


def test_the_500_page_renders_without_a_database_or_a_request():
    from django.template import loader

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.backends.utils.CursorWrapper.execute", _no_queries)
        html = loader.get_template("500.html").render()
        html += loader.get_template("503.html").render()
    assert "Something went wrong on our side" in html and "briefly unavailable" in html


def _no_queries(*args, **kwargs):
    raise AssertionError("an error page queried the database")
