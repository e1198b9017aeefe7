"""Companies (with aliases), corporate families, agencies and products."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from ..models import Agency, Company, CompanyAlias, CompanyRelationship, Product, ProductCapability
from .base import TrackedAdmin, TrackedTabularInline
from .children import PublicParentAdminMixin
from .columns import editorial_badge
from .inlines import CitationInline, kept_rows
from .workflow import CitableAdmin


class AliasFormSet(BaseInlineFormSet):
    """Two rows of one form matching each other: the unique rule on the derived key, as a message."""

    def clean(self):
        super().clean()
        seen = set()
        for _form, data in kept_rows(self):
            if not data.get("scheme") or not data.get("value"):
                continue
            key = (data["scheme"], CompanyAlias.make_key(data["scheme"], data["value"]))
            if key in seen:
                raise forms.ValidationError(
                    f"Two rows give the same alias (“{data['value']}”): keep one. Nothing was saved."
                )
            seen.add(key)


class CompanyAliasInline(TrackedTabularInline):
    model = CompanyAlias
    formset = AliasFormSet
    fields = ("scheme", "value", "is_former_name", "valid_from", "valid_to")


@admin.register(Company)
class CompanyAdmin(CitableAdmin):
    list_display = ("name", "slug", editorial_badge, "citations", "updated_at")
    list_filter = ("editorial_status", "updated_at")
    search_fields = ("name", "slug", "aliases__value")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CompanyAliasInline, CitationInline]


@admin.register(CompanyAlias)
class CompanyAliasAdmin(PublicParentAdminMixin, TrackedAdmin):
    def parent_of(self, obj):
        return obj.company

    def parent_from_form(self, cleaned_data, instance):
        return cleaned_data.get("company")

    list_display = ("value", "scheme", "company", "is_former_name", "valid_from", "valid_to")
    list_filter = ("scheme", "is_former_name")
    list_select_related = ("company",)
    search_fields = ("value", "company__name")
    autocomplete_fields = ("company",)


@admin.register(CompanyRelationship)
class CompanyRelationshipAdmin(CitableAdmin):
    list_display = ("child", "kind", "parent", "started_on", "ended_on", editorial_badge, "citations")
    list_filter = ("kind", "editorial_status")
    list_select_related = ("parent", "child")
    search_fields = ("parent__name", "child__name")
    autocomplete_fields = ("parent", "child")


@admin.register(Agency)
class AgencyAdmin(CitableAdmin):
    list_display = ("name", "abbreviation", "parent", "jurisdiction", "code", editorial_badge, "citations")
    list_filter = ("editorial_status", "jurisdiction")
    list_select_related = ("parent",)
    search_fields = ("name", "abbreviation", "code", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}


class ProductCapabilityInline(TrackedTabularInline):
    model = ProductCapability
    fields = ("capability", "note")
    autocomplete_fields = ("capability",)


@admin.register(Product)
class ProductAdmin(CitableAdmin):
    list_display = ("name", "company", editorial_badge, "citations", "updated_at")
    list_filter = ("editorial_status", "capabilities")
    list_select_related = ("company",)
    search_fields = ("name", "slug", "company__name", "description")
    autocomplete_fields = ("company",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ProductCapabilityInline, CitationInline]
