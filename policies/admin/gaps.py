"""Gaps between commitments and practice, their evidence, and right-of-reply requests.

Computed signals (Signal, SignalEvidence) are triaged in their own admin module.
"""

from django.contrib import admin
from django.utils import timezone

from ..kinds import RECORD_KINDS
from ..models import Gap, GapEvidence, ReplyOutcome, RightOfReply
from ..models.base import Citable
from .base import ReasonForm, TrackedTabularInline
from .columns import editorial_badge
from .inlines import CitationInline, InlineForm, PointsAtRecord, ReplyInline, repliable_models
from .workflow import CitableAdmin, PublishableAdmin


def evidence_models():
    """The kinds of record a gap's evidence may be: those with public pages and citations."""
    return [model for model in RECORD_KINDS.values() if issubclass(model, Citable)]


class GapEvidenceForm(PointsAtRecord, InlineForm):
    pointer_models = staticmethod(evidence_models)

    class Meta:
        model = GapEvidence
        fields = ("content_type", "object_id", "note")


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


class RightOfReplyForm(PointsAtRecord, ReasonForm):
    pointer_models = staticmethod(repliable_models)


@admin.register(RightOfReply)
class RightOfReplyAdmin(PublishableAdmin):
    form = RightOfReplyForm
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

