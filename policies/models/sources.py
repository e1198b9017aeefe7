"""Sources (cited documents) and citations (a record pointing at a source)."""

import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..lib.urls import cached_reverse
from .base import (
    Publishable,
    TrackedModel,
    choices_constraint,
    event_date,
    precision_constraint,
    precision_field,
)

WAYBACK_URL = re.compile(r"^https?://web\.archive\.org/web/(\d{14})(?:id_)?/(\S+)$")


def validate_http_url(value):
    if value and not value.lower().startswith(("http://", "https://")):
        raise ValidationError("Enter a web address that starts with http:// or https://.")


def validate_wayback_url(value):
    if value and not WAYBACK_URL.match(value):
        raise ValidationError(
            "An archive link must be a Wayback Machine capture URL, like "
            "https://web.archive.org/web/20260217120000/https://example.org/article."
        )


class SourceKind(models.TextChoices):
    NEWS = "news", "News report"
    COMPANY = "company", "Company statement"
    LEAK = "leak", "Leaked document"
    GOVERNMENT = "government", "Government record"
    COURT = "court", "Court filing"
    NGO = "ngo", "NGO or research report"
    OTHER = "other", "Other"


class LinkStatus(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked"
    OK = "ok", "Working"
    DEAD = "dead", "Known dead"


class Source(Publishable):
    """A cited document. URL optional: some sources are known only by title and publisher."""

    title = models.CharField(max_length=400)
    publisher = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=SourceKind.choices, default=SourceKind.NEWS)
    url = models.URLField(max_length=1000, blank=True, validators=[validate_http_url])
    published_on = models.DateField(null=True, blank=True)
    published_precision = precision_field()
    accessed_on = models.DateField(null=True, blank=True)
    archive_url = models.URLField(max_length=1200, blank=True, validators=[validate_wayback_url])
    archived_at = models.DateTimeField(null=True, blank=True, help_text="Capture time (UTC).")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the captured document, hex."
    )
    link_status = models.CharField(
        max_length=10, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED
    )
    link_checked_on = models.DateField(null=True, blank=True)

    class Meta(Publishable.Meta):
        ordering = ["-published_on", "title"]
        constraints = Publishable.Meta.constraints + [
            choices_constraint("kind", SourceKind),
            choices_constraint("link_status", LinkStatus),
            precision_constraint("published"),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_is_http",
            ),
            models.CheckConstraint(
                condition=Q(archive_url="") | Q(archive_url__startswith="https://web.archive.org/web/")
                | Q(archive_url__startswith="http://web.archive.org/web/"),
                name="source_archive_is_wayback",
            ),
            models.CheckConstraint(
                condition=Q(content_hash="") | Q(content_hash__regex=r"^[0-9a-f]{64}$"),
                name="source_content_hash_is_sha256",
            ),
        ]

    def __str__(self):
        return f"{self.publisher}: {self.title}"

    def get_absolute_url(self):
        return cached_reverse("policies:source", self.pk)

    @property
    def published(self):
        return event_date(self, "published")


class Citation(TrackedModel):
    """A record pointing at a source, with the passage it relies on."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    # No index of its own: the unique constraint's index (content_type, object_id, ...) serves
    # lookups by record and by content type, and each extra index slowed every citation write.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    quote = models.TextField(blank=True, help_text="The passage relied on, quoted exactly.")
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: page, paragraph, section."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "source", "locator"],
                name="citation_unique_per_record_source_locator",
            )
        ]

    def __str__(self):
        return f"{self.source} ({self.locator})" if self.locator else str(self.source)
