"""A server-rendered SVG chart of a company's deeds against its words, on one time axis.

Panels: one per observed quantity (e.g. data stored in TB) and one for contract
amounts per currency. Policy versions and statements are numbered vertical markers
across every panel. No JavaScript; the page shows a table of the same numbers as
the text alternative.

It covers the company's whole record at a cost that does not grow with it:
figures come aggregated per month in SQL (at most MAX_POINTS per panel, by year
beyond that), and only the latest MARKERS_PER_KIND policy versions and statements
are marked, with a count of the others. Queries: observations per month (1),
contract amounts per month (1), sources of the single-record points (1), latest
policy versions (1) + policies (1) + companies (1), latest statements (1).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Max, Min, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .kinds import record_url
from .lib.event_dates import EventDate, Precision
from .lib.precompiled import DATETIME, INT, precompiled
from .models import Contract, Metric, Observation
from .timeline import (
    KINDS,
    citation_rows,
    contracts_of,
    fetch,
    observations_of,
    statement_entries,
    statements_of,
    version_entries,
    versions_of,
    with_related,
)

WIDTH = 720
LEFT = 64
RIGHT = 16
PANEL_HEIGHT = 150
PANEL_GAP = 44
TOP = 56
AXIS = 30
MARKER_REACH = 366  # days: words further from the figures are listed, not drawn
MAX_POINTS = 120  # per panel: ten years of months; longer records are charted by year
MARKERS_PER_KIND = 12
SUMMED = {Metric.OBLIGATION}  # transactions add up within a month; levels (storage, users) do not


@dataclass
class Point:
    date: EventDate
    value: Decimal
    label: str
    count: int = 1
    kind: str = ""
    record_id: int | None = None  # the record, when the point is exactly one
    citations: list = field(default_factory=list)

    @property
    def url(self):
        return record_url(self.kind, self.record_id) if self.record_id else "#timeline"


@dataclass
class Series:
    title: str
    unit: str
    points: list = field(default_factory=list)
    style: str = "line"  # "line" for observations, "stem" for contract amounts
    summed: bool = False


@dataclass
class Marker:
    number: int
    entry: object
    drawn: bool = True


@dataclass
class Chart:
    series: list
    markers: list
    more_markers: int = 0
    svg: str = ""

    @property
    def is_empty(self):
        return not self.series

    @property
    def sources(self):
        return [c.source for s in self.series for p in s.points for c in p.citations]

    @property
    def statements(self):
        return [m.entry for m in self.markers if m.entry.kind == "statement"]


def _monthly(queryset, day, group, value, approximate=None):
    """Rows of (group..., month) with the sum, peak and count of `value`, oldest first."""
    approx = Max(Case(When(**{approximate: True}, then=Value(1)), default=Value(0),
                      output_field=IntegerField())) if approximate else Value(0)
    return (
        queryset.order_by()
        .annotate(month=TruncMonth(day))
        .values(*group, "month")
        .annotate(total=Sum(value), peak=Max(value), n=Count("id"), first_id=Min("id"),
                  day=Min(day), precision=Min(day.replace("_on", "_precision")), approx=approx)
        .order_by(*group, "month")
    )


def _point(row, kind, summed, label):
    value = row["total"] if summed else row["peak"]
    text = label(row, value)
    if row["n"] == 1:
        return Point(EventDate(row["day"], row["precision"]), value, text, 1, kind, row["first_id"])
    return Point(EventDate(row["month"], Precision.MONTH), value, text, row["n"], kind)


# The chart's queries, compiled once per process (lib/precompiled.py); `as_of` is part of the
# shape, `when` the moment.

@precompiled(company=INT, when=DATETIME)
def _observation_months(as_of, *, company, when):
    return _monthly(observations_of(company, when if as_of else None), "observed_on", ("metric", "unit"),
                    "value", approximate="is_approximate")


@precompiled(company=INT, when=DATETIME)
def _contract_months(as_of, *, company, when):
    contracts = contracts_of(company, when if as_of else None).filter(amount__isnull=False,
                                                                        started_on__isnull=False)
    return _monthly(contracts, "started_on", ("currency",), "amount")


@precompiled(company=INT, when=DATETIME)
def _latest_versions(as_of, *, company, when):
    versions = versions_of(company, when if as_of else None).order_by("-effective_on", "-id")
    return with_related(versions[:MARKERS_PER_KIND], *KINDS["policyversion"].related)


@precompiled(company=INT, when=DATETIME)
def _latest_statements(as_of, *, company, when):
    statements = statements_of(company, when if as_of else None).filter(made_on__isnull=False)
    return statements.order_by("-made_on", "-id")[:MARKERS_PER_KIND]


def _observation_series(company, when):
    rows = _observation_months(when is not None, company=company.pk, when=when)
    found = {}
    for row in rows:
        summed = row["metric"] in SUMMED
        key = (row["metric"], row["unit"])
        if key not in found:
            title = f"{Metric(row['metric']).label} ({row['unit']})"
            found[key] = Series(title, row["unit"], summed=summed)
        found[key].points.append(_point(row, "observation", summed, _observation_label))
    return list(found.values())


def _observation_label(row, value):
    unit = row["unit"]
    if row["n"] == 1:
        return f"{'about ' if row['approx'] else ''}{value:,.0f} {unit}"
    if row["metric"] in SUMMED:
        return f"{value:,.0f} {unit} in {row['n']} figures"
    return f"{value:,.0f} {unit} (highest of {row['n']} figures)"


def _contract_series(company, when):
    found = {}
    for row in _contract_months(when is not None, company=company.pk, when=when):
        currency = row["currency"]
        series = found.setdefault(currency, Series(f"Contract amounts ({currency})", currency,
                                                   style="stem", summed=True))
        series.points.append(_point(row, "contract", True, _contract_label))
    return list(found.values())


def _contract_label(row, value):
    text = f"{value:,.0f} {row['currency']}"
    return text if row["n"] == 1 else f"{text} in {row['n']} contracts"


def _by_year(series):
    """The series with one point per year, when it has more months than a panel can show."""
    if len(series.points) <= MAX_POINTS:
        return series
    years = {}
    for p in series.points:
        years.setdefault(p.date.date.year, []).append(p)
    points = []
    for year, members in years.items():
        values = [p.value for p in members]
        value = sum(values) if series.summed else max(values)
        count = sum(p.count for p in members)
        how = f"in {count} figures" if series.summed else f"highest of {count} figures"
        label = f"{value:,.0f} {series.unit} ({how}, {year})"
        points.append(Point(EventDate(datetime.date(year, 1, 1), Precision.YEAR), value, label, count))
    series.points = points
    return series


def _attach_sources(series):
    """Public citations of the points that are single records (one query)."""
    points = [p for s in series for p in s.points if p.record_id]
    if not points:
        return
    types = {kind: ContentType.objects.get_for_model(model)
             for kind, model in (("observation", Observation), ("contract", Contract))}
    kinds = {ct.pk: kind for kind, ct in types.items()}
    found = {}
    for c in citation_rows([(types[p.kind].pk, p.record_id) for p in points]):
        found.setdefault((kinds[c.content_type_id], c.object_id), []).append(c)
    for p in points:
        p.citations = found.get((p.kind, p.record_id), [])


def _latest_words(company, when, counts):
    """The latest policy versions and statements, oldest first, and how many are left out."""
    as_of = when is not None
    versions = fetch(_latest_versions(as_of, company=company.pk, when=when), as_of,
                     *KINDS["policyversion"].related)
    statements = _latest_statements(as_of, company=company.pk, when=when)
    entries = version_entries(versions) + statement_entries(statements)
    entries.sort(key=lambda e: (e.date.date, e.kind, e.record.pk))
    markers = [Marker(i, e) for i, e in enumerate(entries, 1)]
    more = counts.get("policyversion", 0) + counts.get("statement", 0) - len(markers)
    return markers, max(0, more)


def build_chart(company, when=None, counts=None):
    """The chart of `company`'s whole record (as recorded at `when`).

    `counts` (kind -> number of public entries, from the timeline) sizes the
    "and N more" note under the markers.
    """
    series = [_by_year(s) for s in _observation_series(company, when) + _contract_series(company, when)]
    series.sort(key=lambda s: (s.style != "line", s.title))
    _attach_sources(series)
    markers, more = _latest_words(company, when, counts or {})
    chart = Chart(series=series, markers=markers, more_markers=more)
    if series:
        chart.svg = _render(chart)
    return chart


def _time_range(chart):
    """The period charted: the plotted figures, plus words up to a year either side."""
    days = [p.date.date.toordinal() for s in chart.series for p in s.points]
    first, last = min(days), max(days)
    for m in chart.markers:
        day = m.entry.date.date.toordinal()
        m.drawn = first - MARKER_REACH <= day <= last + MARKER_REACH
        if m.drawn:
            days.append(day)
    lo, hi = min(days), max(days)
    pad = max(15, (hi - lo) // 20)
    return lo - pad, hi + pad


def _render(chart):
    lo, hi = _time_range(chart)
    plot_w = WIDTH - LEFT - RIGHT

    def x(date):
        return _n(LEFT + (date.toordinal() - lo) / (hi - lo) * plot_w)

    height = TOP + len(chart.series) * (PANEL_HEIGHT + PANEL_GAP) + AXIS
    parts = [_markers(chart, x, height)]
    for i, s in enumerate(chart.series):
        top = TOP + i * (PANEL_HEIGHT + PANEL_GAP)
        parts.append(_panel(s, x, top))
    parts.append(_axis(lo, hi, x, height - AXIS + 4))
    body = mark_safe("".join(parts))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title chart-desc"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title>'
        '<desc id="chart-desc">{}</desc>{}</svg>',
        WIDTH, height, "Deeds against words over time",
        "Observed usage and contract amounts over time, with numbered markers for policy "
        "versions, commitment changes and statements. The table below gives the same numbers.",
        body,
    )


def _marker_groups(chart, x):
    """Drawn markers grouped when closer than 18 units, so their labels do not overlap."""
    groups = []
    for m in chart.markers:
        if not m.drawn:
            continue
        pos = float(x(m.entry.date.date))
        if groups and pos - groups[-1][0] < 18:
            groups[-1][1].append(m)
        else:
            groups.append((pos, [m]))
    return groups


def _markers(chart, x, height):
    rows = []
    for pos, members in _marker_groups(chart, x):
        numbers = [str(m.number) for m in members]
        label = numbers[0] if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
        width = 10 + 7 * len(label)
        rows.append((_n(pos), 22, height - AXIS, _n(pos - width / 2), width, _n(pos), label))
    return format_html_join(
        "",
        '<g class="marker"><line x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>'
        '<rect x="{3}" y="4" width="{4}" height="18" rx="9"/>'
        '<text x="{5}" y="17" text-anchor="middle">{6}</text></g>',
        rows,
    )


def _panel(series, x, top):
    peak = max(p.value for p in series.points) or Decimal(1)

    def y(value):
        return _n(top + PANEL_HEIGHT - float(value / peak) * (PANEL_HEIGHT - 28))

    coords = [(x(p.date.date), y(p.value), p) for p in series.points]
    base = top + PANEL_HEIGHT
    frame = format_html(
        '<text class="panel-title" x="{}" y="{}">{}</text>'
        '<line class="baseline" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>'
        '<text class="tick" x="{}" y="{}" text-anchor="end">0</text>',
        LEFT, top - 8, series.title, LEFT, WIDTH - RIGHT, base, base,
        LEFT - 6, top + 32, _short(peak), LEFT - 6, base,
    )
    if series.style == "line":
        path = " ".join(f"{cx},{cy}" for cx, cy, _ in coords)
        shape = format_html('<polyline class="series" points="{}"/>', path)
    else:
        shape = format_html_join(
            "", '<line class="stem" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>',
            ((cx, cy, base) for cx, cy, _ in coords),
        )
    dots = format_html_join(
        "",
        '<a href="{}"><circle class="point" cx="{}" cy="{}" r="5"><title>{}: {}</title></circle></a>'
        '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (p.url, cx, cy, p.date, p.label, cx, _n(float(cy) - 9), _short(p.value))
            for cx, cy, p in coords
        ),
    )
    return frame + shape + dots


def _n(number):
    """A coordinate as text with one decimal (format_html escapes numbers into strings)."""
    return f"{number:.1f}"


def _short(value):
    value = float(value)
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size and size >= 1e6 and abs(value) >= 1e5:
            return f"{value / size:,.1f}{suffix}"
    return f"{value:,.0f}"


def _months(first, last):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _axis(lo, hi, x, y):
    first, last = datetime.date.fromordinal(lo), datetime.date.fromordinal(hi)
    months = [m for m in _months(first, last) if m.toordinal() >= lo]
    step = max(1, len(months) // 6)
    ticks = [m for i, m in enumerate(months) if i % step == 0]
    return format_html_join(
        "",
        '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x(t), y + 12, t.strftime("%b %Y")) for t in ticks),
    )
