"""Contracts (with the products sold) and observations of usage over time."""

from django.contrib import admin

from ..models import Contract, ContractProduct, Observation
from .base import TrackedTabularInline
from .claims import EDITORIAL
from .columns import editorial_badge, event_date_column
from .workflow import ClaimAdmin


class ContractProductInline(TrackedTabularInline):
    model = ContractProduct
    fields = ("product", "note")
    autocomplete_fields = ("product",)


@admin.register(Contract)
class ContractAdmin(ClaimAdmin):
    list_display = (
        "title", "agency", "vendor", "intermediary", "amount", "currency",
        event_date_column("started", "Started"), editorial_badge, "citations",
    )
    list_filter = ("editorial_status", "claim_status", "route", "source_status", "agency", "started_on")
    list_select_related = ("agency", "vendor", "intermediary")
    search_fields = ("title", "description", "award_id", "award_key", "vendor__name", "agency__name")
    autocomplete_fields = ("agency", "vendor", "intermediary")
    fieldsets = [
        (None, {"fields": ["agency", "vendor", "route", "intermediary", "title", "description"]}),
        ("Award", {"fields": [
            "award_id", "award_key", ("amount", "potential_amount", "currency"), "amount_note",
            ("started_on", "started_precision"), ("ended_on", "ended_precision"),
            "source_status", "last_seen_in_source_on",
        ]}),
        EDITORIAL,
    ]
    inlines = [ContractProductInline, *ClaimAdmin.inlines]


@admin.register(Observation)
class ObservationAdmin(ClaimAdmin):
    list_display = (
        "__str__", "company", "agency", event_date_column("observed", "Observed"), editorial_badge,
        "citations",
    )
    list_filter = ("editorial_status", "metric", "company", "agency", "observed_on")
    list_select_related = ("company", "agency", "contract")
    search_fields = ("company__name", "agency__name", "note", "transaction_key")
    autocomplete_fields = ("company", "agency", "contract")
