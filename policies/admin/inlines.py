"""Inlines shared by many admins: citations on every citable record, right of reply on claims and gaps.

The source of a citation is picked with an autocomplete; its "+" button opens the
Source form in a popup, so staff add a new source without leaving the record.
"""

from django import forms
from django.apps import apps
from django.contrib.contenttypes.admin import GenericStackedInline, GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType

from ..kinds import RECORD_KINDS
from ..models import Citation, RightOfReply
from ..models.base import Citable, Claim
from .base import LockedInlineForm, TrackedInlineMixin


class PointsAtRecord:
    """A form whose `content_type` + `object_id` name a record: only an existing record of
    one of `pointer_models()` (a staff account or a mistyped id is refused, not saved)."""

    @staticmethod
    def pointer_models():
        return []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "content_type" in self.fields:
            types = ContentType.objects.get_for_models(*self.pointer_models()).values()
            self.fields["content_type"].queryset = ContentType.objects.filter(
                pk__in=[ct.pk for ct in types]
            ).order_by("model")

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type is not None and object_id is not None:
            model = content_type.model_class()
            if model is None or not model._default_manager.filter(pk=object_id).exists():
                self.add_error("object_id", f"There is no {content_type.name} #{object_id}.")
        return cleaned


def _policies_models(test):
    return [model for model in apps.get_app_config("policies").get_models() if test(model)]


def citable_models():
    """Citable records, and the other kinds with public pages (the seed cites sources, too)."""
    return _policies_models(lambda model: issubclass(model, Citable) or model in RECORD_KINDS.values())


def repliable_models():
    """Claims and gaps: the records a company is asked to reply about."""
    return _policies_models(lambda model: issubclass(model, Claim) or model._meta.model_name == "gap")


class InlineForm(LockedInlineForm):
    """Friendly messages for the database's rules, and a lock per row (see `LockedInlineForm`)."""


def kept_rows(formset):
    """(form, cleaned data) of the rows a formset will keep: valid and not ticked for deletion."""
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not formset._should_delete_form(form):
            yield form, data


class CitationFormSet(BaseGenericInlineFormSet):
    """One citation per source and place: the unique constraint's rule, as a message.

    The rows' content type and object id are not form fields, so Django's own unique check
    skips the constraint; without this the database refuses the save (an error page).
    """

    def clean(self):
        super().clean()
        kept = {}
        for form, data in kept_rows(self):
            if not data.get("source"):
                continue
            key = (data["source"].pk, data.get("locator") or "")
            if key in kept:
                raise forms.ValidationError(_cited_twice(data["source"], key[1], ""))
            kept[key] = form
        if self.instance.pk is None:
            return
        ct = ContentType.objects.get_for_model(self.instance, for_concrete_model=self.for_concrete_model)
        shown = [form.instance.pk for form in self.forms if form.instance.pk]
        saved_meanwhile = list(
            Citation.objects.filter(content_type=ct, object_id=self.instance.pk)
            .exclude(pk__in=shown)
            .select_related("source")
        )
        for citation in saved_meanwhile:
            if (citation.source_id, citation.locator) in kept:
                why = " (someone else added it meanwhile: reload to see it)"
                raise forms.ValidationError(_cited_twice(citation.source, citation.locator, why))
        if is_public_citable(self.instance) and not kept and not saved_meanwhile:
            raise forms.ValidationError(LAST_CITATION)


LAST_CITATION = (
    "A public record keeps at least one citation: add the new one before removing the last, "
    "or un-publish the record first. Nothing was saved."
)


def is_public_citable(record):
    return isinstance(record, Citable) and record.is_public


def is_last_citation_of_public_record(citation):
    record = citation.record
    return is_public_citable(record) and not record.citations.exclude(pk=citation.pk).exists()


def _cited_twice(source, locator, why):
    where = f"at “{locator}”" if locator else "without a locator"
    return (
        f"“{source}” is already cited {where} on this record{why}. Give a different locator "
        "(page, paragraph) or remove the duplicate row. Nothing was saved."
    )


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
    formset = CitationFormSet
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
