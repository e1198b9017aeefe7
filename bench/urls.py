"""The site's own URLs plus the floor: a bare Django view returning a fixed body."""

from django.urls import include, path

from .floor import floor

urlpatterns = [
    path("__bench__/floor/", floor),
    path("", include("tracker.urls")),
]
