"""Sources (the cited documents) and the citations that point at them."""

from django.contrib import admin

from ..models import Citation, Source
from .base import ReasonForm, TrackedAdmin
from .columns import editorial_badge
from .inlines import PointsAtRecord, citable_models
from .workflow import PublishableAdmin


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    list_display = ("title", "publisher", "kind", "published_on", "link_status", editorial_badge)
    list_filter = ("editorial_status", "kind", "link_status", "published_on")
    search_fields = ("title", "publisher", "url", "archive_url")
    fieldsets = [
        (None, {"fields": ["title", "publisher", "kind"]}),
        ("Where to find it", {"fields": [
            "url", ("published_on", "published_precision"), "accessed_on",
            "archive_url", "archived_at", "content_hash", ("link_status", "link_checked_on"),
        ]}),
        ("Editorial", {"fields": [
            "editorial_status", "published_at", "correction_note", "internal_notes", "revision",
        ]}),
    ]


class CitationAdminForm(PointsAtRecord, ReasonForm):
    pointer_models = staticmethod(citable_models)


@admin.register(Citation)
class CitationAdmin(TrackedAdmin):
    form = CitationAdminForm
    list_display = ("source", "content_type", "object_id", "locator", "updated_at")
    list_filter = ("content_type",)
    list_select_related = ("source", "content_type")
    search_fields = ("quote", "locator", "source__title", "source__publisher")
    autocomplete_fields = ("source",)
