"""What every tracked admin shares: a reason on every change, and no lost edits.

Reuse these in any ModelAdmin for a tracked model (one with `history` and `revision`):

    from policies.admin.base import TrackedAdmin

    @admin.register(MyModel)
    class MyModelAdmin(TrackedAdmin):
        ...

- `ReasonForm` (the default `form`) adds a required "Reason for this change" that is
  stored as `history_change_reason` of the record and of every inline row saved with it,
  and a hidden `revision_seen` checked against the row (locked) before saving: a stale
  form is refused, the user's input kept, and what changed meanwhile is listed. A custom
  `form` must subclass `ReasonForm`.
- `ReasonAdminMixin` applies the reason to inlines, deletions (the delete page asks for
  one) and bulk actions (`ReasonActionForm` puts a reason box next to the action menu;
  an action reads it with `action_reason(request)` and must refuse when it is empty).
- `TrackedAdmin` = the mixin + field-by-field history with word diffs and revert
  (`history.HistoryAdminMixin`) on top of django-simple-history's `SimpleHistoryAdmin`.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.http import QueryDict
from django.utils import timezone

from ..locking import StaleEdit, check_revision
from .history import HistoryAdminMixin
from .restore import RestoreAdminMixin
from .validation import friendly_errors

REASON_LABEL = "Reason for this change"
REASON_HELP = (
    "Required. Shown publicly with the record's history, so write it for readers "
    "(e.g. “Added the July 2025 figure from the agency's budget request”). Never name staff."
)
SHORT_TEXT_FIELDS = ("correction_note", "internal_notes", "status_reason", "question")
REASON_MISSING = "Give a reason for this change. It is shown publicly with the history; nothing was saved."


def reason_field(**kwargs):
    return forms.CharField(
        label=REASON_LABEL,
        max_length=1000,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80, "class": "vLargeTextField"}),
        error_messages={"required": REASON_MISSING},
        **kwargs,
    )


class RevisionCheck:
    """Refuse a form whose record (or row) was saved by someone else since it was shown."""

    stale_edit = None  # set to a locking.StaleEdit when the record moved under the user

    def stale_message(self, stale):
        raise NotImplementedError

    def _check_revision(self, seen):
        try:
            check_revision(type(self.instance), self.instance.pk, seen)
        except StaleEdit as stale:
            self.stale_edit = stale
            # The next save is a deliberate overwrite: carry the revision the user has now seen.
            self.data = self.data.copy()
            self.data[self.add_prefix("revision_seen")] = stale.record.revision
            raise forms.ValidationError(self.stale_message(stale), code="stale") from None


class ReasonForm(RevisionCheck, forms.ModelForm):
    """A ModelForm that requires a reason and refuses a save based on a stale revision."""

    change_reason = reason_field()
    revision_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SHORT_TEXT_FIELDS:
            if name in self.fields and isinstance(self.fields[name].widget, forms.Textarea):
                self.fields[name].widget.attrs["rows"] = 3
        if self.instance.pk:
            self.fields["revision_seen"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        friendly_errors(self)
        if self.instance.pk and not self.errors:
            self._check_revision(cleaned.get("revision_seen"))
        return cleaned

    def stale_message(self, stale):
        return (
            "Someone else saved this record while you were editing it. Nothing of yours "
            "was saved: your input is still in the form below. Check their changes (listed "
            "above), then save again to keep your version."
        )


class ReasonActionForm(helpers.ActionForm):
    change_reason = forms.CharField(
        label="Reason (shown publicly)",
        required=False,
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "Reason for this change"}),
    )


def action_reason(request):
    """The reason typed next to the action menu, or "" (the action must then refuse)."""
    return (request.POST.get("change_reason") or "").strip()


class ReasonAdminMixin:
    form = ReasonForm
    action_form = ReasonActionForm
    delete_confirmation_template = "admin/policies/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/policies/delete_selected_confirmation.html"

    def get_fieldsets(self, request, obj=None):
        # The reason is rendered next to the save buttons (templates/admin/policies/reason.html),
        # after the inlines it also applies to; the form still declares and requires it.
        own = ("change_reason", "revision_seen")
        fieldsets = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in own]})
            for name, opts in super().get_fieldsets(request, obj)
        ]
        return [fs for fs in fieldsets if fs[1]["fields"]]

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"].strip()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data["change_reason"].strip()
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete_with_reason(obj, reason, request.user)
        for obj in instances:
            obj._change_reason = reason
            obj._history_user = request.user
            obj.save()
        formset.save_m2m()

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "reason_help": REASON_HELP}
        if request.method == "POST" and not action_reason(request):
            # Show the confirmation page again, with the error, instead of deleting.
            request.POST = QueryDict()
            extra_context["reason_error"] = REASON_MISSING
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        delete_with_reason(obj, action_reason(request), request.user)

    def delete_queryset(self, request, queryset):
        # One delete() per row (not queryset.delete()) so each history row carries the reason.
        for obj in queryset:
            self.delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_with_reason, name, description)
        return actions


def delete_with_reason(obj, reason, user):
    """Delete `obj` and what cascades with it, every history row carrying `reason` and `user`.

    `obj.delete()` would give the reason to `obj` alone: the rows deleted with it (its
    citations, replies, topic links...) are instances the deletion builds itself, so their
    history rows would have no reason. This is `Model.delete()` with the reason applied to
    every collected instance before anything is deleted.
    """
    collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
    collector.collect([obj])
    # One instant for every history row of this deletion: it tells, later, which rows went
    # together (policies/restore.py puts them back together, and only them).
    when = timezone.now()
    for instances in collector.data.values():
        for instance in instances:
            instance._change_reason = reason
            instance._history_user = user
            instance._history_date = when
    with transaction.atomic(using=collector.using):
        _detach_with_history(collector, reason, user, when)
        return collector.delete()


def _detach_with_history(collector, reason, user, when):
    """Rows that only lose a link to what is deleted (SET_NULL: a signal's gap) are saved
    with the link cleared, so that their history says so and why; Django would update them
    without a history row. A model may adjust itself first (`detached`: a signal confirmed
    into a deleted gap goes back to open, as its constraint requires)."""
    for (field, value), instances_list in list(collector.field_updates.items()):
        if not hasattr(field.model, "history"):
            continue
        del collector.field_updates[field, value]
        for instances in instances_list:
            for instance in instances:
                setattr(instance, field.attname, value)
                if hasattr(instance, "detached"):
                    instance.detached(field.name)
                instance._change_reason = f"{reason} (its {field.verbose_name} was deleted)"
                instance._history_user = user
                instance._history_date = when
                instance.save()


def delete_selected_with_reason(modeladmin, request, queryset):
    if not action_reason(request):
        modeladmin.message_user(request, REASON_MISSING, messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


class TrackedAdmin(RestoreAdminMixin, ReasonAdminMixin, HistoryAdminMixin):
    """The admin base for every tracked model: reason, locking, history, revert, restore."""

    list_per_page = 50
    readonly_fields = ("revision",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    class Media:
        css = {"all": ["policies/staff/admin.css"]}
    change_form_template = "admin/policies/change_form.html"
    change_list_template = "admin/policies/change_list.html"


STALE_ROW = (
    "Someone else saved this row while you were editing it{changes}. Nothing was saved: your "
    "input is still in the form. Check their change, then save again to keep your version."
)


class LockedInlineForm(RevisionCheck, forms.ModelForm):
    """An inline row that is never written back over a change saved since the page was opened.

    Saving the parent form moves the parent's revision, so a stale parent form is refused by
    `ReasonForm`; but a row can also change on its own (a citation edited on its own page, a
    reply updated in the replies list), which leaves the parent's revision where it was.
    Each row therefore carries the revision it was shown at. A row whose posted values differ
    from the database (Django saves exactly those, including a row the user never touched
    but someone else changed meanwhile) is refused when its revision moved.
    """

    revision_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and hasattr(self.instance, "revision"):
            self.fields["revision_seen"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        friendly_errors(self)
        if self.instance.pk and hasattr(self.instance, "revision") and not self.errors and self.has_changed():
            self._check_revision(cleaned.get("revision_seen"))
        return cleaned

    def stale_message(self, stale):
        return STALE_ROW.format(changes=_summary(stale))


def _summary(stale):
    parts = []
    for edit in stale.edits:
        fields = "; ".join(f"{c.label}: “{c.old}” → “{c.new}”" for c in edit.changes)
        why = f"reason “{edit.reason}”" if edit.reason else ""
        parts.append(", ".join(p for p in (fields, why) if p))
    return f" ({'; '.join(p for p in parts if p)})" if any(parts) else ""


class StaleDeletionCheck:
    """A formset ignores the errors of rows ticked for deletion; a stale row must not be
    deleted either (it would drop the change someone else just saved)."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form) and getattr(form, "stale_edit", None):
                raise forms.ValidationError(STALE_ROW.format(changes=_summary(form.stale_edit)), code="stale")


class TrackedInlineMixin:
    """Inline rows of a tracked model: the parent's reason is applied by `save_formset`,
    and each row is locked against changes saved elsewhere (`LockedInlineForm`)."""

    form = LockedInlineForm
    extra = 0
    show_change_link = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (StaleDeletionCheck, formset), {})


class TrackedTabularInline(TrackedInlineMixin, admin.TabularInline):
    pass


class TrackedStackedInline(TrackedInlineMixin, admin.StackedInline):
    pass
