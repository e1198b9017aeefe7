"""What every record shares: history, editorial and claim status, a revision counter."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..lib.event_dates import EventDate, Precision


class EditorialStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class ClaimStatus(models.TextChoices):
    REPORTED = "reported", "Reported"
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"
    DENIED = "denied", "Denied by the company"


PUBLIC_STATUSES = (EditorialStatus.PUBLISHED, EditorialStatus.RETRACTED)


def choices_constraint(field, choices):
    """A named CHECK that keeps `field` within `choices` in the database itself."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [value for value, _ in choices.choices]}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


def precision_constraint(field):
    return choices_constraint(f"{field}_precision", Precision)


def date_order_constraint(start, end):
    """End not before start (either may be unknown)."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": models.F(start)}),
        name=f"%(app_label)s_%(class)s_{end}_not_before_{start}",
    )


def precision_field():
    return models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)


def event_date(instance, field):
    """The EventDate held in `<field>_on` and `<field>_precision` of `instance`."""
    return EventDate(getattr(instance, f"{field}_on"), getattr(instance, f"{field}_precision"))


class HistoricalAttribution(models.Model):
    """Extra columns on every history table.

    `public_attribution` is what the public sees instead of the editor's name:
    staff are shown by role, never by name or email.
    """

    public_attribution = models.CharField(max_length=40, default="Editorial team")

    class Meta:
        abstract = True


class TrackedModel(models.Model):
    """History on every save, and a revision counter for optimistic locking."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Incremented on every save; a stale form is refused when it differs.",
    )

    history = HistoricalRecords(inherit=True, bases=[HistoricalAttribution])

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.revision += 1
        super().save(*args, **kwargs)


class PublicQuerySet(models.QuerySet):
    def published(self):
        return self.filter(editorial_status=EditorialStatus.PUBLISHED)

    def public(self):
        """Published records and retractions (shown as corrections)."""
        return self.filter(editorial_status__in=PUBLIC_STATUSES)

    def drafts(self):
        return self.filter(editorial_status=EditorialStatus.DRAFT)


class Publishable(TrackedModel):
    """A record the public may see once a reviewer publishes it."""

    editorial_status = models.CharField(
        max_length=10, choices=EditorialStatus.choices, default=EditorialStatus.DRAFT
    )
    correction_note = models.TextField(
        blank=True, help_text="Public: why this record was retracted or corrected."
    )
    internal_notes = models.TextField(
        blank=True, help_text="Private to staff. Never shown on the site or exported."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PublicQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            choices_constraint("editorial_status", EditorialStatus),
            models.CheckConstraint(
                condition=~Q(editorial_status=EditorialStatus.RETRACTED) | ~Q(correction_note=""),
                name="%(app_label)s_%(class)s_retraction_has_note",
            ),
        ]

    @property
    def is_public(self):
        return self.editorial_status in PUBLIC_STATUSES


class Citable(Publishable):
    """A public record that must cite at least one source before it is published."""

    citations = GenericRelation("policies.Citation")

    class Meta(Publishable.Meta):
        abstract = True


class Claim(Citable):
    """A citable record whose truth can be contested."""

    claim_status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.REPORTED
    )
    replies = GenericRelation("policies.RightOfReply")

    class Meta(Citable.Meta):
        abstract = True
        constraints = Citable.Meta.constraints + [
            choices_constraint("claim_status", ClaimStatus),
        ]
