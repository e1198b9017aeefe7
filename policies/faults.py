"""When the database goes away: answer 503 with a retry page instead of a 500.

The middleware catches database errors raised by views; `server_error` (the
500 handler) catches those raised in other middleware (sessions, auth). Neither
touches the database, and Django's connection health checks reconnect on the
next request once the database is back.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def is_database_unavailable(exc):
    """True for errors that mean 'cannot reach the database', not bad SQL or data."""
    return isinstance(exc, UNAVAILABLE_ERRORS)


def database_unavailable_response():
    """A static 503 page rendered without the request, so nothing in it can query."""
    body = loader.get_template("503.html").render()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        logger.error("Database unavailable while serving %s: %s", request.path, exception)
        return database_unavailable_response()
