"""Sources (the cited documents) and the citations that point at them."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import reverse

from ..models import Citation, Source
from .base import ReasonForm, TrackedAdmin
from .children import PublicParentAdminMixin
from .columns import editorial_badge
from .inlines import LAST_CITATION, PointsAtRecord, citable_models, is_last_citation_of_public_record
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

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        deletable = obj is not None and self.has_delete_permission(request, obj)
        if deletable and is_last_citation_of_public_record(obj):
            self.message_user(request, LAST_CITATION, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:policies_citation_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if is_last_citation_of_public_record(obj):
                self.message_user(request, f"Not deleted “{obj}”: {LAST_CITATION}", messages.WARNING)
            else:
                self.delete_model(request, obj)

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
