"""Small server-side SVG charts for the organiser's dashboard: plain functions from numbers to markup, no database and
no request. Each chart is an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>`` (the figures in words),
drawn in a ``viewBox`` so it scales to the width of a phone; the page shows the same figures in a table next to it.
Without data a chart is a plain sentence saying there is none yet.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import accumulate

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 600
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36  # margins inside the viewBox


@dataclass(frozen=True)
class BoxStats:
    """The five numbers of a box plot (quartiles by the inclusive method) and how many values they summarise."""

    low: float
    q1: float
    median: float
    q3: float
    high: float
    count: int


def box_stats(values: Sequence[float]) -> BoxStats:
    if not values:
        raise ValueError("box_stats needs at least one value")
    ordered = sorted(values)
    if len(ordered) == 1:
        q1 = median = q3 = ordered[0]
    else:
        q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return BoxStats(low=ordered[0], q1=q1, median=median, q3=q3, high=ordered[-1], count=len(ordered))


def cumulative(counts: Sequence[tuple[datetime, int]]) -> list[tuple[datetime, int, int]]:
    """(moment, count, running total) for each (moment, count), in the given order."""
    totals = accumulate(count for _moment, count in counts)
    return [(moment, count, total) for (moment, count), total in zip(counts, totals, strict=True)]


def no_data() -> SafeString:
    return format_html('<p class="chart-empty">{}</p>', _("No data yet."))


def _svg(chart_id: str, height: float, title: str, desc: str, body: list[str]) -> SafeString:
    head = format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH, _n(height), chart_id, chart_id, chart_id, title, chart_id, desc,
    )  # fmt: skip
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every part is escaped by format_html


def _n(value: float) -> str:
    """A coordinate, short: 12.5, 300."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, *, anchor: str = "start", css: str = "chart-label") -> str:
    return format_html('<text x="{}" y="{}" text-anchor="{}" class="{}">{}</text>', _n(x), _n(y), anchor, css, text)


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"/>', _n(x1), _n(y1), _n(x2), _n(y2), css)


def submissions_chart(
    counts: Sequence[tuple[datetime, int]], *, start: datetime, deadline: datetime, zone: tzinfo, chart_id: str
) -> SafeString:
    """Revisions received, cumulated, from ``start`` to ``deadline`` (marked): one point per (moment, count), after
    a first point at zero on ``start``."""
    if not counts:
        return no_data()
    height = 220
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    span = (deadline - start).total_seconds() or 1.0
    rows = cumulative(counts)
    most = rows[-1][2] or 1

    def x(moment: datetime) -> float:
        return LEFT + plot_w * min(max((moment - start).total_seconds() / span, 0.0), 1.0)

    def y(total: int) -> float:
        return TOP + plot_h * (1 - total / most)

    points = [(x(start), y(0))] + [(x(moment), y(total)) for moment, _count, total in rows]
    day = "%Y-%m-%d"
    body = [
        _line(LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h, "chart-axis"),
        _line(LEFT, TOP, LEFT, TOP + plot_h, "chart-axis"),
        _text(LEFT - 6, TOP + plot_h, "0", anchor="end"),
        _text(LEFT - 6, TOP + 10, str(rows[-1][2]), anchor="end"),
        _text(LEFT, height - 8, start.astimezone(zone).strftime(day)),
        _text(LEFT + plot_w, height - 8, deadline.astimezone(zone).strftime(day), anchor="end"),
        _line(x(deadline), TOP, x(deadline), TOP + plot_h, "chart-marker"),
        _text(x(deadline) - 4, TOP + 10, _("Deadline"), anchor="end", css="chart-label chart-marker-label"),
        format_html('<polyline class="chart-line" points="{}"/>', " ".join(f"{_n(px)},{_n(py)}" for px, py in points)),
    ]
    desc = _("%(total)s revisions received from %(start)s to %(end)s; the deadline is %(deadline)s.") % {
        "total": rows[-1][2],
        "start": rows[0][0].astimezone(zone).strftime(day),
        "end": rows[-1][0].astimezone(zone).strftime(day),
        "deadline": deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
    }
    return _svg(chart_id, height, _("Revisions received over time"), desc, body)


def score_boxes(judges: Sequence[tuple[str, Sequence[float]]], *, low: float, high: float, chart_id: str) -> SafeString:
    """One horizontal box plot per judge (a judge with no total is left out) of their totals, on ``low``..``high``."""
    judges = [(name, values) for name, values in judges if values]
    if not judges:
        return no_data()
    row_h, label_w = 28, 140
    height = TOP + row_h * len(judges) + BOTTOM
    left, plot_w = label_w, WIDTH - label_w - RIGHT
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return left + plot_w * min(max((value - low) / span, 0.0), 1.0)

    body = [_line(left, height - BOTTOM, left + plot_w, height - BOTTOM, "chart-axis")]
    for tick in (low, (low + high) / 2, high):
        body.append(_text(x(tick), height - BOTTOM + 16, _n(tick), anchor="middle"))
    summaries = []
    for index, (name, values) in enumerate(judges):
        stats = box_stats(values)
        mid = TOP + row_h * index + row_h / 2
        short = name if len(name) <= 20 else name[:19] + "…"
        body += [
            _text(left - 8, mid + 4, short, anchor="end"),
            _line(x(stats.low), mid, x(stats.high), mid, "chart-whisker"),
            format_html(
                '<rect class="box" x="{}" y="{}" width="{}" height="{}"/>',
                _n(x(stats.q1)),
                _n(mid - 8),
                _n(max(x(stats.q3) - x(stats.q1), 1.0)),
                16,
            ),  # fmt: skip
            _line(x(stats.median), mid - 8, x(stats.median), mid + 8, "chart-median"),
        ]
        summaries.append(
            _("%(judge)s: %(count)s totals, %(low)s to %(high)s, median %(median)s")
            % {
                "judge": name,
                "count": stats.count,
                "low": _n(stats.low),
                "high": _n(stats.high),
                "median": _n(stats.median),
            }  # fmt: skip
        )
    return _svg(chart_id, height, _("Each judge's totals"), "; ".join(summaries) + ".", body)


def rank_slopes(changes: Sequence[tuple[str, int, int]], *, chart_id: str, title: str) -> SafeString:
    """A slope chart: each entry (code, rank by the raw mean, rank after normalisation) is a line from its raw rank
    on the left to its normalised rank on the right."""
    if not changes:
        return no_data()
    height = TOP + 20 + 22 * max(len(changes), 2) + 8
    deepest = max(max(raw, normalised) for _code, raw, normalised in changes)
    left, right = 150, WIDTH - 150
    top, bottom = TOP + 20, height - 8

    def y(rank: int) -> float:
        return top + (bottom - top) * ((rank - 1) / max(deepest - 1, 1))

    body = [
        _text(left, TOP, _("Raw mean"), anchor="middle", css="chart-label chart-heading"),
        _text(right, TOP, _("Normalised"), anchor="middle", css="chart-label chart-heading"),
    ]
    moves = []
    for code, raw, normalised in changes:
        direction = "up" if normalised < raw else "down" if normalised > raw else "same"
        body += [
            _line(left, y(raw), right, y(normalised), f"slope slope-{direction}"),
            _text(left - 8, y(raw) + 4, f"{raw}. {code}", anchor="end"),
            _text(right + 8, y(normalised) + 4, f"{normalised}. {code}"),
        ]
        moves.append(_("%(code)s: %(raw)s to %(normalised)s") % {"code": code, "raw": raw, "normalised": normalised})
    return _svg(chart_id, height, title, "; ".join(moves) + ".", body)
