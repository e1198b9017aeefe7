"""robots.txt: index the current pages; keep crawlers out of the unbounded ones."""

from django.http import HttpResponse
from django.urls import reverse

# Every page can be seen as of any past day, and downloads and searches take any filter:
# a crawler following them would never finish, and would render pages no reader asked for.
RULES = """User-agent: *
Disallow: /*?as_of=
Disallow: /*&as_of=
Disallow: /search/
Disallow: /exports/download/
"""


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("policies:sitemap"))
    return HttpResponse(f"{RULES}\nSitemap: {sitemap}\n", content_type="text/plain; charset=utf-8")
