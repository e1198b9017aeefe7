"""The staff admin, one module per concern.

- base.py: reason on every change, optimistic locking (reuse `TrackedAdmin`, `ReasonForm`,
  `ReasonAdminMixin`, `action_reason` in other admin modules)
- history.py: field-by-field history with word diffs, revert with a reason
- workflow.py: drafts, review, publish/retract/un-publish (`PublishableAdmin`, `CitableAdmin`)
- children.py: a public record's citations, aliases and clauses change only with reviewer rights
- redaction.py, inlines.py, validation.py, dashboard.py, and one module per part of the domain.
"""

from django.contrib import admin

from . import claims, contracts, gaps, organisations, policies, redaction, sources, taxonomy  # noqa: F401
from .imports import ImportRunAdmin  # noqa: F401  (USAspending and policy-version uploads: docs/imports.md)
from .triage import SignalAdmin  # noqa: F401  (signal triage: policies/gaps/, docs/gap-analysis.md)

admin.site.site_header = "Policy tracker — staff"
admin.site.site_title = "Policy tracker staff"
admin.site.index_title = "Records"
admin.site.index_template = "admin/policies/index.html"
