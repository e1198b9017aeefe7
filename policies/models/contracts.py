"""What companies do: government contracts, the products sold, and usage over time."""

from django.db import models
from django.db.models import F, Q

from ..lib.urls import cached_reverse
from .base import (
    Claim,
    TrackedModel,
    choices_constraint,
    date_order_constraint,
    event_date,
    precision_constraint,
    precision_field,
)
from .organisations import Agency, Company, Product


class SaleRoute(models.TextChoices):
    UNKNOWN = "unknown", "Route not reported"
    DIRECT = "direct", "Sold directly by the vendor"
    RESELLER = "reseller", "Sold through a reseller"
    PRIME = "prime", "Supplied under a prime contractor"


class SourceStatus(models.TextChoices):
    NOT_APPLICABLE = "", "Not from an official data source"
    PRESENT = "present", "In the official source"
    VANISHED = "vanished", "No longer in the official source"


class Contract(Claim):
    """Money or services flowing from an agency to a vendor, possibly through an intermediary."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contracts")
    vendor = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts",
        help_text="The company whose products or services are sold; empty if not reported.",
    )
    intermediary = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT,
        related_name="intermediated_contracts",
        help_text="The reseller or prime contractor, if the sale went through one.",
    )
    route = models.CharField(max_length=10, choices=SaleRoute.choices, default=SaleRoute.UNKNOWN)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    award_id = models.CharField(
        max_length=200, blank=True, help_text="Official award identifier, e.g. a PIID."
    )
    award_key = models.CharField(
        max_length=300, blank=True,
        help_text="Unique key in the official source (USAspending contract_award_unique_key).",
    )
    amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True,
        help_text="Total obligated or reported amount.",
    )
    potential_amount = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True,
        help_text="Potential total value including options.",
    )
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code.")
    amount_note = models.CharField(
        max_length=300, blank=True, help_text="How the amount was reported, e.g. 'about'."
    )
    started_on = models.DateField(null=True, blank=True)
    started_precision = precision_field()
    ended_on = models.DateField(null=True, blank=True)
    ended_precision = precision_field()
    products = models.ManyToManyField(Product, through="ContractProduct", related_name="contracts")
    source_status = models.CharField(
        max_length=10, choices=SourceStatus.choices, default="", blank=True
    )
    last_seen_in_source_on = models.DateField(null=True, blank=True)

    class Meta(Claim.Meta):
        ordering = ["started_on", "id"]
        constraints = Claim.Meta.constraints + [
            choices_constraint("route", SaleRoute),
            choices_constraint("source_status", SourceStatus),
            precision_constraint("started"),
            precision_constraint("ended"),
            date_order_constraint("started_on", "ended_on"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="contract_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(potential_amount__isnull=True) | Q(potential_amount__gte=0),
                name="contract_potential_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="contract_currency_iso4217"
            ),
            models.CheckConstraint(
                condition=Q(intermediary__isnull=True) | ~Q(intermediary=F("vendor")),
                name="contract_intermediary_not_vendor",
            ),
            models.CheckConstraint(
                condition=Q(route__in=[SaleRoute.DIRECT, SaleRoute.UNKNOWN], intermediary__isnull=True)
                | (Q(route__in=[SaleRoute.RESELLER, SaleRoute.PRIME]) & Q(intermediary__isnull=False)),
                name="contract_route_matches_intermediary",
            ),
            models.UniqueConstraint(
                fields=["award_key"], condition=~Q(award_key=""), name="contract_award_key_unique"
            ),
            # Official records are keyed by award_key (a PIID can repeat under one agency
            # with different parent awards); hand-entered contracts by agency + award id.
            models.UniqueConstraint(
                fields=["agency", "award_id"], condition=~Q(award_id="") & Q(award_key=""),
                name="contract_award_id_unique_per_agency",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return cached_reverse("policies:record", "contract", self.pk)

    @property
    def started(self):
        return event_date(self, "started")

    @property
    def ended(self):
        return event_date(self, "ended")


class ContractProduct(TrackedModel):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "product"], name="contract_product_unique")
        ]

    def __str__(self):
        return f"{self.contract} — {self.product}"


class Metric(models.TextChoices):
    STORAGE = "storage", "Data stored"
    SPEND = "spend", "Spend"
    OBLIGATION = "obligation", "Obligated amount (transaction)"
    USERS = "users", "Users"
    OTHER = "other", "Other"


class Observation(Claim):
    """A measured quantity at a date, on a contract or a company–agency relationship."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="observations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="observations")
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )
    metric = models.CharField(max_length=12, choices=Metric.choices)
    value = models.DecimalField(max_digits=20, decimal_places=2)
    unit = models.CharField(max_length=20, help_text="e.g. TB, USD, users")
    is_approximate = models.BooleanField(default=False, help_text="Reported as 'about' or 'nearly'.")
    observed_on = models.DateField()
    observed_precision = precision_field()
    transaction_key = models.CharField(
        max_length=300, blank=True, help_text="Official transaction key, when imported."
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta(Claim.Meta):
        ordering = ["observed_on", "id"]
        constraints = Claim.Meta.constraints + [
            choices_constraint("metric", Metric),
            precision_constraint("observed"),
            models.CheckConstraint(
                condition=Q(metric="obligation") | Q(value__gte=0),
                name="observation_value_not_negative_except_obligations",
            ),
            models.UniqueConstraint(
                fields=["transaction_key"], condition=~Q(transaction_key=""),
                name="observation_transaction_key_unique",
            ),
        ]

    def __str__(self):
        approx = "about " if self.is_approximate else ""
        return f"{self.get_metric_display()}: {approx}{self.value:,.0f} {self.unit} ({self.observed})"

    def get_absolute_url(self):
        return cached_reverse("policies:record", "observation", self.pk)

    @property
    def observed(self):
        return event_date(self, "observed")
