"""The editorial workflow in the admin: drafts, review, publish, retract, un-publish.

`PublishableAdmin` is the base for every record the public may see. Editors create
and change drafts; the status fields are read-only in the form and move only through
`policies.editorial` (a page per move, or the bulk actions), which checks the
reviewer's permission and the "at least one citation" rule.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import editorial
from ..locking import StaleEdit, check_revision
from ..models import EditorialStatus
from ..roles import can_publish
from .base import TrackedAdmin, action_reason, reason_field
from .inlines import CitationInline, ReplyInline
from .redaction import RedactionAdminMixin

MOVES = {
    "publish": ("Publish", editorial.publish),
    "retract": ("Retract", editorial.retract),
    "unpublish": ("Un-publish (back to draft)", editorial.unpublish),
}


STALE_MOVE = (
    "This record was saved by someone else after you opened this page (listed below), so "
    "nothing was done: check their changes, then confirm again."
)


class MoveForm(forms.Form):
    change_reason = reason_field()
    # The revision the reviewer is looking at: publishing a version they never saw is refused.
    revision_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    stale_edit = None

    def __init__(self, *args, move, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision_seen"].initial = record.revision
        if move == "publish":
            # The record with its citations and the draft sources and replies published with
            # it, as the page shows them: publishing refuses if any of it changed since.
            self.fields["publication_seen"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=editorial.publication_fingerprint(record)
            )
        if move == "retract":
            self.fields["correction_note"] = forms.CharField(
                label="Public correction note",
                widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
                help_text="Shown on the record: what was wrong and what readers should rely on instead.",
            )


class PublishableAdmin(RedactionAdminMixin, TrackedAdmin):
    actions = ["publish_selected", "unpublish_selected"]
    workflow_readonly = ("editorial_status", "published_at")

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *self.workflow_readonly]
        if not can_publish(request.user, self.model):
            readonly.append("correction_note")
        return readonly

    def has_change_permission(self, request, obj=None):
        """Editors change drafts; once a record is public, only reviewers change it."""
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.is_public:
            return can_publish(request.user, self.model)
        return allowed

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request.user, self.model):
            actions.pop("publish_selected", None)
            actions.pop("unpublish_selected", None)
        return actions

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_"
        view = self.admin_site.admin_view
        moves = [
            path(
                f"<path:object_id>/{move}/",
                view(self.editorial_view),
                {"move": move},
                name=prefix + move,
            )
            for move in MOVES
        ]
        return moves + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["editorial"] = {
            "can_publish": can_publish(request.user, self.model),
            "missing": editorial.missing_for_publication(obj) if obj is not None else [],
            "hidden_behind": editorial.hidden_behind(obj) if obj is not None else [],
        }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def editorial_view(self, request, object_id, move):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not can_publish(request.user, self.model):
            raise PermissionDenied
        label, function = MOVES[move]
        form = MoveForm(request.POST or None, move=move, record=obj)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                done = self._check_seen(obj, form) and self._apply_move(request, obj, move, function, form)
            if done:
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}: {obj}",
            "opts": self.opts,
            "original": obj,
            "form": form,
            "move": move,
            "label": label,
            "missing": editorial.missing_for_publication(obj) if move == "publish" else [],
            "hidden_behind": editorial.hidden_behind(obj) if move == "publish" else [],
            "published_with": editorial.published_with(obj) if move == "publish" else [],
        }
        return TemplateResponse(request, "admin/policies/editorial_move.html", context)

    def _check_seen(self, obj, form):
        try:
            check_revision(type(obj), obj.pk, form.cleaned_data["revision_seen"])
        except StaleEdit as stale:
            form.stale_edit = stale
            form.data = form.data.copy()
            form.data["revision_seen"] = stale.record.revision
            self._show_current(form, stale.record)
            form.add_error(None, STALE_MOVE)
            return False
        return True

    @staticmethod
    def _show_current(form, record):
        """After a refusal the page shows the record as it is now: confirm that, next time."""
        if "publication_seen" in form.fields:
            form.data = form.data.copy()
            form.data["publication_seen"] = editorial.publication_fingerprint(record)

    def _apply_move(self, request, obj, move, function, form):
        data = form.cleaned_data
        extra = {"correction_note": data["correction_note"]} if move == "retract" else {}
        if move == "publish":
            # Absent (a client that sends only a reason), as for revision_seen: not checked.
            extra["fingerprint"] = data.get("publication_seen") or None
        try:
            function(obj, user=request.user, reason=data["change_reason"], **extra)
        except editorial.EditorialError as error:
            if isinstance(error, editorial.ChangedSinceSeen):
                self._show_current(form, obj)
            form.add_error(None, str(error))
            return False
        self.log_change(request, obj, f"{MOVES[move][0]}: {data['change_reason']}")
        self.message_user(request, f"{obj} — {MOVES[move][0].lower()}: done.", messages.SUCCESS)
        return True

    @staticmethod
    def _bulk(modeladmin, request, queryset, function, verb, seen=None):
        """Apply `function` to each record; with `seen` ({pk: publication fingerprint} from
        the confirmation page), a record changed since is refused (editorial.publish)."""
        reason = action_reason(request)
        if not reason:
            modeladmin.message_user(request, "Type a reason next to the action menu first.", messages.ERROR)
            return
        done, refused = 0, []
        hidden = []
        for obj in queryset:
            extra = {} if seen is None else {"fingerprint": seen.get(str(obj.pk), "")}
            try:
                function(obj, user=request.user, reason=reason, **extra)
                done += 1
            except editorial.EditorialError as error:
                refused.append(f"“{obj}”: {error}")
                continue
            if function is editorial.publish and (behind := editorial.hidden_behind(obj)):
                hidden.append(f"“{obj}”: {'; '.join(behind)}.")
        if done:
            modeladmin.message_user(request, f"{verb} {done} record(s).", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, f"Not {verb.lower()} {line}", messages.WARNING)
        for line in hidden:
            modeladmin.message_user(
                request, f"Published but not shown on the site yet: {line}", messages.WARNING
            )

    def publish_selected(self, request, queryset):
        """First a confirmation page listing what will be published, as it is now (with
        the last change to each record, the draft sources and replies published with it,
        and what would stop or hide it); publishing then refuses any record of which any
        of that changed after the page was shown (editorial.publication_fingerprint)."""
        if not action_reason(request):
            self.message_user(request, "Type a reason next to the action menu first.", messages.ERROR)
            return None
        if request.POST.get("post") != "yes":
            return self._confirm_publish(request, queryset)
        # The page offers only the records it said were ready, each with what the reviewer
        # was shown; a record without it (a forged or stale form) is refused, not published.
        seen = {k.removeprefix("seen_"): v for k, v in request.POST.items() if k.startswith("seen_")}
        self._bulk(self, request, queryset, editorial.publish, "Published", seen=seen)
        return None

    def _confirm_publish(self, request, queryset):
        records = []
        for obj in queryset:
            record = {
                "obj": obj,
                "latest": obj.history.order_by("-history_date", "-history_id").first(),
                "missing": editorial.missing_for_publication(obj),
                "hidden_behind": editorial.hidden_behind(obj),
                "published_with": editorial.published_with(obj),
            }
            record["ready"] = not record["missing"] and obj.editorial_status != EditorialStatus.PUBLISHED
            if record["ready"]:
                record["fingerprint"] = editorial.publication_fingerprint(obj)
            records.append(record)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Publish {len(records)} {self.opts.verbose_name_plural}?",
            "opts": self.opts,
            "records": records,
            "ready": sum(1 for r in records if r["ready"]),
            "reason": action_reason(request),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/policies/publish_selected_confirmation.html", context)

    publish_selected.short_description = "Publish selected (reviewers)"

    def unpublish_selected(self, request, queryset):
        self._bulk(self, request, queryset, editorial.unpublish, "Un-published")

    unpublish_selected.short_description = "Un-publish selected, back to draft (reviewers)"


class CitableAdmin(PublishableAdmin):
    """A record that cites sources: citations inline, and their count in the list."""

    inlines = [CitationInline]

    def get_queryset(self, request):
        # The Count makes a GROUP BY query, where Django ignores Meta.ordering; the
        # changelist orders for itself, the autocomplete would paginate unordered rows.
        ordering = self.model._meta.ordering or ("-pk",)
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=Count("citations", distinct=True))
            .order_by(*ordering)
        )

    @admin.display(description="Citations", ordering="citation_count")
    def citations(self, obj):
        count = getattr(obj, "citation_count", None)
        if count == 0:
            return format_html('<span class="missing-citation">{}</span>', "none")
        return count


class ClaimAdmin(CitableAdmin):
    """A contestable record: citations and right of reply inline."""

    inlines = [CitationInline, ReplyInline]
