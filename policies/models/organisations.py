"""Companies (with dated aliases and corporate families), agencies and products."""

import re
import unicodedata

from django.db import models
from django.db.models import F, Q

from ..lib.urls import cached_reverse
from .base import (
    Citable,
    TrackedModel,
    choices_constraint,
    date_order_constraint,
    event_date,
    precision_constraint,
    precision_field,
)
from .taxonomy import Capability

_LEGAL_SUFFIXES = re.compile(
    r"\b(incorporated|inc|corporation|corp|company|co|llc|l\.l\.c|ltd|limited|plc|lp|llp|gmbh|sa|ag)\b\.?",
)


def normalise_name(name):
    """A matching key for company names: "Microsoft Corp." and "MICROSOFT CORPORATION" agree."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    text = _LEGAL_SUFFIXES.sub(" ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class Company(Citable):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    website = models.URLField(blank=True)
    family = models.ManyToManyField(
        "self",
        through="CompanyRelationship",
        through_fields=("parent", "child"),
        symmetrical=False,
        related_name="+",
    )

    class Meta(Citable.Meta):
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("policies:company", self.slug)


class AliasScheme(models.TextChoices):
    NAME = "name", "Name"
    UEI = "uei", "UEI (SAM.gov)"
    DUNS = "duns", "DUNS"
    TICKER = "ticker", "Stock ticker"


class CompanyAlias(TrackedModel):
    """Another name or identifier a company is known by, for a dated period."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="aliases")
    scheme = models.CharField(max_length=10, choices=AliasScheme.choices, default=AliasScheme.NAME)
    value = models.CharField(max_length=300, help_text="The name or identifier as written.")
    key = models.CharField(max_length=300, editable=False, db_index=True)
    is_former_name = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["company", "scheme", "value"]
        verbose_name_plural = "company aliases"
        constraints = [
            choices_constraint("scheme", AliasScheme),
            date_order_constraint("valid_from", "valid_to"),
            models.UniqueConstraint(fields=["scheme", "key"], name="company_alias_unique_key"),
            models.CheckConstraint(condition=~Q(key=""), name="company_alias_key_not_empty"),
        ]

    def __str__(self):
        return f"{self.value} ({self.get_scheme_display()})"

    @staticmethod
    def make_key(scheme, value):
        if scheme == AliasScheme.NAME:
            return normalise_name(value)
        return re.sub(r"\s+", "", value or "").upper()

    def save(self, *args, **kwargs):
        self.key = self.make_key(self.scheme, self.value)
        super().save(*args, **kwargs)


class RelationshipKind(models.TextChoices):
    SUBSIDIARY = "subsidiary", "Subsidiary of parent"
    DIVISION = "division", "Division or brand of parent"
    RESELLER = "reseller", "Authorised reseller of parent"


class CompanyRelationship(Citable):
    """A dated link in a corporate family: `child` is a subsidiary (or reseller) of `parent`."""

    parent = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="parent_links")
    kind = models.CharField(
        max_length=12, choices=RelationshipKind.choices, default=RelationshipKind.SUBSIDIARY
    )
    started_on = models.DateField(null=True, blank=True)
    started_precision = precision_field()
    ended_on = models.DateField(null=True, blank=True)
    ended_precision = precision_field()

    class Meta(Citable.Meta):
        constraints = Citable.Meta.constraints + [
            choices_constraint("kind", RelationshipKind),
            precision_constraint("started"),
            precision_constraint("ended"),
            date_order_constraint("started_on", "ended_on"),
            models.CheckConstraint(
                condition=~Q(parent=F("child")), name="company_relationship_not_self"
            ),
            models.UniqueConstraint(
                fields=["parent", "child", "kind", "started_on"], name="company_relationship_unique"
            ),
        ]

    def __str__(self):
        return f"{self.child} — {self.get_kind_display().lower()} — {self.parent}"

    @property
    def started(self):
        return event_date(self, "started")

    @property
    def ended(self):
        return event_date(self, "ended")


class Agency(Citable):
    """A government body. Agencies nest: an enforcement agency under its department."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=30, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    jurisdiction = models.CharField(max_length=100, blank=True, help_text="e.g. United States")
    code = models.CharField(
        max_length=20, blank=True, help_text="Official agency code, e.g. 7012 in USAspending."
    )
    summary = models.TextField(blank=True)

    class Meta(Citable.Meta):
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = Citable.Meta.constraints + [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="agency_not_own_parent"),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="agency_code_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def get_absolute_url(self):
        return cached_reverse("policies:agency", self.slug)


class Product(Citable):
    """A company's product or service, with the capabilities it has."""

    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="products",
        help_text="Leave empty when the sources do not name the maker.",
    )
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    capabilities = models.ManyToManyField(
        Capability, through="ProductCapability", related_name="products"
    )

    class Meta(Citable.Meta):
        ordering = ["company__name", "name"]
        constraints = Citable.Meta.constraints + [
            models.UniqueConstraint(fields=["slug"], name="product_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("policies:record", "product", self.pk)


class ProductCapability(TrackedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT)
    note = models.CharField(max_length=300, blank=True, help_text="As the source describes it.")

    class Meta:
        verbose_name_plural = "product capabilities"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "capability"], name="product_capability_unique"
            )
        ]

    def __str__(self):
        return f"{self.product}: {self.capability}"
