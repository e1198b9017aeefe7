"""The whole site under /tracker/ by its URL configuration (not a script prefix), for tests
that swap the configuration as pytest-django's `urls` marker does."""

from django.urls import include, path

urlpatterns = [path("tracker/", include("tracker.urls"))]
