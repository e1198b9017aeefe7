"""The database going away: a 503 retry page with Retry-After, and recovery when it is back."""

import io
import socket
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client

from tests import factories as f

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a PostgreSQL server to point at a closed port"
)


def _assert_retry_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "briefly unavailable" in body
    assert "10.9.8.7" not in body and "Traceback" not in body and "connection" not in body


@pytest.mark.django_db
@pytest.mark.urls("tests.urls_faults")
@pytest.mark.parametrize("url", ["/fail/database-away/", "/fail/connection-lost/"])
def test_a_view_that_loses_the_database_answers_503_with_a_retry_page(url):
    _assert_retry_page(Client(raise_request_exception=False).get(url))


@pytest.mark.django_db
def test_a_database_error_raised_outside_a_view_also_answers_503(monkeypatch):
    """The session middleware reads the database before any view runs."""
    from django.contrib.sessions.backends.db import SessionStore

    def database_away(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", database_away)
    visitor = Client(raise_request_exception=False)
    visitor.cookies["sessionid"] = "x" * 32
    _assert_retry_page(visitor.get("/admin/"))


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def _wsgi_get(path):
    """One request through Django's real WSGI handler, with the connection upkeep a server does."""
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "testserver"
    status = {}

    def start_response(line, headers):
        status["code"] = int(line.split()[0])
        status["headers"] = dict(headers)

    response = WSGIHandler()(environ, start_response)
    body = b"".join(response)
    response.close()  # request_finished: closes broken or expired connections
    return status["code"], status["headers"], body.decode()


# transactional_db: these tests close and reopen the real connection, which the
# rolled-back transaction of the `db` fixture would not survive.
@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_site_answers_503_while_the_database_is_unreachable_and_recovers_after(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    company = f.company(name="Example Cloud Recovery")
    real_port = connection.settings_dict["PORT"]
    try:
        connection.close()
        connection.settings_dict["PORT"] = _closed_port()
        code, headers, body = _wsgi_get(company.get_absolute_url())
        assert code == 503 and headers["Retry-After"] == "30"
        assert "briefly unavailable" in body and "Example Cloud Recovery" not in body
    finally:
        connection.settings_dict["PORT"] = real_port
    code, _, body = _wsgi_get(company.get_absolute_url())
    assert code == 200 and "Example Cloud Recovery" in body


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_database_restart_between_requests_is_invisible_to_readers(settings):
    """The server-side connection dies (as on a restart); the health check reconnects."""
    import psycopg

    settings.ALLOWED_HOSTS = ["testserver"]
    company = f.company(name="Example Cloud Restart")
    assert _wsgi_get(company.get_absolute_url())[0] == 200
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    code, _, body = _wsgi_get(company.get_absolute_url())
    assert code == 200 and "Example Cloud Restart" in body
    connection.ensure_connection()
    assert connection.connection.info.backend_pid != backend_pid, "a new connection was opened"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_pages_that_read_nothing_from_the_database_answer_while_it_is_away(settings):
    """robots.txt, the method page and the list of releases never query the database, and
    answered while it was away; preparing statements opened a connection before every
    public view, so they answered 503 too (and a crawler reads a 503 robots.txt as 'keep out')."""
    settings.ALLOWED_HOSTS = ["testserver"]
    real_port = connection.settings_dict["PORT"]
    try:
        connection.close()
        connection.settings_dict["PORT"] = _closed_port()
        answers = {path: _wsgi_get(path)[0] for path in ("/robots.txt", "/method/", "/exports/")}
        assert answers == {"/robots.txt": 200, "/method/": 200, "/exports/": 200}
        assert _wsgi_get("/companies/")[0] == 503  # a page that reads it still says so
    finally:
        connection.settings_dict["PORT"] = real_port
