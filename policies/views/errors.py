"""The 500 handler: a static page, or the 503 retry page when the database is away.

Django calls it while handling the exception, so sys.exc_info() still holds it.
It renders without the request (no context processors, no session, no queries).
"""

import sys

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from ..faults import database_unavailable_response, is_database_unavailable


@requires_csrf_token
def server_error(request):
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    return HttpResponseServerError(loader.get_template("500.html").render())
