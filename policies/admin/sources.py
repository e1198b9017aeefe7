"""Sources (the cited documents) and the citations that point at them."""

from django.contrib import admin

from ..models import Citation, Source
from .base import ReasonForm, TrackedAdmin
from .children import PublicParentAdminMixin
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
class CitationAdmin(PublicParentAdminMixin, TrackedAdmin):
    form = CitationAdminForm

    def parent_of(self, obj):
        return obj.record

    def parent_from_form(self, cleaned_data, instance):
        content_type, object_id = cleaned_data.get("content_type"), cleaned_data.get("object_id")
        if content_type is None or object_id is None or content_type.model_class() is None:
            return None
        return content_type.model_class()._default_manager.filter(pk=object_id).first()
    list_display = ("source", "content_type", "object_id", "locator", "updated_at")
    list_filter = ("content_type",)
    list_select_related = ("source", "content_type")
    search_fields = ("quote", "locator", "source__title", "source__publisher")
    autocomplete_fields = ("source",)
