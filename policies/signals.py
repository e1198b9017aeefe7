"""Public attribution on every history row: editors are shown by role, never by name."""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record


def public_attribution(user):
    """What the public sees of who made a change: a role, never a name."""
    return "Editorial team" if user else "Tracker (automated)"


@receiver(pre_create_historical_record)
def attribute_by_role(sender, history_instance, **kwargs):
    user_id = getattr(history_instance, "history_user_id", None)
    history_instance.public_attribution = public_attribution(user_id)
