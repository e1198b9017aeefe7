"""Policies, their dated versions, and commitments tracked clause by clause."""

import hashlib

from django.db import models

from ..lib.terms_types import TERMS_TYPE_CHOICES
from ..lib.urls import cached_reverse
from .base import (
    Citable,
    TrackedModel,
    choices_constraint,
    event_date,
    precision_constraint,
    precision_field,
)
from .organisations import Company
from .taxonomy import Topic


def text_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Policy(Citable):
    """A company's published policy or principle (acceptable use, human rights policy, ...)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="policies")
    slug = models.SlugField()
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=80, choices=TERMS_TYPE_CHOICES, default="Other")
    url = models.URLField(max_length=1000, blank=True)
    summary = models.TextField(blank=True)

    class Meta(Citable.Meta):
        ordering = ["company__name", "title"]
        verbose_name_plural = "policies"
        constraints = Citable.Meta.constraints + [
            models.UniqueConstraint(fields=["company", "slug"], name="policy_unique_slug"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return cached_reverse("policies:policy", self.company.slug, self.slug)


class EffectiveBasis(models.TextChoices):
    EFFECTIVE = "effective", "Took effect on this date"
    IN_FORCE_BY = "in_force_by", "Known to be in force by this date"


class PolicyVersion(Citable):
    """The text (or the relevant excerpt) of a policy as published from a date."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    effective_on = models.DateField()
    effective_precision = precision_field()
    effective_basis = models.CharField(
        max_length=12, choices=EffectiveBasis.choices, default=EffectiveBasis.EFFECTIVE
    )
    is_excerpt = models.BooleanField(
        default=False, help_text="The text is only the relevant excerpt, not the whole policy."
    )
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, editable=False)
    change_summary = models.TextField(blank=True)

    class Meta(Citable.Meta):
        ordering = ["policy", "effective_on"]
        get_latest_by = "effective_on"
        constraints = Citable.Meta.constraints + [
            precision_constraint("effective"),
            choices_constraint("effective_basis", EffectiveBasis),
            models.UniqueConstraint(
                fields=["policy", "effective_on"], name="policy_version_one_per_effective_date"
            ),
        ]

    def __str__(self):
        return f"{self.policy} — {self.effective}"

    def get_absolute_url(self):
        return f"{self.policy.get_absolute_url()}#version-{self.pk}"

    @property
    def effective(self):
        return event_date(self, "effective")

    def save(self, *args, **kwargs):
        self.text_sha256 = text_hash(self.text)
        super().save(*args, **kwargs)


class Stance(models.TextChoices):
    PROHIBITS = "prohibits", "Prohibits"
    RESTRICTS = "restricts", "Restricts"
    COMMITS = "commits", "Commits to"


class Commitment(Citable):
    """One clause practice can be held against, with a stable identity across versions.

    Its wording in each version is a CommitmentClause; the identity (and its topics)
    stays put while the wording changes, so a diff can say "weakened" or "removed".
    """

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="commitments")
    slug = models.SlugField()
    title = models.CharField(max_length=300, help_text="A short label, e.g. 'No mass surveillance'.")
    topics = models.ManyToManyField(Topic, through="CommitmentTopic", related_name="commitments")
    depends_on_use = models.BooleanField(
        default=True,
        help_text="Honouring it depends on how customers use the product "
        "(so 'we cannot see how it is used' undermines it).",
    )

    class Meta(Citable.Meta):
        ordering = ["policy", "title"]
        constraints = Citable.Meta.constraints + [
            models.UniqueConstraint(fields=["policy", "slug"], name="commitment_unique_slug"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.policy.get_absolute_url()}#commitment-{self.slug}"


class CommitmentTopic(TrackedModel):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commitment", "topic"], name="commitment_topic_unique")
        ]

    def __str__(self):
        return f"{self.commitment} → {self.topic}"


class ClauseChange(models.TextChoices):
    ADDED = "added", "Added"
    UNCHANGED = "unchanged", "Unchanged"
    REWORDED = "reworded", "Reworded"
    WEAKENED = "weakened", "Weakened"
    STRENGTHENED = "strengthened", "Strengthened"
    REMOVED = "removed", "Removed"


class CommitmentClause(TrackedModel):
    """A commitment's wording in one policy version, and how it changed from the previous one."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="clauses")
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="clauses")
    text = models.TextField(blank=True, help_text="Empty when the clause was removed.")
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.PROHIBITS)
    change = models.CharField(max_length=12, choices=ClauseChange.choices, default=ClauseChange.ADDED)
    change_suggested = models.CharField(
        max_length=12, choices=ClauseChange.choices, blank=True,
        help_text="What the diff suggested; staff confirm weakened/removed.",
    )
    change_confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["version__effective_on", "commitment"]
        constraints = [
            choices_constraint("stance", Stance),
            choices_constraint("change", ClauseChange),
            models.UniqueConstraint(
                fields=["commitment", "version"], name="commitment_clause_one_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(change=ClauseChange.REMOVED) | ~models.Q(text=""),
                name="commitment_clause_text_unless_removed",
            ),
        ]

    def __str__(self):
        return f"{self.commitment} in {self.version} ({self.get_change_display().lower()})"
