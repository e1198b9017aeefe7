"""Security headers and the Content Security Policy on every kind of response."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def _policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def sample_pages():
    company = f.company()
    return ["/", company.get_absolute_url(), "/no-such-page/", reverse("admin:login")]


def test_every_sample_page_carries_the_security_headers(client, sample_pages):
    for url in sample_pages:
        response = client.get(url, secure=True)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Strict-Transport-Security"].startswith("max-age=31536000"), url


def test_the_content_security_policy_allows_only_this_site_and_nothing_inline(client, sample_pages):
    for url in sample_pages:
        policy = _policy(client.get(url))
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"], url
        for sources in policy.values():
            assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, url


def test_a_plain_http_request_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_a_request_the_proxy_marks_as_https_is_not_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200


def test_the_session_and_csrf_cookies_are_secure_and_hidden_from_scripts():
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
