"""Redaction in the admin: a "Redact…" page on each record, and a read-only log of redactions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..models import Redaction
from ..redaction import can_redact, redact, redactable_fields


class RedactForm(forms.Form):
    field_name = forms.ChoiceField(label="Field to redact")
    reason = forms.CharField(
        label="Reason for the redaction",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Shown publicly as “Redaction: <reason>”. Do not repeat the redacted text.",
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_name"].choices = [
            (f.name, str(f.verbose_name).capitalize())
            for f in redactable_fields(type(record))
            if getattr(record, f.name)
        ]


class RedactionAdminMixin:
    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_redact"
        redact_url = path(
            "<path:object_id>/redact/", self.admin_site.admin_view(self.redact_view), name=name
        )
        return [redact_url, *super().get_urls()]

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_redact"] = can_redact(request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def redact_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not can_redact(request.user):
            raise PermissionDenied
        form = RedactForm(request.POST or None, record=obj)
        if request.method == "POST" and form.is_valid():
            try:
                data = form.cleaned_data
                redact(obj, data["field_name"], user=request.user, reason=data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, "Redacted from the record and its history.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Redact: {obj}",
            "opts": self.opts,
            "original": obj,
            "form": form,
        }
        return TemplateResponse(request, "admin/policies/redact.html", context)


@admin.register(Redaction)
class RedactionAdmin(admin.ModelAdmin):
    """The log of redactions: which field of which record, who and why. Never the text."""

    list_display = ("created_at", "content_type", "object_id", "field_name", "reason", "redacted_by")
    list_filter = ("content_type",)
    list_select_related = ("content_type", "redacted_by")
    search_fields = ("reason", "field_name")
    readonly_fields = [f.name for f in Redaction._meta.fields]

    def has_add_permission(self, request):
        return False  # made by the "Redact…" page of a record

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
