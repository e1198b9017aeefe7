"""Policies, their dated versions (long text, word-diffed in history) and commitments."""

from django.contrib import admin

from ..models import Commitment, CommitmentClause, CommitmentTopic, Policy, PolicyVersion
from .base import TrackedAdmin, TrackedTabularInline
from .children import PublicParentAdminMixin
from .columns import editorial_badge, event_date_column
from .inlines import CitationInline
from .workflow import CitableAdmin


@admin.register(Policy)
class PolicyAdmin(CitableAdmin):
    list_display = ("title", "company", "kind", editorial_badge, "citations", "updated_at")
    list_filter = ("editorial_status", "kind", "company")
    list_select_related = ("company",)
    search_fields = ("title", "slug", "company__name", "summary")
    autocomplete_fields = ("company",)
    prepopulated_fields = {"slug": ("title",)}


class CommitmentClauseInline(TrackedTabularInline):
    model = CommitmentClause
    fk_name = "version"
    fields = ("commitment", "text", "stance", "change", "change_suggested", "change_confirmed")
    autocomplete_fields = ("commitment",)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(CitableAdmin):
    list_display = (
        "policy", event_date_column("effective", "Effective"), "is_excerpt", editorial_badge, "citations"
    )
    list_filter = ("editorial_status", "effective_on", "policy__company")
    list_select_related = ("policy", "policy__company")
    search_fields = ("policy__title", "policy__company__name", "text")
    autocomplete_fields = ("policy",)
    inlines = [CommitmentClauseInline, CitationInline]


class CommitmentTopicInline(TrackedTabularInline):
    model = CommitmentTopic
    fields = ("topic",)
    autocomplete_fields = ("topic",)


@admin.register(Commitment)
class CommitmentAdmin(CitableAdmin):
    list_display = ("title", "policy", "depends_on_use", editorial_badge, "citations")
    list_filter = ("editorial_status", "topics", "depends_on_use", "policy__company")
    list_select_related = ("policy", "policy__company")
    search_fields = ("title", "slug", "policy__title", "policy__company__name")
    autocomplete_fields = ("policy",)
    prepopulated_fields = {"slug": ("title",)}
    inlines = [CommitmentTopicInline, CitationInline]


@admin.register(CommitmentClause)
class CommitmentClauseAdmin(PublicParentAdminMixin, TrackedAdmin):
    def parent_of(self, obj):
        return obj.version

    def parent_from_form(self, cleaned_data, instance):
        return cleaned_data.get("version")

    list_display = ("commitment", "version", "change", "change_suggested", "change_confirmed")
    list_filter = ("change", "change_suggested", "change_confirmed")
    list_select_related = ("commitment", "version", "version__policy", "version__policy__company")
    search_fields = ("text", "commitment__title")
    autocomplete_fields = ("commitment", "version")
