"""Staff login: locked out after repeated failures (django-axes, stored in the database)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def lockout_on(settings):
    settings.AXES_ENABLED = True  # tests/conftest.py switches it off for everyone else
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def staff():
    return User.objects.create_user("staff-member", "staff@example.org", PASSWORD, is_staff=True)


def _login(client, password, username="staff-member", ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def test_a_correct_password_signs_staff_in(client, staff):
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_are_locked_out_after_repeated_failures_even_with_the_right_password(client, staff):
    for _ in range(2):
        assert _login(client, "wrong").status_code == 200  # the form again, with an error
    assert _login(client, "wrong").status_code == 429  # the third failure locks
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="staff-member", failures_since_start__gte=3).exists()


def test_the_lockout_page_says_nothing_about_the_account(client, staff):
    for _ in range(3):
        _login(client, "wrong")
    body = _login(client, PASSWORD).content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "staff-member" not in body and "staff@example.org" not in body and "203.0.113.7" not in body


def test_guessing_many_usernames_from_one_address_is_locked_out(client, staff):
    for n in range(3):
        _login(client, "wrong", username=f"guess-{n}")
    assert _login(client, PASSWORD).status_code == 429


def test_a_username_under_attack_from_many_addresses_is_locked_out(client, staff):
    for n in range(3):
        _login(client, "wrong", ip=f"198.51.100.{n}")
    assert _login(client, PASSWORD, ip="192.0.2.1").status_code == 429


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw_not_one_the_client_claims(client, staff):
    for n in range(3):
        client.post(
            reverse("admin:login"),
            {"username": f"guess-{n}", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9",  # spoofed first hop, real last hop
        )
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").count() == 3
    assert not AccessAttempt.objects.filter(ip_address__startswith="10.0.0.").exists()


def test_staff_passwords_must_be_long_and_uncommon():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password(PASSWORD)
