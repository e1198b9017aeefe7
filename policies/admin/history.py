"""History pages for staff: field-by-field diffs (word-level for long text), who, why, revert.

A revert saves the chosen version as a new history row with its own reason (the
form's required reason, prefixed "Reverted to the version of <date>"). It never
changes the editorial status (publishing stays a reviewer's explicit act), nor any
field the admin shows the user as read-only.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import formats, timezone
from simple_history.admin import SimpleHistoryAdmin

from ..locking import describe

EDITORIAL_FIELDS = ("editorial_status", "published_at", "correction_note")


class HistoryAdminMixin(SimpleHistoryAdmin):
    object_history_template = "admin/policies/object_history.html"
    object_history_list_template = "admin/policies/object_history_list.html"
    object_history_form_template = "admin/policies/object_history_form.html"
    history_list_per_page = 50

    def history_view(self, request, object_id, extra_context=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such record.") from None  # simple_history's lookup raises ValueError
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        rows = list(historical_records)
        for newer, older in zip(rows, rows[1:] + [None], strict=True):
            if older is None and newer.history_type != "+":
                older = newer.prev_record  # the oldest row on this page: diff across the page break
            newer.edit = describe(newer, previous=older)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        with transaction.atomic():
            current = self.get_object(request, object_id)
            if current is None:
                raise PermissionDenied
            if request.method == "POST" and not self.has_change_permission(request, current):
                raise PermissionDenied
            request._revert = {"current": current, "version_id": version_id}
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        revert = getattr(request, "_revert", None)
        if revert and obj is not None:
            # The form shows the old version but must lock against (and count on from) today's.
            obj.revision = revert["current"].revision
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        revert = getattr(request, "_revert", None)
        if revert:
            current = revert["current"]
            # What the form does not let this user edit stays as it is now: the editorial
            # status, and read-only fields that move only through their own pages (a
            # signal's status moves only through triage). The old version restores the rest.
            kept = {*EDITORIAL_FIELDS, *self.get_readonly_fields(request, current)}
            for field in obj._meta.concrete_fields:
                if field.name in kept and not field.primary_key:
                    setattr(obj, field.attname, getattr(current, field.attname))
            version = obj.history.get(history_id=revert["version_id"])
            when = formats.date_format(timezone.localtime(version.history_date), "j M Y H:i")
            obj._change_reason = f"Reverted to the version of {when}: {obj._change_reason}"
        super().save_model(request, obj, form, change)
