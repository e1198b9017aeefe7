"""Public attribution on every history row: editors are shown by role, never by name."""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record


@receiver(pre_create_historical_record)
def attribute_by_role(sender, history_instance, **kwargs):
    if getattr(history_instance, "history_user_id", None):
        history_instance.public_attribution = "Editorial team"
    else:
        history_instance.public_attribution = "Tracker (automated)"
