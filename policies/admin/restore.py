"""Deleted records in the admin: a list per model, and "Restore…" (undo a deletion).

See `policies/restore.py`. Restoring needs the permissions to add and to delete the
model (the reviewers' for public records): it undoes what a deletion did.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import restore

LABEL_FIELDS = ("title", "name", "quote", "value", "locator", "metric", "slug")


def _restore_form(data=None):
    from .base import reason_field  # base imports this module's mixin

    class RestoreForm(forms.Form):
        change_reason = reason_field()

    return RestoreForm(data)


def label(row):
    """A short name for a deleted version, from its own fields (no query)."""
    for name in LABEL_FIELDS:
        value = getattr(row, name, None)
        if value:
            text = str(value)
            return text if len(text) <= 90 else text[:89] + "…"
    return f"#{row.id}"


class RestoreAdminMixin:
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_"
        view = self.admin_site.admin_view
        return [
            path("deleted/", view(self.deleted_view), name=prefix + "deleted"),
            path("<path:object_id>/restore/", view(self.restore_view), name=prefix + "restore"),
            *super().get_urls(),
        ]

    def may_restore(self, request):
        return self.has_add_permission(request) and self.has_delete_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_restore": self.may_restore(request)}
        return super().changelist_view(request, extra_context)

    def deleted_view(self, request):
        if not self.may_restore(request):
            raise PermissionDenied
        page = Paginator(restore.deleted(self.model), 50).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {self.opts.verbose_name_plural}",
            "opts": self.opts,
            "page": page,
            "rows": [(row, label(row)) for row in page.object_list],
        }
        return TemplateResponse(request, "admin/policies/deleted_records.html", context)

    def restore_view(self, request, object_id):
        if not self.may_restore(request):
            raise PermissionDenied
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such record.") from None
        deletion = restore.find(self.model, pk)
        if deletion is None:
            raise Http404("No deleted record with this id (it exists, or was never deleted).")
        # The rights on the record as it would be again: a citation of a public record is
        # the reviewers' to put back, as it is theirs to delete (children.PublicParentAdminMixin).
        try:
            allowed = self.has_delete_permission(request, deletion.row.instance)
        except ObjectDoesNotExist:  # what it belongs to is deleted too: restore refuses that
            allowed = True
        if not allowed:
            raise PermissionDenied
        form = _restore_form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["change_reason"]
            try:
                record, left = restore.restore(deletion, user=request.user, reason=reason)
            except restore.RestoreError as error:
                form.add_error(None, str(error))
            else:
                self.log_addition(request, record, f"Restored after deletion: {reason}")
                publishable = hasattr(record, "editorial_status")
                draft = " as a draft: review it, then publish it again" if publishable else ""
                self.message_user(request, f"{record} — restored{draft}.", messages.SUCCESS)
                for note in left:
                    self.message_user(
                        request,
                        f"Left deleted: {note}. It comes back by itself when what it points at is "
                        "restored.",
                        messages.WARNING,
                    )
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Restore: {label(deletion.row)}",
            "opts": self.opts,
            "deletion": deletion,
            "label": label(deletion.row),
            "kinds": deletion.kinds(),
            "relinks": deletion.relinks(),
            "form": form,
        }
        return TemplateResponse(request, "admin/policies/restore.html", context)
