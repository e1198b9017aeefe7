from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# A static page, or the 503 retry page when the database is away (policies/faults.py).
handler500 = "policies.views.errors.server_error"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("policies.urls")),
]
