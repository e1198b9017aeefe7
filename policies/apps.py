from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policy tracker"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (connects history attribution)
        from . import cache  # noqa: F401  (connects page-cache invalidation)
        from .roles import ensure_groups

        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="policies_ensure_groups")
        from .gaps import hooks as gap_hooks

        gap_hooks.connect()  # re-run the gap rules for the companies a save touches
