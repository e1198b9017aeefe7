"""Staff upload pages for imports, and the log of past USAspending imports.

Registered as the admin of `ImportRun` (read-only: runs are written by the importer),
with two extra pages under it:

- "Import from USAspending": upload one or more CSV files (the parts of a download); every
  row's outcome is shown, with a summary. Needs permission to add contracts; publishing
  the new records needs the Reviewers group.
- "Import a policy version": upload a .md/.txt/.html file for a policy and a date.
"""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..imports.csvfile import CsvFile
from ..imports.policy_versions import import_version, read_policy_text_from_bytes
from ..imports.usaspending import ImportOptions, import_files
from ..models import ImportRun, Policy
from ..roles import REVIEWERS, can_publish_imports

SHOWN_ROWS = 5000  # rows listed on the page; the counts always cover every row


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        return (
            [single(d, initial) for d in data] if isinstance(data, list | tuple) else [single(data, initial)]
        )


class UsaspendingUploadForm(forms.Form):
    files = MultipleFileField(
        label="CSV files",
        help_text="A Contracts_PrimeAwardSummaries or Contracts_PrimeTransactions download; "
        "select every part (_1.csv, _2.csv, …) of a split download together.",
    )
    reason = forms.CharField(required=False, max_length=500, help_text="Added to the history reason.")
    period_start = forms.DateField(required=False, help_text="The download's date filter, if known.")
    period_end = forms.DateField(required=False)
    dry_run = forms.BooleanField(required=False, initial=True, label="Dry run (save nothing)")
    all_or_nothing = forms.BooleanField(required=False, label="Save nothing if any row is rejected")
    publish = forms.BooleanField(required=False, label="Publish new records (reviewers only)")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if bool(start) != bool(end):
            raise forms.ValidationError("Give both ends of the period, or neither.")
        if start and end and end < start:
            raise forms.ValidationError("The period ends before it starts.")
        return data


class PolicyVersionUploadForm(forms.Form):
    policy = forms.ModelChoiceField(queryset=Policy.objects.select_related("company"))
    effective_on = forms.DateField(label="Effective date", help_text="YYYY-MM-DD")
    file = forms.FileField(help_text=".md, .txt or .html")
    reason = forms.CharField(required=False, max_length=500)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "download_name",
        "kind",
        "seen_on",
        "status",
        "agency_codes",
        "period_start",
        "period_end",
        "started_at",
    )
    list_filter = ("kind", "status")
    exclude = ("user",)
    readonly_fields = [f.name for f in ImportRun._meta.fields if f.name != "user"]
    change_list_template = "admin/policies/importrun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The log (and the keys each run saw, deleted with it) drives the checks for awards
        # that vanished from the source; it keeps no history, so nothing here deletes it.
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("usaspending/", view(self.usaspending_view), name="policies_importrun_usaspending"),
            path("policy-version/", view(self.policy_version_view), name="policies_importrun_policy_version"),
        ] + super().get_urls()

    def usaspending_view(self, request):
        if not request.user.has_perm("policies.add_contract"):
            raise PermissionDenied
        form = UsaspendingUploadForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if data["publish"] and not can_publish_imports(request.user):
                form.add_error("publish", f"Only those who may publish contracts ({REVIEWERS}) can publish.")
            else:
                report = self._import(request, data)
        rows = sorted(report.rows, key=lambda r: (r.file, r.line))[:SHOWN_ROWS] if report else []
        return self._render(
            request,
            "admin/policies/importrun/usaspending.html",
            "Import from USAspending",
            {
                "form": form,
                "report": report,
                "rows": rows,
                "shown_rows": SHOWN_ROWS,
            },
        )

    def _import(self, request, data):
        files = [CsvFile(f.name, f.file) for f in data["files"]]
        period = (data["period_start"], data["period_end"]) if data["period_start"] else None
        options = ImportOptions(
            dry_run=data["dry_run"],
            reason=data["reason"],
            publish=data["publish"],
            user=request.user,
            all_or_nothing=data["all_or_nothing"],
            period=period,
        )
        return import_files(files, options)

    def policy_version_view(self, request):
        if not request.user.has_perm("policies.add_policyversion"):
            raise PermissionDenied
        form = PolicyVersionUploadForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            raw = upload.read()
            text, error = read_policy_text_from_bytes(upload.name, raw)
            if not error and b"\x00" in raw:
                # UTF-16 text and binary files decode as "UTF-8" with NUL characters, which
                # PostgreSQL refuses in a text column (an error page instead of this message).
                error = (
                    f"{upload.name}: the file holds NUL bytes, so it is not UTF-8 text "
                    "(UTF-16, or not text at all)"
                )
            if error:
                form.add_error("file", error)
            else:
                try:
                    result = import_version(
                        data["policy"],
                        data["effective_on"],
                        text,
                        file_name=upload.name,
                        user=request.user,
                        reason=data["reason"],
                    )
                except IntegrityError:
                    # Another upload (or edit) for this policy and date won the race; its
                    # version stands, this one's writes were rolled back together.
                    form.add_error(
                        "effective_on",
                        "A version of this policy for this date was saved meanwhile: nothing was "
                        "imported. Open the policy's versions to compare.",
                    )
        return self._render(
            request,
            "admin/policies/importrun/policy_version.html",
            "Import a policy version",
            {
                "form": form,
                "result": result,
            },
        )

    def _render(self, request, template, title, context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.opts,
                "today": datetime.date.today(),
                "runs_url": reverse("admin:policies_importrun_changelist"),
                **context,
            },
        )
