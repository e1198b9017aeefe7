"""The public page cache: fast for the public, never stale after an edit, never used for staff."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client

from policies import models as m
from policies.cache import PublicPageCacheMiddleware, bump_content_version
from tests import factories as f
from tests.admin_support import admin_url, form_data, reviewer
from tracker.settings import env_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def company():
    return f.company(name="Example Cloud 0042", slug="example-cloud-0042", summary="First summary.")


def anonymous_get(url):
    return Client().get(url)


def test_an_anonymous_page_is_served_from_the_cache_on_the_second_request(company):
    first = anonymous_get(company.get_absolute_url())
    second = anonymous_get(company.get_absolute_url())
    assert first.status_code == second.status_code == 200
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_cache_hit_runs_no_query(company, django_assert_num_queries):
    anonymous_get(company.get_absolute_url())
    with django_assert_num_queries(0):
        assert anonymous_get(company.get_absolute_url())["X-Page-Cache"] == "hit"


def test_an_orm_save_appears_on_the_next_request(company):
    assert b"First summary." in anonymous_get(company.get_absolute_url()).content
    company.summary = "Corrected summary."
    company._change_reason = "Corrected against the source"
    company.save()
    response = anonymous_get(company.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert b"Corrected summary." in response.content


def test_an_edit_saved_in_the_admin_appears_on_the_public_page_on_the_next_request(company):
    anonymous_get(company.get_absolute_url())
    staff = Client()
    staff.force_login(reviewer())
    page = staff.get(admin_url(company))
    response = staff.post(
        admin_url(company),
        form_data(page, summary="Summary edited in the admin.", change_reason="Reworded after review"),
    )
    assert response.status_code == 302, response.content[:2000]
    assert b"Summary edited in the admin." in anonymous_get(company.get_absolute_url()).content


def test_a_record_published_in_the_admin_appears_on_the_company_page_on_the_next_request(company):
    draft = f.statement(company_obj=company, status="draft", quote="A newly published quote.")
    assert b"A newly published quote." not in anonymous_get(company.get_absolute_url()).content
    staff = Client()
    staff.force_login(reviewer())
    response = staff.post(admin_url(draft, "publish"), {"change_reason": "Checked against the source"})
    assert response.status_code == 302
    assert m.Statement.objects.get(pk=draft.pk).editorial_status == "published"
    assert b"A newly published quote." in anonymous_get(company.get_absolute_url()).content


def test_staff_are_never_served_from_the_cache_nor_fill_it(company):
    url = company.get_absolute_url()
    anonymous_get(url)
    # A write that bypasses signals (QuerySet.update) leaves the public copy stale...
    m.Company.objects.filter(pk=company.pk).update(summary="Changed behind the back of the cache.")
    assert anonymous_get(url)["X-Page-Cache"] == "hit"
    # ...but staff always get the page rendered now, and their page is not stored.
    staff = Client()
    staff.force_login(reviewer())
    response = staff.get(url)
    assert "X-Page-Cache" not in response
    assert b"Changed behind the back of the cache." in response.content
    # Writers that bypass signals bump the version themselves.
    bump_content_version()
    assert b"Changed behind the back of the cache." in anonymous_get(url).content


def test_the_query_string_is_part_of_the_key_and_errors_are_not_cached(company):
    assert anonymous_get("/search/?q=Example")["X-Page-Cache"] == "miss"
    assert anonymous_get("/search/?q=Other")["X-Page-Cache"] == "miss"
    assert anonymous_get("/companies/no-such-company/").status_code == 404
    assert "X-Page-Cache" not in anonymous_get("/companies/no-such-company/")


def test_the_admin_is_never_cached(settings):
    response = anonymous_get(f"/{settings.ADMIN_URL}login/")
    assert "X-Page-Cache" not in response


def test_the_page_cache_is_off_when_seconds_is_zero(company, settings):
    settings.PAGE_CACHE_SECONDS = 0
    anonymous_get(company.get_absolute_url())
    assert "X-Page-Cache" not in anonymous_get(company.get_absolute_url())


@pytest.mark.parametrize(
    "url, backend, location",
    [
        ("locmem://", "locmem.LocMemCache", ""),
        ("redis://127.0.0.1:6379/1", "redis.RedisCache", "redis://127.0.0.1:6379/1"),
        (
            "memcached://cache-a.example:11211,cache-b.example:11211",
            "memcached.PyMemcacheCache",
            ["cache-a.example:11211", "cache-b.example:11211"],
        ),
        ("file:///var/tmp/tracker-cache", "filebased.FileBasedCache", "/var/tmp/tracker-cache"),
    ],
)
def test_cache_url_selects_a_django_cache_backend(monkeypatch, url, backend, location):
    monkeypatch.setenv("CACHE_URL", url)
    config = env_cache("CACHE_URL")
    assert config["BACKEND"] == f"django.core.cache.backends.{backend}"
    assert config["LOCATION"] == location


@pytest.mark.parametrize("url", ["mongodb://x", "redis", "file://relative/dir"])
def test_a_bad_cache_url_stops_start_up_with_a_clear_message(monkeypatch, url):
    monkeypatch.setenv("CACHE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        env_cache("CACHE_URL")


def test_a_page_holding_a_csrf_token_is_not_cached(rf):
    def view(request):
        return HttpResponse(f"<form method=post><input value={get_token(request)}></form>")

    request = rf.get("/a-form/")
    request.user = AnonymousUser()
    response = PublicPageCacheMiddleware(view)(request)
    assert "X-Page-Cache" not in response


def test_contracts_published_by_an_import_appear_on_the_next_request():
    """The bulk import writes without signals, so it bumps the content version itself."""
    from django.contrib.auth.models import Group, User

    from policies.imports.usaspending import ImportOptions, import_files
    from policies.roles import REVIEWERS
    from tests.usaspending_files import AWARDS_286, award, csv_file

    dhs = f.agency(name="Department of Homeland Security", code="7000")
    ice = f.agency(name="U.S. Immigration and Customs Enforcement", code="7012", parent=dhs)
    assert b"70CMSD25C0077" not in anonymous_get(ice.get_absolute_url()).content
    assert anonymous_get(ice.get_absolute_url())["X-Page-Cache"] == "hit"
    rev = User.objects.create_user("rev", password="x" * 12, is_staff=True)
    rev.groups.add(Group.objects.get(name=REVIEWERS))
    name = "Contracts_PrimeAwardSummaries_2026-01-05_H10M00S00_1.csv"
    report = import_files([csv_file(name, AWARDS_286, [award("70CMSD25C0077")])],
                          ImportOptions(publish=True, user=rev))
    assert report.ok and m.Contract.objects.get().agency == ice
    response = anonymous_get(ice.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert b"70CMSD25C0077" in response.content


def test_a_new_release_appears_on_the_exports_page_on_the_next_request(settings, tmp_path):
    """A release is files, not rows: the release itself tells the page cache."""
    from django.core.management import call_command
    from django.urls import reverse

    settings.EXPORTS_ROOT = tmp_path
    f.company()
    url = reverse("policies:exports")
    assert b"tracker-release-0001" not in anonymous_get(url).content
    assert anonymous_get(url)["X-Page-Cache"] == "hit"
    call_command("release", verbosity=0)
    response = anonymous_get(url)
    assert response["X-Page-Cache"] == "miss"
    assert b"tracker-release-0001" in response.content


# When a page is missing, one request renders it and the others wait for its copy.


def _page_request(rf, path="/companies/example-cloud-0042/"):
    request = rf.get(path)
    request.user = AnonymousUser()
    return request


def _rendering_key(request):
    from policies.cache import content_version, page_key

    return page_key(request, content_version()) + ":rendering"


def test_concurrent_requests_for_a_missing_page_render_it_once(rf, settings):
    import threading

    settings.PAGE_CACHE_LOCK_SECONDS = 5
    started, release, calls = threading.Event(), threading.Event(), []

    def slow_view(request):
        calls.append(request)
        started.set()
        release.wait(5)
        return HttpResponse(f"rendered {len(calls)}")

    middleware = PublicPageCacheMiddleware(slow_view)
    responses = []
    first = threading.Thread(target=lambda: responses.append(middleware(_page_request(rf))))
    first.start()
    assert started.wait(5)
    others = [
        threading.Thread(target=lambda: responses.append(middleware(_page_request(rf)))) for _ in range(5)
    ]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert len(calls) == 1
    assert [r.content for r in responses] == [b"rendered 1"] * 6
    assert sorted(r["X-Page-Cache"] for r in responses) == ["hit"] * 5 + ["miss"]


def test_a_request_waits_for_the_copy_another_process_is_rendering(rf, settings):
    import threading

    settings.PAGE_CACHE_LOCK_SECONDS = 5
    request = _page_request(rf)
    rendering = _rendering_key(request)
    cache.add(rendering, 1, 5)  # another process took the page

    def the_other_process_finishes():
        PublicPageCacheMiddleware(lambda r: HttpResponse("their copy"))._render(
            _page_request(rf), rendering.removesuffix(":rendering"), 600
        )
        cache.delete(rendering)

    threading.Timer(0.1, the_other_process_finishes).start()
    calls = []
    response = PublicPageCacheMiddleware(lambda r: calls.append(r) or HttpResponse("mine"))(request)
    assert calls == []
    assert response.content == b"their copy" and response["X-Page-Cache"] == "hit"


def test_a_waiting_request_renders_the_page_itself_when_no_copy_comes(rf, settings):
    """The renderer stored nothing (an error page), or never finished within the wait."""
    settings.PAGE_CACHE_LOCK_SECONDS = 0.2
    request = _page_request(rf)
    cache.add(_rendering_key(request), 1, 60)  # a renderer that never finishes
    response = PublicPageCacheMiddleware(lambda r: HttpResponse("mine"))(request)
    assert response.content == b"mine"

    cache.clear()
    settings.PAGE_CACHE_LOCK_SECONDS = 5
    cache.add(_rendering_key(request), 1, 5)
    import threading

    threading.Timer(0.1, lambda: cache.delete(_rendering_key(request))).start()  # done, nothing stored
    response = PublicPageCacheMiddleware(lambda r: HttpResponse("mine again"))(_page_request(rf))
    assert response.content == b"mine again"


def test_with_the_lock_off_a_request_never_waits(rf, settings):
    settings.PAGE_CACHE_LOCK_SECONDS = 0
    request = _page_request(rf)
    cache.add(_rendering_key(request), 1, 60)
    response = PublicPageCacheMiddleware(lambda r: HttpResponse("mine"))(request)
    assert response.content == b"mine" and response["X-Page-Cache"] == "miss"
