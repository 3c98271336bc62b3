"""Printable HTML pages: one agent's scorecard and the team report (`cs-qa report --html`).

Pure: summary records (`cs_qa.reports.records.Scorecard`, `TeamSummary`) in, one self-contained
HTML document out (inline CSS from `html_base`, inline SVG charts, no script, no network),
laid out for A4. Every text from the dataset goes through `esc()`; the pages print only
what the dataset stores (evidence is masked unless the run was scored with --no-mask, and
then `html_base.page` puts a red banner on top).

Charts are small functions returning an `<svg>` string: `svg_histogram` (score and
first-response distributions with target lines), `svg_trend` (daily mean score and pass
rate with each day's targets as steps) and `svg_category_bars` (agent against team).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cs_qa.packs.targets import Target
from cs_qa.reports.format import (
    MISSING,
    fmt_goal,
    fmt_rate,
    fmt_score,
    fmt_seconds,
    pack_label,
    period_label,
    rule_title,
    target_label,
)
from cs_qa.reports.html_base import esc, page, unevaluated_html
from cs_qa.reports.i18n import t
from cs_qa.reports.records import (
    AgentRow,
    CategoryRow,
    DayRow,
    Evidence,
    Figures,
    RuleRate,
    Scorecard,
    ScorecardRule,
    TeamSummary,
    UnevaluatedRule,
    goal_of,
    headline_values,
    missed_targets,
)

# Chart geometry (SVG user units; the SVG scales to the column width, 186 mm on A4).
CHART_WIDTH = 700
AGENT_COLOUR = "#2f6fb0"
TEAM_COLOUR = "#9aa5b1"
PASS_COLOUR = "#0e7c3a"
TARGET_COLOUR = "#c81e1e"
MARK_COLOUR = "#52606d"
NICE_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1800, 3600)


def _fmt_num(value: float) -> str:
    """A chart label: integers without decimals, others with one."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


_ROW_BAD = ' class="row-bad"'


def _cls(met: bool | None) -> str:
    return "" if met is None else ("good" if met else "bad")


def _mark(met: bool | None) -> str:
    if met is None:
        return ""
    return '<span class="good">✓</span>' if met else '<span class="bad">✗</span>'


# ------------------------------------------------------------------------------ charts


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
            f'fill="{MARK_COLOUR}">{_fmt_num(tick)}</text>'
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
                f'fill="{MARK_COLOUR}">{esc(_fmt_num(edge))}</text>'
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
        worse = _above(row.per_conversation, row.team_per_conversation)
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


# ------------------------------------------------------------------------------ pieces


def _kv(pairs: Sequence[tuple[str, str]], columns: int = 2) -> str:
    """A key/value table, `columns` pairs per row; values are trusted HTML (esc()'d)."""
    rows = []
    for i in range(0, len(pairs), columns):
        cells = "".join(f"<th>{esc(k)}</th><td>{v}</td>" for k, v in pairs[i : i + columns])
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="kv meta">{"".join(rows)}</table>'


def _tile(label: str, value: str, met: bool | None = None, lines: Sequence[str] = ()) -> str:
    """A headline figure; `lines` (trusted HTML) go under it (target, team)."""
    extra = "".join(f'<div class="target">{line}</div>' for line in lines)
    cls = " bad-tile" if met is False else ""
    return (
        f'<div class="tile{cls}"><div class="label">{esc(label)}</div>'
        f'<div class="value {_cls(met)}">{esc(value)}</div>{extra}</div>'
    )


def _goal_line(target: Target | None, key: str, value: float, lang: str) -> str:
    """ "目标 ≥ 85 ✓" for a tile or a cell, "" without a goal."""
    goal = goal_of(target, key)
    if goal is None or target is None:
        return ""
    return (
        f"{esc(t('target', lang))} {esc(fmt_goal(key, goal, lang))} {_mark(target.met(key, value))}"
    )


def _headline_tiles(
    figures: Figures, target: Target | None, lang: str, team: Figures | None = None
) -> list[str]:
    """Mean score, pass rate and first-response P90 tiles, each against its target (and
    the team's figure when `team` is given)."""
    shown = {
        "score": fmt_score(figures.mean_score),
        "pass_rate": fmt_rate(figures.pass_rate),
        "first_response_p90": fmt_seconds(figures.first_response_p90, lang),
    }
    team_shown = (
        {
            "score": fmt_score(team.mean_score),
            "pass_rate": fmt_rate(team.pass_rate),
            "first_response_p90": fmt_seconds(team.first_response_p90, lang),
        }
        if team
        else {}
    )
    labels = {"score": "mean_score", "pass_rate": "pass_rate"}
    tiles = []
    for key, value in headline_values(figures).items():
        met = target.met(key, value) if target is not None else None
        lines = [_goal_line(target, key, value, lang)]
        if team_shown:
            lines.append(f"{esc(t('team', lang))} {esc(team_shown[key])}")
        tiles.append(_tile(t(labels.get(key, key), lang), shown[key], met, [x for x in lines if x]))
    return tiles


def _rule_cells(rate: float, goal: float | None, lang: str) -> tuple[str, bool]:
    """The target cell of a rule row and whether the rule misses it."""
    if goal is None:
        return "", False
    met = None if math.isnan(rate) else rate <= goal
    return f"{esc(fmt_goal('rule', goal, lang))} {_mark(met)}", met is False


def _trend_section(trend: Sequence[DayRow], lang: str, label: str) -> str:
    if len(trend) < 2:
        return f'<p class="note">{esc(t("no_trend", lang))}</p>'
    chart = f'<div class="chart">{svg_trend(trend, label=label, lang=lang)}</div>'
    head = "".join(
        f'<th class="num">{esc(t(k, lang))}</th>'
        for k in ("conversations", "mean_score", "score_target", "pass_rate", "pass_rate_target")
    )
    rows = []
    for row in trend:
        s_met = row.target.met("score", row.mean_score) if row.target else None
        p_met = row.target.met("pass_rate", row.pass_rate) if row.target else None
        s_goal = goal_of(row.target, "score")
        p_goal = goal_of(row.target, "pass_rate")
        bad = s_met is False or p_met is False
        rows.append(
            f"<tr{_ROW_BAD if bad else ''}><td>{esc(row.day)}</td>"
            f'<td class="num">{row.conversations}</td>'
            f'<td class="num {_cls(s_met)}">{esc(fmt_score(row.mean_score))}</td>'
            f'<td class="num">{esc(fmt_goal("score", s_goal, lang)) if s_goal is not None else ""}'
            f" {_mark(s_met)}</td>"
            f'<td class="num {_cls(p_met)}">{esc(fmt_rate(row.pass_rate))}</td>'
            f'<td class="num">'
            f"{esc(fmt_goal('pass_rate', p_goal, lang)) if p_goal is not None else ''}"
            f" {_mark(p_met)}</td></tr>"
        )
    table = (
        f'<table class="data trend"><thead><tr><th>{esc(t("day", lang))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return chart + table


def _footer(pack: dict[str, object], masked: bool, lang: str) -> str:
    parts = [esc(t("page_of", lang).format(pack=pack_label(dict(pack))))]
    if masked:
        parts.append(esc(t("data_masked_note", lang)))
    return " · ".join(parts)


def _agent_name(agent_id: str, name: str) -> str:
    return f"{agent_id} {name}" if name else agent_id


# ------------------------------------------------------------------------------- pages


def scorecard_html(card: Scorecard, lang: str = "zh") -> str:
    """One agent's printable scorecard as a whole HTML document."""
    me, target = card.agent, card.target
    title = f"{t('scorecard', lang)} · {_agent_name(card.agent_id, card.name)}"
    missed = missed_targets(target, me)
    verdict = ""
    if target is not None and me.conversations:
        verdict = (
            f' <span class="bad">✗ {esc(t("target_missed", lang))}</span>'
            if missed
            else f' <span class="good">✓ {esc(t("target_met", lang))}</span>'
        )
    pairs: list[tuple[str, str]] = [(t("agent", lang), esc(card.agent_id))]
    if card.name:
        pairs.append((t("name", lang), esc(card.name)))
    if card.team_name:
        pairs.append((t("group", lang), esc(card.team_name)))
    if card.hired_on is not None:
        hired = card.hired_on.isoformat()
        if card.tenure_day is not None:
            days = t("tenure_day", lang).format(n=card.tenure_day)
            hired += f"（{days}）" if lang == "zh" else f" ({days})"
        pairs.append((t("hired_on", lang), esc(hired)))
    pairs += [
        (t("period", lang), esc(period_label(card.first_day, card.last_day))),
        (t("conversations", lang), str(me.conversations)),
        (t("pack", lang), esc(pack_label(card.pack))),
        (t("pass_mark", lang), f"{card.pass_mark:g} / {card.base:g}"),
        (t("targets", lang), esc(target_label(target, lang)) + verdict),
    ]
    body = [f"<h1>{esc(title)}</h1>", _kv(pairs)]

    tiles = _headline_tiles(me, target, lang, team=card.team)
    tiles.append(
        _tile(
            t("conversations", lang),
            str(me.conversations),
            lines=[f"{esc(t('min_score', lang))} {esc(fmt_score(me.min_score))}"],
        )
    )
    tiles.append(
        _tile(
            t("fatal", lang),
            str(me.fatal_count),
            False if me.fatal_count else None,
            [f"{esc(t('flagged', lang))} {me.flagged_count}"],
        )
    )
    body.append(f'<div class="tiles">{"".join(tiles)}</div>')

    body.append(f"<h2>{esc(t('by_category', lang))}</h2>")
    body.append(_categories(card.categories, lang))
    body.append(f"<h2>{esc(t('rules_detail', lang))}</h2>")
    body.append(_scorecard_rules(card.rules, lang))
    body.append(f"<h2>{esc(t('response_distribution', lang))}</h2>")
    body.append(_response_chart(card, lang))
    body.append(f"<h2>{esc(t('trend', lang))}</h2>")
    body.append(_trend_section(card.trend, lang, f"{t('trend', lang)} · {card.agent_id}"))
    body.append(f"<h2>{esc(t('worst_conversations', lang))}</h2>")
    body.append(_evidence(card.evidence, card.pass_mark, lang))
    body.extend(_unevaluated(card.unevaluated, lang))
    if card.overruled:
        body.append(f"<h2>{esc(t('overruled', lang))}</h2>")
        body.extend(
            f'<div class="quote"><strong>{esc(o.conversation_id)} · '
            f"{esc(rule_title(o.rule_title, o.rule_title_en, lang))}</strong> "
            f'<span class="muted">{esc(t("dispute_reason", lang))}: {esc(o.reason)}</span>'
            f"<br><s>「{esc(o.evidence or MISSING)}」</s></div>"
            for o in card.overruled
        )
    return page(
        title,
        "\n".join(body),
        lang=lang,
        masked=card.masked,
        footer=_footer(card.pack, card.masked, lang),
    )


def _categories(rows: Sequence[CategoryRow], lang: str) -> str:
    if not rows:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    chart = svg_category_bars(rows, label=t("by_category", lang), lang=lang)
    head = "".join(
        f'<th class="num">{esc(t(k, lang))}</th>'
        for k in (
            "violations",
            "violation_rate",
            "team_rate",
            "per_conversation",
            "team_per_conversation",
        )
    )
    body = []
    for row in rows:
        worse = _above(row.per_conversation, row.team_per_conversation)
        body.append(
            f"<tr><td>{esc(row.category or MISSING)}</td>"
            f'<td class="num">{row.violations}</td>'
            f'<td class="num">{esc(fmt_rate(row.rate))}</td>'
            f'<td class="num">{esc(fmt_rate(row.team_rate))}</td>'
            f'<td class="num{" bad" if worse else ""}">{_ratio(row.per_conversation)}</td>'
            f'<td class="num">{_ratio(row.team_per_conversation)}</td></tr>'
        )
    return (
        f'<div class="chart">{chart}</div>'
        f'<table class="data categories"><thead><tr><th>{esc(t("category", lang))}</th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _above(value: float, team: float) -> bool:
    """Worse than the team: both known and the agent's figure higher."""
    return not math.isnan(value) and not math.isnan(team) and value > team


def _ratio(value: float) -> str:
    return MISSING if math.isnan(value) else f"{value:.2f}"


def _scorecard_rules(rules: Sequence[ScorecardRule], lang: str) -> str:
    if not rules:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    head = "".join(
        f'<th class="num">{esc(t(k, lang))}</th>'
        for k in ("applicable", "violations", "violation_rate", "team_rate", "target")
    )
    body = []
    for rule in rules:
        goal_cell, missed = _rule_cells(rule.rate, rule.target, lang)
        worse = _above(rule.rate, rule.team_rate)
        body.append(
            f"<tr{_ROW_BAD if missed else ''}>"
            f"<td>{esc(rule_title(rule.title, rule.title_en, lang))} "
            f'<span class="muted">{esc(rule.rule_id)}</span></td>'
            f"<td>{esc(rule.category or MISSING)}</td>"
            f'<td class="num">{rule.applicable}</td><td class="num">{rule.violations}</td>'
            f'<td class="num{" bad" if worse or missed else ""}">{esc(fmt_rate(rule.rate))}</td>'
            f'<td class="num">{esc(fmt_rate(rule.team_rate))}</td>'
            f'<td class="num">{goal_cell}</td></tr>'
        )
    return (
        f'<table class="data rules"><thead><tr><th>{esc(t("rule", lang))}</th>'
        f"<th>{esc(t('category', lang))}</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _response_chart(card: Scorecard, lang: str) -> str:
    values = [v for v in card.first_responses if not math.isnan(v)]
    if not values:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    goal = goal_of(card.target, "first_response_p90")
    p90 = card.agent.first_response_p90
    span = max([*values, goal or 0.0, 0 if math.isnan(p90) else p90]) * 1.05
    step = nice_step(span)
    edges = [step * i for i in range(math.ceil(span / step) + 1)]
    if len(edges) < 2:
        edges = [0.0, step]
    markers = [
        Marker(
            p90, f"{t('agent_p90', lang)} {_fmt_num(round(p90, 1))}", target=False, colour="#1f2933"
        )
    ]
    if goal is not None:
        markers.append(Marker(goal, f"{t('p90_target', lang)} {_fmt_num(goal)}"))
    seconds = t("seconds", lang)
    chart = svg_histogram(
        values,
        edges,
        label=t("response_distribution", lang),
        x_label=f"{t('first_response', lang)} ({seconds})",
        y_label=t("count", lang),
        markers=markers,
    )
    note = (
        f"n = {len(values)} · P50 {esc(fmt_seconds(card.agent.first_response_p50, lang))}"
        f" · P90 {esc(fmt_seconds(p90, lang))}"
    )
    line = _goal_line(card.target, "first_response_p90", p90, lang)
    if line:
        note += f" · {line}"
    return f'<div class="chart">{chart}</div><p class="note">{note}</p>'


def _evidence(quotes: Sequence[Evidence], pass_mark: float, lang: str) -> str:
    if not quotes:
        return f'<p class="note">{esc(t("no_violations", lang))}</p>'
    blocks: list[str] = []
    current: str | None = None
    for q in quotes:
        key = f"{q.conversation_id}\0{q.day}"
        if key != current:
            if current is not None:
                blocks.append("</div>")
            current = key
            below = not math.isnan(q.score) and q.score < pass_mark
            blocks.append(
                f'<div class="conv"><h3>{esc(t("conversation", lang))} '
                f"{esc(q.conversation_id)} · {esc(q.started or q.day or MISSING)} · "
                f'{esc(t("score", lang))} <span class="{"bad" if below else ""}">'
                f"{esc(fmt_score(q.score))}</span></h3>"
            )
        deduct = (
            t("fatal", lang)
            if q.fatal
            else (f"-{q.deduct:g}" if not math.isnan(q.deduct) and q.deduct else "")
        )
        matched = f" · {esc(t('matched', lang))}: {esc(q.matched)}" if q.matched else ""
        blocks.append(
            f'<div class="quote"><strong>[{esc(q.at)}] '
            f"{esc(rule_title(q.rule_title, q.rule_title_en, lang))}</strong> "
            f'<span class="bad">{esc(deduct)}</span>'
            f'<span class="muted">{matched}</span><br>「{esc(q.evidence or MISSING)}」</div>'
        )
    blocks.append("</div>")
    return "".join(blocks)


def _unevaluated(rules: Sequence[UnevaluatedRule], lang: str) -> list[str]:
    return unevaluated_html([r.row(lang) for r in rules], lang)


def team_html(summary: TeamSummary, lang: str = "zh") -> str:
    """The team's printable report as a whole HTML document."""
    team, target = summary.team, summary.target
    title = t("team_report", lang)
    below = [a for a in summary.agents if a.below_target]
    pairs = [
        (t("pack", lang), esc(pack_label(summary.pack))),
        (t("period", lang), esc(period_label(summary.first_day, summary.last_day))),
        (
            t("conversations", lang),
            f"{team.conversations} ({esc(t('scored', lang))} {summary.scored}, "
            f"{esc(t('rejected', lang))} {summary.rejected})",
        ),
        (t("pass_mark", lang), f"{summary.pass_mark:g} / {summary.base:g}"),
        (t("targets", lang), esc(target_label(target, lang))),
    ]
    body = [f"<h1>{esc(title)}</h1>", _kv(pairs)]
    tiles = _headline_tiles(team, target, lang)
    tiles.append(
        _tile(
            t("below_target_agents", lang),
            str(len(below)),
            (not below) if target is not None else None,
            [esc(", ".join(a.agent_id for a in below[:6]) + (" …" if len(below) > 6 else ""))]
            if below
            else [],
        )
    )
    tiles.append(
        _tile(
            t("fatal", lang),
            str(team.fatal_count),
            False if team.fatal_count else None,
            [f"{esc(t('flagged', lang))} {team.flagged_count}"],
        )
    )
    body.append(f'<div class="tiles">{"".join(tiles)}</div>')
    body.extend(_unevaluated(summary.unevaluated, lang))
    body.append(f"<h2>{esc(t('ranking', lang))}</h2>")
    body.append(_ranking(summary, lang))
    body.append(f"<h2>{esc(t('score_distribution', lang))}</h2>")
    body.append(_score_chart(summary, lang))
    body.append(f"<h2>{esc(t('top_rules', lang))}</h2>")
    body.append(_team_rules(summary.top_rules, lang))
    body.append(f"<h2>{esc(t('trend', lang))}</h2>")
    body.append(_trend_section(summary.trend, lang, t("trend", lang)))
    return page(
        title,
        "\n".join(body),
        lang=lang,
        masked=summary.masked,
        footer=_footer(summary.pack, summary.masked, lang),
    )


def _ranking(summary: TeamSummary, lang: str) -> str:
    agents = summary.ranking()
    if not agents:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    with_group = any(a.team_name for a in agents)
    head = [f'<th class="num">{esc(t("rank", lang))}</th>', f"<th>{esc(t('agent', lang))}</th>"]
    if with_group:
        head.append(f"<th>{esc(t('group', lang))}</th>")
    head += [
        f'<th class="num">{esc(t(k, lang))}</th>'
        for k in ("conversations", "mean_score", "pass_rate", "fr_p90_short", "fatal", "target")
    ]
    head += [f"<th>{esc(t('met_short', lang))}</th>", f"<th>{esc(t('top_broken', lang))}</th>"]
    rows = []
    rank = 0
    for agent in agents:
        rows.append(_ranking_row(agent, summary, lang, with_group, rank))
        if not math.isnan(agent.figures.mean_score):
            rank += 1
    return (
        f'<table class="data ranking"><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _ranking_row(
    agent: AgentRow, summary: TeamSummary, lang: str, with_group: bool, rank: int
) -> str:
    fig, target = agent.figures, agent.target

    def cell(key: str, shown: str) -> str:
        met = target.met(key, headline_values(fig)[key]) if target is not None else None
        if met is None and key == "score" and not math.isnan(fig.mean_score):
            met = None if fig.mean_score >= summary.pass_mark else False
        return f'<td class="num {_cls(met)}">{esc(shown)}</td>'

    goals = []
    if target is not None:
        for key in ("score", "pass_rate", "first_response_p90"):
            goal = goal_of(target, key)
            if goal is not None:
                goals.append(fmt_goal(key, goal, lang).split(" ", 1)[1])
    verdict = None if target is None or fig.conversations == 0 else not agent.below_target
    broken = ("、" if lang == "zh" else "; ").join(
        rule_title(r.title, r.title_en, lang) for r in agent.top_rules[:2]
    )
    ranked = MISSING if math.isnan(fig.mean_score) else str(rank + 1)
    cells = [
        f'<td class="num">{ranked}</td>',
        f'<td class="nowrap">{esc(_agent_name(agent.agent_id, agent.name))}</td>',
    ]
    if with_group:
        cells.append(f'<td class="nowrap">{esc(agent.team_name or MISSING)}</td>')
    cells += [
        f'<td class="num">{fig.conversations}</td>',
        cell("score", fmt_score(fig.mean_score)),
        cell("pass_rate", fmt_rate(fig.pass_rate)),
        cell("first_response_p90", fmt_seconds(fig.first_response_p90, lang)),
        f'<td class="num{" bad" if fig.fatal_count else ""}">{fig.fatal_count}</td>',
        f'<td class="num muted">{esc(" / ".join(goals) or MISSING)}</td>',
        f"<td>{_mark(verdict)}</td>",
        f"<td>{esc(broken or MISSING)}</td>",
    ]
    return f"<tr{_ROW_BAD if agent.below_target else ''}>{''.join(cells)}</tr>"


def _score_chart(summary: TeamSummary, lang: str) -> str:
    if not summary.scores:
        return f'<p class="note">{esc(t("no_data", lang))}</p>'
    base = summary.base if summary.base > 0 else 100.0
    step = base / 10
    edges = [step * i for i in range(11)]
    markers = [
        Marker(summary.pass_mark, f"{t('pass_mark', lang)} {summary.pass_mark:g}", colour="#b7791f")
    ]
    goal = goal_of(summary.target, "score")
    if goal is not None:
        markers.append(Marker(goal, f"{t('score_target', lang)} {goal:g}"))
    chart = svg_histogram(
        summary.scores,
        edges,
        label=t("score_distribution", lang),
        x_label=t("score", lang),
        y_label=t("count", lang),
        markers=markers,
    )
    return f'<div class="chart">{chart}</div>'


def _team_rules(rules: Sequence[RuleRate], lang: str) -> str:
    if not rules:
        return f'<p class="note">{esc(t("no_violations", lang))}</p>'
    head = "".join(
        f'<th class="num">{esc(t(k, lang))}</th>'
        for k in ("applicable", "violations", "violation_rate", "target")
    )
    body = []
    for rule in rules:
        goal_cell, missed = _rule_cells(rule.rate, rule.target, lang)
        body.append(
            f"<tr{_ROW_BAD if missed else ''}>"
            f"<td>{esc(rule_title(rule.title, rule.title_en, lang))} "
            f'<span class="muted">{esc(rule.rule_id)}</span></td>'
            f"<td>{esc(rule.category or MISSING)}</td>"
            f'<td class="num">{rule.applicable}</td><td class="num">{rule.violations}</td>'
            f'<td class="num{" bad" if missed else ""}">{esc(fmt_rate(rule.rate))}</td>'
            f'<td class="num">{goal_cell}</td></tr>'
        )
    return (
        f'<table class="data rules"><thead><tr><th>{esc(t("rule", lang))}</th>'
        f"<th>{esc(t('category', lang))}</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
