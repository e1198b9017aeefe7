"""Settings for the server under benchmark: the real settings, plus the floor view and a query count."""

from tracker.settings import *  # noqa: F403
from tracker.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Outermost, so it counts every query of the request, middleware included.
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]
