"""Rows that belong to a record (its citations, aliases, clauses) follow the record's rights.

Editors change drafts; once a record is public only reviewers change it (`PublishableAdmin`).
The parent's inlines follow from that, but the rows also have pages of their own, where an
editor could rewrite the quoted passage of a published statement's citation, delete a
published record's only citation, or move a citation onto a public record: public content
changed with no reviewer. `PublicParentAdminMixin` applies the parent's rule on those pages.
"""

from django import forms

from ..roles import can_publish

PUBLIC_PARENT = (
    "“{parent}” is public: only reviewers change what belongs to it. Ask a reviewer, or "
    "un-publish it first. Nothing was saved."
)


def _locked(user, parent):
    return parent is not None and getattr(parent, "is_public", False) and not can_publish(user, type(parent))


class PublicParentAdminMixin:
    def parent_of(self, obj):
        """The record `obj` belongs to (None when unknown)."""
        raise NotImplementedError

    def parent_from_form(self, cleaned_data, instance):
        """The record the form's values make the row belong to."""
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and not (obj is not None and _locked(request.user, self.parent_of(obj)))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not (obj is not None and _locked(request.user, self.parent_of(obj)))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        admin = self

        class ParentCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                parent = admin.parent_from_form(cleaned, self.instance)
                if _locked(request.user, parent):
                    raise forms.ValidationError(PUBLIC_PARENT.format(parent=parent), code="public_parent")
                return cleaned

        ParentCheckedForm.__name__ = form.__name__
        return ParentCheckedForm
