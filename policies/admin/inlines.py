"""Inlines shared by many admins: citations on every citable record, right of reply on claims and gaps.

The source of a citation is picked with an autocomplete; its "+" button opens the
Source form in a popup, so staff add a new source without leaving the record.
"""

from django import forms
from django.contrib.contenttypes.admin import GenericStackedInline, GenericTabularInline

from ..models import Citation, RightOfReply
from .base import TrackedInlineMixin
from .validation import friendly_errors


class InlineForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        friendly_errors(self)
        return cleaned


class CitationForm(InlineForm):
    class Meta:
        model = Citation
        fields = ("source", "locator", "quote")
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "locator": forms.TextInput(attrs={"size": 16}),
        }


class CitationInline(TrackedInlineMixin, GenericTabularInline):
    model = Citation
    form = CitationForm
    fields = ("source", "locator", "quote")
    autocomplete_fields = ("source",)
    extra = 1
    verbose_name_plural = "Citations (a record is published only with at least one)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class ReplyForm(InlineForm):
    class Meta:
        model = RightOfReply
        fields = (
            "company", "asked_on", "deadline_on", "channel", "question",
            "outcome", "answered_on", "response",
        )
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "response": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "answered":
            if not cleaned.get("answered_on"):
                self.add_error("answered_on", "An answered request needs the date of the answer.")
            if not cleaned.get("response"):
                self.add_error("response", "Paste the company's answer, verbatim.")
        return cleaned


class ReplyInline(TrackedInlineMixin, GenericStackedInline):
    """The company was asked (date, deadline, channel); later its answer or its silence."""

    model = RightOfReply
    form = ReplyForm
    fields = ReplyForm.Meta.fields
    autocomplete_fields = ("company",)
    verbose_name_plural = "Right of reply (requests to the company for comment)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company")
