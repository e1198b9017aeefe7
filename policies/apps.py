from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policy tracker"

    def ready(self):
        from . import signals  # noqa: F401  (connects history attribution)
