"""Researcher exports: every public table, current state and history, as CSV, JSON Lines
and a Frictionless Data Package; filterable by company, event date and record date.

See README.md in this folder for the choices made, and docs/exports.md for how to use it.
"""

from .dump import stream_table, write_export  # noqa: F401
from .options import FORM_LABELS, ExportInputError, ExportOptions, parse  # noqa: F401
