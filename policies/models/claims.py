"""What companies say (statements) and what their employees raise (employee actions)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..lib import clock
from ..lib.urls import cached_reverse
from .base import (
    Claim,
    PublicQuerySet,
    TrackedModel,
    choices_constraint,
    date_order_constraint,
    event_date,
    precision_constraint,
    precision_field,
)
from .organisations import Agency, Company
from .taxonomy import Topic


class StatementKind(models.TextChoices):
    ASSURANCE = "assurance", "Assurance"
    DENIAL = "denial", "Denial"
    DEFENCE = "defence", "Defence"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    NO_VISIBILITY = "no_visibility", "Says it cannot see how its product is used"


class Statement(Claim):
    """Something a company or its officer said in public."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="statements")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="statements",
        help_text="The agency the statement is about, if any.",
    )
    speaker = models.CharField(max_length=200, help_text="A person, or 'a company spokesperson'.")
    speaker_role = models.CharField(max_length=200, blank=True)
    made_on = models.DateField(null=True, blank=True)
    made_precision = precision_field()
    quote = models.TextField(help_text="Verbatim where available.")
    is_paraphrase = models.BooleanField(
        default=False, help_text="The quote is the reporter's paraphrase, not the exact words."
    )
    channel = models.CharField(max_length=200, blank=True, help_text="e.g. statement to The Guardian")
    kind = models.CharField(max_length=16, choices=StatementKind.choices)
    topics = models.ManyToManyField(Topic, through="StatementTopic", related_name="statements")

    class Meta(Claim.Meta):
        ordering = ["made_on", "id"]
        constraints = Claim.Meta.constraints + [
            choices_constraint("kind", StatementKind),
            precision_constraint("made"),
        ]

    def __str__(self):
        return f"{self.speaker}, {self.made}: “{self.quote[:60]}”"

    def get_absolute_url(self):
        return cached_reverse("policies:record", "statement", self.pk)

    @property
    def made(self):
        return event_date(self, "made")


class StatementTopic(TrackedModel):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "topic"], name="statement_topic_unique")
        ]

    def __str__(self):
        return f"{self.statement_id} → {self.topic}"


class EmployeeActionKind(models.TextChoices):
    ETHICS_REPORT = "ethics_report", "Internal ethics report"
    PETITION = "petition", "Petition"
    OPEN_LETTER = "open_letter", "Open letter"
    WALKOUT = "walkout", "Walkout"
    RESIGNATION = "resignation", "Resignation"
    PROTEST = "protest", "Protest or pushback"


class EmployeeActionQuerySet(PublicQuerySet):
    def public(self):
        """Published or retracted, and not under an embargo that has not yet lifted."""
        today = clock.today()
        return (
            super().public().filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=today))
        )

    def published(self):
        today = clock.today()
        return (
            super()
            .published()
            .filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=today))
        )


class EmployeeAction(Claim):
    """An ethics report, petition, open letter, walkout or resignation by a company's staff.

    People are protected: an action may name nobody, use pseudonyms, or stay
    embargoed (hidden from the public) until a date.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="employee_actions")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="employee_actions"
    )
    kind = models.CharField(max_length=16, choices=EmployeeActionKind.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    started_precision = precision_field()
    ended_on = models.DateField(null=True, blank=True)
    ended_precision = precision_field()
    reported_on = models.DateField(
        null=True, blank=True, help_text="When it was first publicly reported."
    )
    reported_precision = precision_field()
    participants_estimate = models.PositiveIntegerField(null=True, blank=True)
    participants_description = models.CharField(
        max_length=200, blank=True, help_text="As reported, e.g. 'some employees'."
    )
    names_nobody = models.BooleanField(
        default=True, help_text="Name no individual anywhere on the public site."
    )
    uses_pseudonyms = models.BooleanField(default=False)
    named_participants = models.TextField(
        blank=True, help_text="Only people who chose to be named publicly (or pseudonyms)."
    )
    embargo_until = models.DateField(
        null=True, blank=True, help_text="Hidden from the public until this date."
    )
    demands = models.TextField(blank=True)
    company_response = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    responded_precision = precision_field()
    outcome = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, through="EmployeeActionTopic", related_name="employee_actions")

    objects = EmployeeActionQuerySet.as_manager()

    class Meta(Claim.Meta):
        ordering = ["started_on", "id"]
        constraints = Claim.Meta.constraints + [
            choices_constraint("kind", EmployeeActionKind),
            precision_constraint("started"),
            precision_constraint("ended"),
            precision_constraint("responded"),
            precision_constraint("reported"),
            date_order_constraint("started_on", "ended_on"),
            models.CheckConstraint(
                condition=Q(names_nobody=False) | Q(named_participants=""),
                name="employee_action_names_nobody_means_no_names",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return cached_reverse("policies:record", "employeeaction", self.pk)

    @property
    def started(self):
        return event_date(self, "started")

    @property
    def ended(self):
        return event_date(self, "ended")

    @property
    def reported(self):
        return event_date(self, "reported")

    @property
    def responded(self):
        return event_date(self, "responded")

    @property
    def is_embargoed(self):
        return self.embargo_until is not None and self.embargo_until > timezone.localdate()


class EmployeeActionTopic(TrackedModel):
    employee_action = models.ForeignKey(EmployeeAction, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee_action", "topic"], name="employee_action_topic_unique"
            )
        ]

    def __str__(self):
        return f"{self.employee_action_id} → {self.topic}"
