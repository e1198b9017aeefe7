"""The site's URLs plus views that fail on purpose, for the error-page and fault tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.urls import path

from tracker.urls import handler500  # noqa: F401
from tracker.urls import urlpatterns as site_urlpatterns


def crash(request):
    raise RuntimeError("secret-traceback-detail: staff@example.org")


def database_away(request):
    raise OperationalError('connection to server at "10.9.8.7", port 5432 failed: Connection refused')


def connection_lost(request):
    raise InterfaceError("connection already closed")


def suspicious(request):
    raise SuspiciousOperation("secret-detail-of-the-bad-request")


def forbidden(request):
    raise PermissionDenied("secret-detail-of-the-refusal")


urlpatterns = [
    path("fail/crash/", crash),
    path("fail/database-away/", database_away),
    path("fail/connection-lost/", connection_lost),
    path("fail/suspicious/", suspicious),
    path("fail/forbidden/", forbidden),
    *site_urlpatterns,
]
