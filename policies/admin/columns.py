"""Changelist columns shared by several admins."""

from django.contrib import admin
from django.utils.html import format_html


@admin.display(description="Status", ordering="editorial_status")
def editorial_badge(obj):
    return format_html(
        '<span class="editorial-badge editorial-{}">{}</span>',
        obj.editorial_status,
        obj.get_editorial_status_display(),
    )


def event_date_column(name, label):
    """A column showing `<name>_on` only as precisely as it is known ("July 2025", not "1 July 2025")."""

    @admin.display(description=label, ordering=f"{name}_on")
    def column(obj):
        return str(getattr(obj, name)) or "—"

    column.__name__ = f"{name}_date"
    return column
