"""The README.md that travels inside every export: what each table holds, and the two time axes."""

from django.conf import settings

INTRO = """\
This is an export of the public record kept by {site} ({url}): what technology
companies say about human rights (policies, commitments, statements) next to what
they do (government contracts, products, usage over time) and what their employees
raise. Every fact is cited (see `citation` and `source`).

## Two time axes

- **Event time**: when something happened in the world. Stored in the `*_on` date
  columns (`made_on`, `started_on`, `observed_on`, `effective_on`, ...). Sources often
  give only a month or a year, so each event date has a `*_precision` column (`day`,
  `month` or `year`); a month-precise date is stored as the first day of that month,
  and should be read as "July 2025", not "1 July 2025".
- **Record time**: when the tracker learnt or changed something: `created_at`,
  `updated_at` and, in the history tables, `history_date` (UTC). An "as of" export
  shows the public record as the tracker held it at the end of that day (UTC).

History tables (`history/*`) hold every public version of every public record:
`history_id` (the version), `history_date`, `history_type` (`+` created, `~` changed,
`-` deleted), `history_change_reason` (the editor's public reason) and
`public_attribution` (the editor's role; never a name), then the record's columns,
where `id` is the record the version belongs to.

## What is left out

Only published records and retractions (kept as corrections, with `correction_note`)
are exported. Never exported: drafts (nor versions saved while a record was a draft),
employee actions under embargo, staff names, emails or user ids, internal notes, the
revision counter, and staff-only tables (signals awaiting triage, redaction records).
Text removed by a redaction is already gone from the history rows.

## Formats

CSV files are UTF-8, comma-separated, RFC 4180 quoting, LF line ends, one header row.
Booleans are `true`/`false`; dates `YYYY-MM-DD`; timestamps
`YYYY-MM-DD HH:MM:SS.ffffff+00` (UTC, ISO 8601 with a space, the fraction only as
long as needed); amounts keep their decimal places. An empty
field is a missing value (an empty text is written `""`). Column names and order are
stable between releases; new columns are only ever added at the end of a table.
"""


def summary(options):
    scope = options.scope
    parts = ["The public record"]
    if options.company_slug:
        parts.append(f"of company {options.company_slug}")
    if scope.start or scope.end:
        parts.append(f"with event dates from {scope.start or 'the start'} to {scope.end or 'today'}")
    if scope.as_of:
        parts.append(f"as the tracker held it at the end of {scope.as_of} (UTC)")
    if options.history:
        parts.append("with the full history of every record")
    return " ".join(parts) + "."


def _table_section(resource, ext, rows):
    lines = [
        f"### {resource.name} (`{resource.path(ext)}`, {rows} rows)",
        "",
        resource.table.description,
        "",
        "| column | type | description |",
        "| --- | --- | --- |",
    ]
    for c in resource.columns:
        description = c.description.replace("|", "\\|")
        if c.choices:
            description += " One of: " + ", ".join(f"`{v}`" for v in c.choices) + "."
        lines.append(f"| `{c.name}` | {c.kind} | {description} |")
    return "\n".join(lines) + "\n"


def text(resources, options, counts, ext):
    head = f"# {settings.SITE_NAME}: data export\n\n{summary(options)}\n\n"
    body = INTRO.format(site=settings.SITE_NAME, url=settings.SITE_URL)
    tables = "\n## Tables\n\n" + "\n".join(
        _table_section(r, ext, counts.get(r.name, 0)) for r in resources
    )
    return head + body + tables
