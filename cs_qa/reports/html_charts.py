"""Inline SVG charts for the printable pages: small functions returning an `<svg>`
string: `svg_histogram` (score and first-response distributions with target lines),
`svg_trend` (daily mean score and pass rate with each day's targets as steps) and
`svg_category_bars` (agent against team). Every text goes through `esc()`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cs_qa.reports.format import MISSING
from cs_qa.reports.html_base import esc
from cs_qa.reports.i18n import t
from cs_qa.reports.records import CategoryRow, DayRow, goal_of, worse_than_team

# Chart geometry (SVG user units; the SVG scales to the column width, 186 mm on A4).
CHART_WIDTH = 700
AGENT_COLOUR = "#2f6fb0"
TEAM_COLOUR = "#9aa5b1"
PASS_COLOUR = "#0e7c3a"
TARGET_COLOUR = "#c81e1e"
MARK_COLOUR = "#52606d"
NICE_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1800, 3600)


def chart_number(value: float) -> str:
    """A chart label: integers without decimals, others with one."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


@dataclass(frozen=True)
class Marker:
    """A vertical line on a histogram, explained in the chart's legend: a target (dashed)
    or a measured value (solid)."""

    x: float
    label: str
    target: bool = True
    colour: str = TARGET_COLOUR


def nice_ticks(y_max: float, most: int = 4, integer: bool = True) -> list[float]:
    """0 and up to `most` round steps (1, 2, 5 × 10^k; at least 1 for counts when
    `integer`) reaching at least `y_max`."""
    if y_max <= 0:
        return [0.0, 1.0]
    magnitude = 10 ** math.floor(math.log10(y_max))
    step = next(
        round(m * f, 10)
        for f in (magnitude / 10, magnitude, magnitude * 10)
        for m in (1, 2, 5)
        if y_max / (m * f) <= most and (not integer or m * f >= 1)
    )
    return [round(step * i, 10) for i in range(math.ceil(y_max / step - 1e-9) + 1)]


def nice_step(span: float, bins: int = 14) -> float:
    """A readable bin width (1, 2, 5, 10, 15, 20, 30, 60 … seconds) giving about `bins`."""
    raw = span / max(bins, 1)
    for step in NICE_STEPS:
        if step >= raw:
            return float(step)
    return float(math.ceil(raw / NICE_STEPS[-1]) * NICE_STEPS[-1])


def histogram_counts(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Counts per bin [edge_i, edge_i+1); the last bin includes its upper edge."""
    counts = [0] * (len(edges) - 1)
    for value in values:
        if value is None or math.isnan(value) or value < edges[0] or value > edges[-1]:
            continue
        index = len(counts) - 1
        for i in range(len(counts)):
            if value < edges[i + 1]:
                index = i
                break
        counts[index] += 1
    return counts


def _text_width(text: str, size: float = 11) -> float:
    """Rough width of `text` in SVG units: CJK characters are square, others half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _svg_open(height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{esc(label)}" font-size="11">'
        f"<title>{esc(label)}</title>"
    )


def svg_histogram(
    values: Sequence[float],
    edges: Sequence[float],
    *,
    label: str,
    x_label: str,
    y_label: str,
    markers: Sequence[Marker] = (),
    colour: str = AGENT_COLOUR,
    height: int = 210,
) -> str:
    """Bars of `values` counted in the bins of `edges`, with vertical marker lines."""
    counts = histogram_counts(values, edges)
    left, right, top, bottom = 44, 14, 30, 38
    width = CHART_WIDTH - left - right
    plot_h = height - top - bottom
    lo, hi = float(edges[0]), float(edges[-1])
    ticks = nice_ticks(max([*counts, 1]) * 1.08)
    y_top = ticks[-1]

    def x(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * width

    def y(v: float) -> float:
        return top + plot_h - v / y_top * plot_h

    parts = [_svg_open(height, label)]
    # horizontal grid and y ticks
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" x2="{left + width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e4e7eb"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'fill="{MARK_COLOUR}">{chart_number(tick)}</text>'
        )
    for i, count in enumerate(counts):
        x0, x1 = x(edges[i]), x(edges[i + 1])
        if count:
            parts.append(
                f'<rect class="bar" x="{x0 + 1:.1f}" y="{y(count):.1f}" '
                f'width="{max(x1 - x0 - 2, 1):.1f}" height="{y(0) - y(count):.1f}" '
                f'fill="{colour}"/>'
                f'<text x="{(x0 + x1) / 2:.1f}" y="{y(count) - 3:.1f}" text-anchor="middle" '
                f'fill="#1f2933" font-size="10">{count}</text>'
            )
    every = 1 if len(edges) <= 16 else 2
    for i, edge in enumerate(edges):
        if i % every == 0 or i == len(edges) - 1:
            parts.append(
                f'<text x="{x(edge):.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                f'fill="{MARK_COLOUR}">{esc(chart_number(edge))}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{left + width}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#52606d"/>'
        f'<text x="{left + width / 2:.1f}" y="{height - 6}" text-anchor="middle" '
        f'fill="{MARK_COLOUR}">{esc(x_label)}</text>'
        f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="{MARK_COLOUR}" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{esc(y_label)}</text>'
    )
    lx: float = left  # advanced by text widths
    for marker in markers:
        if marker.x is None or math.isnan(marker.x):
            continue
        dash = ' stroke-dasharray="6 4"' if marker.target else ""
        mx = x(marker.x)
        parts.append(
            f'<line class="{"target-line" if marker.target else "value-line"}" '
            f'x1="{mx:.1f}" x2="{mx:.1f}" y1="{top - 4}" y2="{y(0):.1f}" '
            f'stroke="{marker.colour}" stroke-width="2"{dash}/>'
            f'<line x1="{lx}" x2="{lx + 20}" y1="12" y2="12" stroke="{marker.colour}" '
            f'stroke-width="2"{dash}/>'
            f'<text x="{lx + 25}" y="16" fill="{marker.colour}" font-weight="600">'
            f"{esc(marker.label)}</text>"
        )
        lx += 50 + _text_width(marker.label)
    parts.append("</svg>")
    return "".join(parts)


def svg_trend(rows: Sequence[DayRow], *, label: str, lang: str, height: int = 230) -> str:
    """Daily mean score (blue line) and pass rate in % (green line) on one 0–100 scale,
    each with that day's target as a dashed step (a new agent's ramp rises by day)."""
    left, right, top, bottom = 40, 14, 30, 34
    width = CHART_WIDTH - left - right
    plot_h = height - top - bottom
    scores = [r.mean_score for r in rows]
    rates = [r.pass_rate * 100 for r in rows]
    goals = [
        g
        for r in rows
        if r.target is not None
        for g in (
            r.target.score,
            None if r.target.pass_rate is None else r.target.pass_rate * 100,
        )
        if g is not None
    ]
    known = [v for v in [*scores, *rates, *goals] if not math.isnan(v)]
    lo = max(0.0, math.floor((min(known) if known else 0.0) / 10) * 10 - 10)
    hi = 100.0
    slot = width / max(len(rows), 1)

    def x(i: int) -> float:
        return left + slot * (i + 0.5)

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    parts = [_svg_open(height, label)]
    for tick in range(int(lo), 101, 10 if hi - lo <= 60 else 20):
        parts.append(
            f'<line x1="{left}" x2="{left + width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e4e7eb"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'fill="{MARK_COLOUR}">{tick}</text>'
        )
    every = max(1, math.ceil(len(rows) / 14))
    for i, row in enumerate(rows):
        if i % every == 0 or i == len(rows) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 15}" text-anchor="middle" '
                f'fill="{MARK_COLOUR}">{esc(row.day[5:] if len(row.day) == 10 else row.day)}'
                "</text>"
            )
    # targets: one dashed segment per day, so a ramp shows as steps
    for i, row in enumerate(rows):
        for goal, colour in (
            (goal_of(row.target, "score"), AGENT_COLOUR),
            (goal_of(row.target, "pass_rate"), PASS_COLOUR),
        ):
            if goal is None:
                continue
            value = goal if colour == AGENT_COLOUR else goal * 100
            parts.append(
                f'<line class="target-line" x1="{x(i) - slot / 2 + 2:.1f}" '
                f'x2="{x(i) + slot / 2 - 2:.1f}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="5 3" opacity=".8"/>'
            )
    for values, colour, name in ((scores, AGENT_COLOUR, "score"), (rates, PASS_COLOUR, "rate")):
        segment: list[str] = []
        segments = []
        for i, v in enumerate(values):
            if math.isnan(v):
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            parts.append(
                f'<polyline class="{name}-line" points="{" ".join(seg)}" fill="none" '
                f'stroke="{colour}" stroke-width="2.2"/>'
            )
        for i, v in enumerate(values):
            if math.isnan(v):
                continue
            row = rows[i]
            key = "score" if name == "score" else "pass_rate"
            met = row.target.met(key, v if name == "score" else v / 100) if row.target else None
            fill = TARGET_COLOUR if met is False else colour
            # a red point: that day missed its target; the table under the chart has
            # every number, the chart labels only the scores
            parts.append(
                f'<circle class="{"miss" if met is False else "point"}" cx="{x(i):.1f}" '
                f'cy="{y(v):.1f}" r="{4 if met is False else 3}" fill="{fill}"/>'
            )
            if name == "score":
                parts.append(
                    f'<text x="{x(i):.1f}" y="{y(v) - 7:.1f}" text-anchor="middle" '
                    f'font-size="10" fill="{fill}" stroke="#fff" stroke-width="3" '
                    f'paint-order="stroke">{v:.1f}</text>'
                )
    # legend
    legend = [
        (AGENT_COLOUR, False, t("mean_score", lang)),
        (PASS_COLOUR, False, f"{t('pass_rate', lang)} (%)"),
        (MARK_COLOUR, True, t("target", lang)),
    ]
    lx: float = left  # advanced by text widths
    for colour, dashed, text in legend:
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        parts.append(
            f'<line x1="{lx}" x2="{lx + 22}" y1="12" y2="12" stroke="{colour}" '
            f'stroke-width="2.2"{dash}/>'
            f'<text x="{lx + 27}" y="16" fill="#1f2933">{esc(text)}</text>'
        )
        lx += 50 + _text_width(text)
    parts.append(
        f'<line x1="{left}" x2="{left + width}" y1="{y(lo):.1f}" y2="{y(lo):.1f}" '
        f'stroke="#52606d"/></svg>'
    )
    return "".join(parts)


def svg_category_bars(rows: Sequence[CategoryRow], *, label: str, lang: str) -> str:
    """Violations per conversation by category: the agent (blue) beside the team (grey)."""
    left, right, top = 90, 60, 24
    band = 34
    height = top + band * len(rows) + 8
    width = CHART_WIDTH - left - right
    values = [v for r in rows for v in (r.per_conversation, r.team_per_conversation)]
    top_value = max([v for v in values if not math.isnan(v)] + [0.01])

    def w(v: float) -> float:
        return 0.0 if math.isnan(v) else v / top_value * width

    parts = [_svg_open(height, label)]
    for i, (colour, text) in enumerate(
        ((AGENT_COLOUR, t("agent", lang)), (TEAM_COLOUR, t("team", lang)))
    ):
        lx = left + i * 120
        parts.append(
            f'<rect x="{lx}" y="5" width="14" height="10" fill="{colour}"/>'
            f'<text x="{lx + 19}" y="14" fill="#1f2933">{esc(text)}</text>'
        )
    parts.append(
        f'<text x="{left + width + right - 4}" y="14" text-anchor="end" '
        f'fill="{MARK_COLOUR}">{esc(t("per_conversation", lang))}</text>'
    )
    for i, row in enumerate(rows):
        y0 = top + band * i
        worse = worse_than_team(row.per_conversation, row.team_per_conversation)
        parts.append(
            f'<text x="{left - 8}" y="{y0 + 17}" text-anchor="end" '
            f'fill="{TARGET_COLOUR if worse else "#1f2933"}">{esc(row.category or MISSING)}'
            "</text>"
        )
        for j, (value, colour) in enumerate(
            ((row.per_conversation, AGENT_COLOUR), (row.team_per_conversation, TEAM_COLOUR))
        ):
            by = y0 + 3 + j * 13
            parts.append(
                f'<rect class="bar" x="{left}" y="{by}" width="{max(w(value), 0.5):.1f}" '
                f'height="11" fill="{colour}"/>'
                f'<text x="{left + w(value) + 4:.1f}" y="{by + 9.5}" font-size="10" '
                f'fill="#1f2933">{"—" if math.isnan(value) else f"{value:.2f}"}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top - 2}" y2="{height - 6}" stroke="#52606d"/></svg>'
    )
    return "".join(parts)
