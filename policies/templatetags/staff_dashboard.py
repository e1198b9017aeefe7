"""{% staff_dashboard %}: the work lists at the top of the admin index."""

from django import template

register = template.Library()


@register.inclusion_tag("admin/policies/dashboard.html", takes_context=True)
def staff_dashboard(context):
    from ..admin.dashboard import overdue, waiting_for_review

    user = context["request"].user
    if not user.has_module_perms("policies"):
        return {"show": False}
    return {"show": True, "waiting": waiting_for_review(), "overdue": overdue()}
