"""Atom feeds: recent changes (site-wide, per company, per topic) and new gaps."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..listings import public_gaps
from ..models import Company, Gap, Topic
from ..public_history import company_scope, recent_changes, topic_scope

FEED_LIMIT = 50


class ChangesFeed(Feed):
    """Items are public_history.Change rows; links go to the record's public history."""

    feed_type = Atom1Feed

    def item_title(self, item):
        return f"{item.kind_label} {item.action.lower()}: {item.title}"

    def item_description(self, item):
        return item.reason or f"{item.kind_label} {item.action.lower()}."

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.url}#{item.date.isoformat()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.date

    def item_author_name(self, item):
        return item.attribution


class RecentChangesFeed(ChangesFeed):
    title = f"{settings.SITE_NAME}: recent changes"
    subtitle = "Every public change to the record, with its reason."

    def link(self):
        return reverse("policies:changes")

    def items(self):
        return recent_changes(limit=FEED_LIMIT)


class CompanyFeed(ChangesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Company.objects.public(), slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def subtitle(self, obj):
        return f"Changes to the record of {obj.name}: policies, statements, contracts, gaps."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return recent_changes(limit=FEED_LIMIT, scope=company_scope(obj))


class TopicFeed(ChangesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def subtitle(self, obj):
        return f"Changes to records about {obj.name}."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return recent_changes(limit=FEED_LIMIT, scope=topic_scope(obj))


class GapsFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.SITE_NAME}: new gaps"
    subtitle = "Findings that a company's commitment and its practice diverge."

    def link(self):
        return reverse("policies:gaps")

    def items(self):
        return public_gaps().order_by("-created_at")[:FEED_LIMIT]

    def item_title(self, item: Gap):
        return f"{item.company.name}: {item.title} ({item.get_status_display()})"

    def item_description(self, item):
        return item.narrative

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at
