from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policy tracker"

    def ready(self):
        from django.db.models.signals import post_migrate

        # Imported for their signal receivers: page-cache invalidation, the public counts
        # and the public attribution on history rows.
        from . import cache, checks, counts, signals  # noqa: F401
        from .roles import ensure_groups

        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="policies_ensure_groups")
        from .gaps import hooks as gap_hooks

        gap_hooks.connect()  # re-run the gap rules for the companies a save touches
