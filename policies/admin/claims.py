"""What companies say (statements) and what their employees raise (employee actions)."""

from django.contrib import admin
from django.utils.text import Truncator

from ..models import EmployeeAction, EmployeeActionTopic, Statement, StatementTopic
from .base import TrackedTabularInline
from .columns import editorial_badge, event_date_column
from .workflow import ClaimAdmin

EDITORIAL = ("Editorial", {"fields": [
    "claim_status", "editorial_status", "published_at", "correction_note", "internal_notes", "revision",
]})


class StatementTopicInline(TrackedTabularInline):
    model = StatementTopic
    fields = ("topic",)
    autocomplete_fields = ("topic",)


@admin.register(Statement)
class StatementAdmin(ClaimAdmin):
    list_display = (
        "short_quote", "company", "speaker", event_date_column("made", "Made"), editorial_badge, "citations"
    )
    list_filter = ("editorial_status", "claim_status", "kind", "topics", "company", "made_on")
    list_select_related = ("company", "agency")
    search_fields = ("quote", "speaker", "channel", "company__name")
    autocomplete_fields = ("company", "agency")
    fieldsets = [
        (None, {"fields": ["company", "agency", ("speaker", "speaker_role"), ("made_on", "made_precision")]}),
        ("What was said", {"fields": ["quote", "is_paraphrase", "channel", "kind"]}),
        EDITORIAL,
    ]
    inlines = [StatementTopicInline, *ClaimAdmin.inlines]

    @admin.display(description="Quote", ordering="quote")
    def short_quote(self, obj):
        return Truncator(obj.quote).chars(90)


class EmployeeActionTopicInline(TrackedTabularInline):
    model = EmployeeActionTopic
    fields = ("topic",)
    autocomplete_fields = ("topic",)


@admin.register(EmployeeAction)
class EmployeeActionAdmin(ClaimAdmin):
    list_display = (
        "title", "company", "kind", event_date_column("started", "Started"), "embargo_until", editorial_badge,
        "citations",
    )
    list_filter = (
        "editorial_status", "kind", "names_nobody", "topics", "company", "started_on", "embargo_until"
    )
    list_select_related = ("company", "agency")
    search_fields = ("title", "description", "demands", "company__name")
    autocomplete_fields = ("company", "agency")
    fieldsets = [
        (None, {"fields": ["company", "agency", "kind", "title", "description"]}),
        ("When", {"fields": [
            ("started_on", "started_precision"), ("ended_on", "ended_precision"), "reported_on",
        ]}),
        ("Protection of people", {
            "description": "Name nobody unless they chose to be named. An embargo hides the "
            "action from the public until the date. Use “Redact…” to remove text from history.",
            "fields": ["names_nobody", "uses_pseudonyms", "named_participants", "embargo_until",
                       ("participants_estimate", "participants_description")],
        }),
        ("Demands and response", {"fields": [
            "demands", "company_response", ("responded_on", "responded_precision"), "outcome",
        ]}),
        EDITORIAL,
    ]
    inlines = [EmployeeActionTopicInline, *ClaimAdmin.inlines]
