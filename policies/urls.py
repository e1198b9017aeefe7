from django.contrib.sitemaps.views import sitemap
from django.urls import path as _path
from django.views.decorators.http import require_safe

from .lib.prepared import prepared
from .sitemaps import SITEMAPS
from .views import (
    agencies,
    companies,
    exports,
    feeds,
    gaps,
    history,
    home,
    method,
    policies,
    records,
    robots,
    search,
    sources,
    topics,
)

app_name = "policies"


def path(route, view, name, prepare=True):
    """Every public page is read-only: GET and HEAD; any other method is a 405 with Allow.

    Its queries are prepared statements on PostgreSQL (`lib/prepared.py`), except for the
    downloads, which stream COPY output after the view has returned.
    """
    return _path(route, require_safe(prepared(view) if prepare else view), name=name)


urlpatterns = [
    path("", home.home, name="home"),
    path("companies/", companies.directory, name="companies"),
    path("companies/<slug:slug>/", companies.company, name="company"),
    path("agencies/", agencies.agency_list, name="agencies"),
    path("agencies/<slug:slug>/", agencies.agency, name="agency"),
    path("companies/<slug:company_slug>/policies/<slug:slug>/", policies.policy, name="policy"),
    path("gaps/", gaps.gap_list, name="gaps"),
    path("gaps/<slug:slug>/", gaps.gap, name="gap"),
    path("method/", method.page, name="method"),
    path("sources/<int:pk>/", sources.source, name="source"),
    path("topics/", topics.topic_list, name="topics"),
    path("topics/<slug:slug>/", topics.topic, name="topic"),
    path("records/<str:kind>/<int:pk>/", records.record, name="record"),
    path("history/<str:kind>/<int:pk>/", history.record_history_view, name="history"),
    path("changes/", history.changes, name="changes"),
    path("search/", search.search, name="search"),
    path("exports/", exports.page, name="exports"),
    path("exports/download/", exports.download, name="exports-download", prepare=False),
    path(
        "exports/releases/<str:folder>/<str:name>", exports.release_file, name="release-file", prepare=False
    ),
    path("feeds/changes/", feeds.RecentChangesFeed(), name="feed-changes"),
    path("feeds/gaps/", feeds.GapsFeed(), name="feed-gaps"),
    path("feeds/companies/<slug:slug>/", feeds.CompanyFeed(), name="feed-company"),
    path("feeds/topics/<slug:slug>/", feeds.TopicFeed(), name="feed-topic"),
    path("robots.txt", robots.robots_txt, name="robots"),
    path("sitemap.xml", lambda request: sitemap(request, SITEMAPS), name="sitemap"),
]
