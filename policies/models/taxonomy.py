"""Topics (a small human-rights taxonomy) and the capabilities that carry them."""

from django.db import models
from django.urls import reverse

from .base import TrackedModel


class Topic(TrackedModel):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("policies:topic", args=[self.slug])


class Capability(TrackedModel):
    """What a product can do (face detection, emotion recognition, ...)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, through="CapabilityTopic", related_name="capabilities")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capabilities"

    def __str__(self):
        return self.name


class CapabilityTopic(TrackedModel):
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["capability", "topic"], name="capability_topic_unique")
        ]

    def __str__(self):
        return f"{self.capability} → {self.topic}"
