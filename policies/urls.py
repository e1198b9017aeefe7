from django.urls import path

from .views import pages

app_name = "policies"

urlpatterns = [
    path("", pages.home, name="home"),
    path("companies/<slug:slug>/", pages.company, name="company"),
    path("agencies/<slug:slug>/", pages.agency, name="agency"),
    path("companies/<slug:company_slug>/policies/<slug:slug>/", pages.policy, name="policy"),
    path("gaps/<slug:slug>/", pages.gap, name="gap"),
    path("sources/<int:pk>/", pages.source, name="source"),
    path("topics/<slug:slug>/", pages.topic, name="topic"),
    path("records/<str:kind>/<int:pk>/", pages.record, name="record"),
]
