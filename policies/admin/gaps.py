"""Gaps between commitments and practice, their evidence, and right-of-reply requests.

Computed signals (Signal, SignalEvidence) are triaged in their own admin module.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from ..kinds import RECORD_KINDS
from ..models import Gap, GapEvidence, ReplyOutcome, RightOfReply
from ..models.base import Citable
from .base import TrackedTabularInline
from .columns import editorial_badge
from .inlines import CitationInline, InlineForm, ReplyInline
from .workflow import CitableAdmin, PublishableAdmin


def evidence_content_types():
    """The kinds of record a gap's evidence may be: those with public pages and citations."""
    models = [model for model in RECORD_KINDS.values() if issubclass(model, Citable)]
    types = ContentType.objects.get_for_models(*models).values()
    return ContentType.objects.filter(pk__in=[ct.pk for ct in types])


class GapEvidenceForm(InlineForm):
    """Evidence is an existing record of a public kind (a staff account or a mistyped id is refused)."""

    class Meta:
        model = GapEvidence
        fields = ("content_type", "object_id", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_type"].queryset = evidence_content_types().order_by("model")

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type is not None and object_id is not None:
            model = content_type.model_class()
            if model is None or not model._default_manager.filter(pk=object_id).exists():
                self.add_error("object_id", f"There is no {content_type.name} #{object_id}.")
        return cleaned


class GapEvidenceInline(TrackedTabularInline):
    model = GapEvidence
    form = GapEvidenceForm
    fields = ("content_type", "object_id", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content_type")


@admin.register(Gap)
class GapAdmin(CitableAdmin):
    list_display = ("title", "company", "commitment", "status", "severity", editorial_badge, "citations")
    list_filter = ("editorial_status", "status", "severity", "commitment__topics", "company", "created_at")
    list_select_related = ("company", "commitment")
    search_fields = ("title", "slug", "narrative", "company__name")
    autocomplete_fields = ("company", "commitment")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [GapEvidenceInline, CitationInline, ReplyInline]


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue (no answer, deadline passed)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return overdue_replies(queryset)
        return queryset


def overdue_replies(queryset=None):
    """Requests still awaiting an answer whose deadline has passed, oldest deadline first."""
    queryset = RightOfReply.objects.all() if queryset is None else queryset
    today = timezone.localdate()
    return queryset.filter(outcome=ReplyOutcome.PENDING, deadline_on__lt=today).order_by("deadline_on")


@admin.register(RightOfReply)
class RightOfReplyAdmin(PublishableAdmin):
    list_display = ("__str__", "company", "content_type", "object_id", "deadline_on", "outcome", "overdue",
                    editorial_badge)
    list_filter = (OverdueFilter, "outcome", "editorial_status", "company", "asked_on")
    list_select_related = ("company", "content_type")
    search_fields = ("company__name", "question", "response", "channel")
    autocomplete_fields = ("company",)

    @admin.display(boolean=True, description="Overdue")
    def overdue(self, obj):
        return obj.is_overdue


def days_overdue(reply):
    return (timezone.localdate() - reply.deadline_on).days if reply.deadline_on else 0

