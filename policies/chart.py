"""A server-rendered SVG chart of a company's deeds against its words, on one time axis.

Panels: one per observed quantity (e.g. data stored in TB) and one for contract
amounts per currency. Policy versions, commitment changes and statements are
numbered vertical markers across every panel. No JavaScript; the page shows a
table of the same numbers as the text alternative.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .timeline import WORDS

WIDTH = 720
LEFT = 64
RIGHT = 16
PANEL_HEIGHT = 150
PANEL_GAP = 44
TOP = 56
AXIS = 30
MARKER_REACH = 366  # days: words further from the figures are listed, not drawn


@dataclass
class Point:
    entry: object
    value: Decimal
    label: str


@dataclass
class Series:
    title: str
    unit: str
    points: list = field(default_factory=list)
    style: str = "line"  # "line" for observations, "stem" for contract amounts


@dataclass
class Marker:
    number: int
    entry: object
    drawn: bool = True


@dataclass
class Chart:
    series: list
    markers: list
    svg: str = ""

    @property
    def is_empty(self):
        return not self.series


def _series(entries):
    found = {}
    for e in entries:
        if e.kind == "observation":
            o = e.record
            key = ("observation", o.metric, o.unit)
            title = f"{o.get_metric_display()} ({o.unit})"
            unit = o.unit
            approx = "about " if o.is_approximate else ""
            point = Point(e, o.value, f"{approx}{o.value:,.0f} {o.unit}")
            style = "line"
        elif e.kind == "contract" and e.record.amount is not None and e.date:
            c = e.record
            key = ("contract", c.currency)
            title, unit, style = f"Contract amounts ({c.currency})", c.currency, "stem"
            point = Point(e, c.amount, f"{c.amount:,.0f} {c.currency}")
        else:
            continue
        if not e.date:
            continue
        found.setdefault(key, Series(title, unit, style=style)).points.append(point)
    return sorted(found.values(), key=lambda s: (s.style != "line", s.title))


def build_chart(entries):
    series = _series(entries)
    markers = [
        Marker(i, e) for i, e in enumerate((e for e in entries if e.side == WORDS and e.date), 1)
    ]
    chart = Chart(series=series, markers=markers)
    if series:
        chart.svg = _render(chart)
    return chart


def _time_range(chart):
    """The period charted: the plotted figures, plus words up to a year either side."""
    days = [p.entry.date.date.toordinal() for s in chart.series for p in s.points]
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

    coords = [(x(p.entry.date.date), y(p.value), p) for p in series.points]
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
            (p.entry.url, cx, cy, p.entry.date, p.label, cx, _n(float(cy) - 9), _short(p.value))
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
