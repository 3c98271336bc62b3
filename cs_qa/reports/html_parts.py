"""Pieces shared by the printable team report and scorecard: key/value tables, headline
tiles against their targets, target cells, the trend section, the footer. Each returns
trusted HTML built with `esc()`."""

from __future__ import annotations

import math
from collections.abc import Sequence

from cs_qa.packs.targets import Target
from cs_qa.reports.format import fmt_goal, fmt_rate, fmt_score, fmt_seconds, pack_label
from cs_qa.reports.html_base import esc, unevaluated_html
from cs_qa.reports.html_charts import svg_trend
from cs_qa.reports.i18n import t
from cs_qa.reports.records import DayRow, Figures, UnevaluatedRule, goal_of, headline_values

ROW_BAD = ' class="row-bad"'


def verdict_class(met: bool | None) -> str:
    """The CSS class of a target verdict: good, bad or none."""
    return "" if met is None else ("good" if met else "bad")


def verdict_mark(met: bool | None) -> str:
    """✓ (green) for a met target, ✗ (red) for a missed one, nothing otherwise."""
    if met is None:
        return ""
    return '<span class="good">✓</span>' if met else '<span class="bad">✗</span>'


def kv_table(pairs: Sequence[tuple[str, str]], columns: int = 2) -> str:
    """A key/value table, `columns` pairs per row; values are trusted HTML (esc()'d)."""
    rows = []
    for i in range(0, len(pairs), columns):
        cells = "".join(f"<th>{esc(k)}</th><td>{v}</td>" for k, v in pairs[i : i + columns])
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="kv meta">{"".join(rows)}</table>'


def tile(label: str, value: str, met: bool | None = None, lines: Sequence[str] = ()) -> str:
    """A headline figure; `lines` (trusted HTML) go under it (target, team)."""
    extra = "".join(f'<div class="target">{line}</div>' for line in lines)
    cls = " bad-tile" if met is False else ""
    return (
        f'<div class="tile{cls}"><div class="label">{esc(label)}</div>'
        f'<div class="value {verdict_class(met)}">{esc(value)}</div>{extra}</div>'
    )


def goal_line(target: Target | None, key: str, value: float, lang: str) -> str:
    """ "目标 ≥ 85 ✓" for a tile or a cell, "" without a goal."""
    goal = goal_of(target, key)
    if goal is None or target is None:
        return ""
    return (
        f"{esc(t('target', lang))} {esc(fmt_goal(key, goal, lang))} "
        f"{verdict_mark(target.met(key, value))}"
    )


def headline_tiles(
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
        lines = [goal_line(target, key, value, lang)]
        if team_shown:
            lines.append(f"{esc(t('team', lang))} {esc(team_shown[key])}")
        tiles.append(tile(t(labels.get(key, key), lang), shown[key], met, [x for x in lines if x]))
    return tiles


def rule_target_cell(rate: float, goal: float | None, lang: str) -> tuple[str, bool]:
    """The target cell of a rule row and whether the rule misses it."""
    if goal is None:
        return "", False
    met = None if math.isnan(rate) else rate <= goal
    return f"{esc(fmt_goal('rule', goal, lang))} {verdict_mark(met)}", met is False


def trend_section(trend: Sequence[DayRow], lang: str, label: str) -> str:
    """The daily trend: a chart and a table against each day's targets; a note when
    there is less than two days."""
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
            f"<tr{ROW_BAD if bad else ''}><td>{esc(row.day)}</td>"
            f'<td class="num">{row.conversations}</td>'
            f'<td class="num {verdict_class(s_met)}">{esc(fmt_score(row.mean_score))}</td>'
            f'<td class="num">{esc(fmt_goal("score", s_goal, lang)) if s_goal is not None else ""}'
            f" {verdict_mark(s_met)}</td>"
            f'<td class="num {verdict_class(p_met)}">{esc(fmt_rate(row.pass_rate))}</td>'
            f'<td class="num">'
            f"{esc(fmt_goal('pass_rate', p_goal, lang)) if p_goal is not None else ''}"
            f" {verdict_mark(p_met)}</td></tr>"
        )
    table = (
        f'<table class="data trend"><thead><tr><th>{esc(t("day", lang))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return chart + table


def page_footer(pack: dict[str, object], masked: bool, lang: str) -> str:
    """The page footer: the pack, and a note when the data is masked."""
    parts = [esc(t("page_of", lang).format(pack=pack_label(dict(pack))))]
    if masked:
        parts.append(esc(t("data_masked_note", lang)))
    return " · ".join(parts)


def unevaluated_section(rules: Sequence[UnevaluatedRule], lang: str) -> list[str]:
    """The rules that could not be evaluated, as a heading and a list (nothing when none)."""
    return unevaluated_html([r.row(lang) for r in rules], lang)
