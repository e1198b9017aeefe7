"""sitemap.xml: the pages worth indexing, current state only (Django's sitemaps framework).

Past states (`?as_of=`), record and history pages are reachable from these pages; listing
them would multiply the map by every record without helping a reader find a company.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .asof import public_linked
from .models import Agency, Company, Gap, Policy, Topic


class _Records(Sitemap):
    def lastmod(self, obj):
        return obj.updated_at


class Companies(_Records):
    priority = 0.8

    def items(self):
        return public_linked(Company).only("slug", "updated_at").order_by("slug")


class Gaps(_Records):
    priority = 0.9

    def items(self):
        return public_linked(Gap).only("slug", "updated_at").order_by("slug")


class Agencies(_Records):
    def items(self):
        return public_linked(Agency).only("slug", "updated_at").order_by("slug")


class Policies(_Records):
    def items(self):
        return public_linked(Policy).select_related("company").order_by("company__slug", "slug")


class Topics(Sitemap):
    def items(self):
        return Topic.objects.order_by("slug")


class Pages(Sitemap):
    """The fixed pages."""

    def items(self):
        return ["policies:home", "policies:companies", "policies:agencies", "policies:gaps",
                "policies:topics", "policies:method", "policies:exports"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": Pages, "companies": Companies, "gaps": Gaps, "agencies": Agencies,
            "policies": Policies, "topics": Topics}
