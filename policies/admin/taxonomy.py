"""Topics and capabilities: the small taxonomy every record is filed under."""

from django.contrib import admin

from ..models import Capability, CapabilityTopic, Topic
from .base import TrackedAdmin, TrackedTabularInline


@admin.register(Topic)
class TopicAdmin(TrackedAdmin):
    list_display = ("name", "slug", "updated_at")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


class CapabilityTopicInline(TrackedTabularInline):
    model = CapabilityTopic
    fields = ("topic",)
    autocomplete_fields = ("topic",)


@admin.register(Capability)
class CapabilityAdmin(TrackedAdmin):
    list_display = ("name", "slug", "updated_at")
    list_filter = ("topics",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CapabilityTopicInline]
