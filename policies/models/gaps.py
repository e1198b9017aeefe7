"""Gaps between commitments and practice, the signals that suggest them, right of reply."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from ..lib.urls import cached_reverse
from .base import (
    Citable,
    Claim,
    PublicQuerySet,
    Publishable,
    TrackedModel,
    choices_constraint,
    date_order_constraint,
)
from .organisations import Company
from .policies import Commitment


class GapStatus(models.TextChoices):
    SIGNAL = "signal", "Signal (computed, not yet reviewed)"
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


OPEN_GAP_STATUSES = (GapStatus.SIGNAL, GapStatus.CONFIRMED, GapStatus.DISPUTED)


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Gap(Citable):
    """A finding that a commitment and the practice diverge."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="gaps")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="gaps")
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    narrative = models.TextField()
    status = models.CharField(max_length=10, choices=GapStatus.choices, default=GapStatus.SIGNAL)
    status_reason = models.TextField(blank=True, help_text="Public: why the status is what it is.")
    severity = models.CharField(max_length=6, choices=Severity.choices, default=Severity.MEDIUM)
    company_response = models.TextField(blank=True, help_text="The company's response, verbatim.")
    replies = GenericRelation("policies.RightOfReply")

    class Meta(Citable.Meta):
        ordering = ["-created_at"]
        constraints = Citable.Meta.constraints + [
            choices_constraint("status", GapStatus),
            choices_constraint("severity", Severity),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return cached_reverse("policies:gap", self.slug)

    @property
    def is_open(self):
        return self.status in OPEN_GAP_STATUSES


class GapEvidence(TrackedModel):
    """A record (contract, observation, statement, ...) that shows the gap."""

    gap = models.ForeignKey(Gap, on_delete=models.CASCADE, related_name="evidence")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    note = models.CharField(max_length=400, blank=True)

    class Meta:
        verbose_name_plural = "gap evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["gap", "content_type", "object_id"], name="gap_evidence_unique"
            )
        ]

    def __str__(self):
        return f"{self.gap}: {self.content_type.model} {self.object_id}"


class SignalStatus(models.TextChoices):
    OPEN = "open", "Open (awaiting triage)"
    CONFIRMED = "confirmed", "Confirmed into a gap"
    MERGED = "merged", "Merged into an existing gap"
    DISMISSED = "dismissed", "Dismissed"
    WITHDRAWN = "withdrawn", "Withdrawn (evidence retracted)"


class Signal(TrackedModel):
    """A possible gap found by a rule. Staff confirm it into a Gap, merge it, or dismiss it."""

    rule = models.CharField(max_length=60, help_text="Name of the rule function that fired.")
    fingerprint = models.CharField(
        max_length=200, unique=True, help_text="Rule and evidence identity; re-runs never duplicate."
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="signals")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.CASCADE, related_name="signals"
    )
    gap = models.ForeignKey(
        Gap, null=True, blank=True, on_delete=models.SET_NULL, related_name="signals"
    )
    status = models.CharField(max_length=10, choices=SignalStatus.choices, default=SignalStatus.OPEN)
    summary = models.TextField()
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    triage_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choices_constraint("status", SignalStatus),
            date_order_constraint("first_date", "last_date"),
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "merged"]) | Q(gap__isnull=False),
                name="signal_confirmed_or_merged_has_gap",
            ),
        ]

    def __str__(self):
        return f"{self.rule}: {self.summary[:80]}"

    # What a restored gap gives back with the link (policies/restore.py).
    relinked_fields = ("status",)

    def detached(self, field_name):
        """Its gap is being deleted: a confirmed or merged signal goes back to triage."""
        if field_name == "gap" and self.status in (SignalStatus.CONFIRMED, SignalStatus.MERGED):
            self.status = SignalStatus.OPEN


class SignalEvidence(TrackedModel):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="evidence")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")

    class Meta:
        verbose_name_plural = "signal evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["signal", "content_type", "object_id"], name="signal_evidence_unique"
            )
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}"


class ReplyOutcome(models.TextChoices):
    PENDING = "pending", "Awaiting reply"
    ANSWERED = "answered", "Answered"
    DECLINED = "declined", "Declined to comment"
    NO_RESPONSE = "no_response", "No response by the deadline"


class RightOfReplyQuerySet(PublicQuerySet):
    def public(self):
        """Published or retracted, and about a record the public may see now.

        A reply's question names what it is about: a reply about an employee action still
        under embargo, or about a record taken back to draft, would tell of it. (Publishing
        a record publishes its replies; taking it back does not take them back.) Content
        types are named by app and model, so the SQL is the same on every database.
        """
        from ..asof import public_record_q
        from ..kinds import RECORD_KINDS

        repliable = [m for m in RECORD_KINDS.values() if issubclass(m, Claim) or m is Gap]
        # Its own status and embargo: replies are read by queries built on every request (a
        # gap's replies). With the whole rule for each kind, building and compiling this
        # queryset took ~13 ms, ~5 ms without (in process, on a busy machine). Where a reply
        # is listed on its own (its page, recent changes) `public_linked` checks its company.
        return super().public().filter(public_record_q(repliable, linked=False))


class RightOfReply(Publishable):
    """The company was asked about a gap or claim: when, by when, and what it answered."""

    objects = RightOfReplyQuerySet.as_manager()

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="replies")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    asked_on = models.DateField()
    deadline_on = models.DateField()
    channel = models.CharField(max_length=200, help_text="e.g. email to the press office")
    question = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    response = models.TextField(blank=True, help_text="The company's answer, verbatim.")
    outcome = models.CharField(
        max_length=12, choices=ReplyOutcome.choices, default=ReplyOutcome.PENDING
    )

    class Meta(Publishable.Meta):
        ordering = ["-asked_on"]
        verbose_name = "right of reply"
        verbose_name_plural = "right of reply requests"
        indexes = [models.Index(fields=["content_type", "object_id"], name="reply_record_idx")]
        constraints = Publishable.Meta.constraints + [
            choices_constraint("outcome", ReplyOutcome),
            date_order_constraint("asked_on", "deadline_on"),
            date_order_constraint("asked_on", "answered_on"),
            models.CheckConstraint(
                condition=~Q(outcome="answered") | (Q(answered_on__isnull=False) & ~Q(response="")),
                name="reply_answered_has_date_and_text",
            ),
        ]

    def __str__(self):
        return f"Request to {self.company} on {self.asked_on:%d %B %Y}"

    @property
    def is_overdue(self):
        from django.utils import timezone

        return self.outcome == ReplyOutcome.PENDING and self.deadline_on < timezone.localdate()


class Redaction(TrackedModel):
    """A record that text was removed (from a record and its public history), by whom, why.

    The redacted text itself is never stored here.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(max_length=100)
    reason = models.TextField()
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Redaction of {self.field_name} on {self.content_type.model} {self.object_id}"
