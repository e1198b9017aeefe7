"""Triage of computed signals: confirm into a gap, merge into a gap, or dismiss; all with a reason.

Signals are written by the rules (policies/gaps/), so their fields are read-only here;
staff act on them through the three actions, each on a page that asks for what it needs.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from ..gaps import triage
from ..models import Commitment, Gap, Severity, Signal, SignalEvidence
from .base import TrackedAdmin, TrackedTabularInline, action_reason, reason_field


class SignalEvidenceInline(TrackedTabularInline):
    model = SignalEvidence
    fields = ("content_type", "object_id", "record_link")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content_type")

    @admin.display(description="Record")
    def record_link(self, obj):
        ct = obj.content_type
        try:
            url = reverse(f"admin:{ct.app_label}_{ct.model}_change", args=[obj.object_id])
        except NoReverseMatch:
            return f"{ct.model} {obj.object_id}"
        return format_html('<a href="{}">{} {}</a>', url, ct.model, obj.object_id)


class ConfirmForm(forms.Form):
    title = forms.CharField(max_length=300)
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    commitment = forms.ModelChoiceField(
        queryset=Commitment.objects.none(), required=False,
        help_text="Needed only when the signals name no commitment, or several.",
    )
    change_reason = reason_field()


class MergeForm(forms.Form):
    gap = forms.ModelChoiceField(queryset=Gap.objects.none())
    change_reason = reason_field()


class DismissForm(forms.Form):
    change_reason = reason_field()


@admin.register(Signal)
class SignalAdmin(TrackedAdmin):
    list_display = ("rule", "company", "commitment", "status", "first_date", "last_date", "short_summary")
    list_filter = ("status", "rule", "company")
    list_select_related = ("company", "commitment")
    search_fields = ("summary", "rule", "fingerprint", "company__name")
    readonly_fields = ("rule", "fingerprint", "company", "commitment", "gap", "status", "summary",
                       "first_date", "last_date", "triage_reason", "revision")
    fields = readonly_fields
    inlines = [SignalEvidenceInline]
    actions = ["confirm_into_gap", "merge_into_gap", "dismiss_signals"]

    def has_add_permission(self, request):
        return False  # signals come from the rules

    def may_restore(self, request):
        # A deleted signal is not new: putting it back (with its triage) is an undo.
        return self.has_delete_permission(request)

    @admin.display(description="Summary")
    def short_summary(self, obj):
        return obj.summary[:140] + ("…" if len(obj.summary) > 140 else "")

    @admin.action(description="Confirm selected signals into a new gap", permissions=["change"])
    def confirm_into_gap(self, request, queryset):
        signals = list(queryset)
        form = self._form(request, ConfirmForm, initial={"title": _title(signals)})
        form.fields["commitment"].queryset = Commitment.objects.filter(
            policy__company__in={s.company_id for s in signals}
        )

        def run(data):
            commitment = data["commitment"]
            return triage.confirm(
                signals, title=data["title"], narrative=data["narrative"], severity=data["severity"],
                reason=data["change_reason"], commitment_id=commitment.pk if commitment else None,
                user=request.user,
            )

        return self._triage(request, queryset, form, run, "Confirm into a gap", "Created draft gap “{}”.")

    @admin.action(description="Merge selected signals into an existing gap", permissions=["change"])
    def merge_into_gap(self, request, queryset):
        signals = list(queryset)
        form = self._form(request, MergeForm)
        form.fields["gap"].queryset = Gap.objects.filter(company__in={s.company_id for s in signals})

        def run(data):
            return triage.merge(signals, data["gap"], reason=data["change_reason"], user=request.user)

        return self._triage(request, queryset, form, run, "Merge into a gap", "Merged into gap “{}”.")

    @admin.action(description="Dismiss selected signals (with a reason)", permissions=["change"])
    def dismiss_signals(self, request, queryset):
        signals = list(queryset)
        form = self._form(request, DismissForm, initial={"change_reason": action_reason(request)})

        def run(data):
            triage.dismiss(signals, reason=data["change_reason"], user=request.user)
            return f"{len(signals)} signal(s)"

        return self._triage(request, queryset, form, run, "Dismiss", "Dismissed {}.")

    def _form(self, request, form_class, initial=None):
        if "apply" in request.POST:
            return form_class(request.POST)
        return form_class(initial=initial)

    def _triage(self, request, queryset, form, run, label, done):
        if "apply" in request.POST and form.is_valid():
            try:
                result = run(form.cleaned_data)
            except triage.TriageError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, done.format(result), messages.SUCCESS)
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": label,
            "label": label,
            "form": form,
            "signals": queryset.select_related("company", "commitment"),
            "action": request.POST.get("action"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/policies/signal/triage.html", context)


def _title(signals):
    s = signals[0] if signals else None
    if s is None:
        return ""
    about = s.commitment.title if s.commitment_id else "its practice"
    return f"{s.company}: “{about}” and the practice"
