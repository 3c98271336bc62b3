"""The team's printable report (`cs-qa report --html`): `team_html` turns a
`TeamSummary` into one self-contained HTML document (inline CSS from `html_base`, inline
SVG charts, no script, no network), laid out for A4; every text from the dataset goes
through `esc()`."""

from __future__ import annotations

import math
from collections.abc import Sequence

from cs_qa.reports.format import (
    MISSING,
    agent_label,
    fmt_goal,
    fmt_rate,
    fmt_score,
    fmt_seconds,
    pack_label,
    period_label,
    rule_title,
    target_label,
)
from cs_qa.reports.html_base import esc, page
from cs_qa.reports.html_charts import Marker, svg_histogram
from cs_qa.reports.html_parts import (
    ROW_BAD,
    headline_tiles,
    kv_table,
    page_footer,
    rule_target_cell,
    tile,
    trend_section,
    unevaluated_section,
    verdict_class,
    verdict_mark,
)
from cs_qa.reports.i18n import t
from cs_qa.reports.records import AgentRow, RuleRate, TeamSummary, goal_of, headline_values


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
    body = [f"<h1>{esc(title)}</h1>", kv_table(pairs)]
    tiles = headline_tiles(team, target, lang)
    tiles.append(
        tile(
            t("below_target_agents", lang),
            str(len(below)),
            (not below) if target is not None else None,
            [esc(", ".join(a.agent_id for a in below[:6]) + (" …" if len(below) > 6 else ""))]
            if below
            else [],
        )
    )
    tiles.append(
        tile(
            t("fatal", lang),
            str(team.fatal_count),
            False if team.fatal_count else None,
            [f"{esc(t('flagged', lang))} {team.flagged_count}"],
        )
    )
    body.append(f'<div class="tiles">{"".join(tiles)}</div>')
    body.extend(unevaluated_section(summary.unevaluated, lang))
    body.append(f"<h2>{esc(t('ranking', lang))}</h2>")
    body.append(_ranking(summary, lang))
    body.append(f"<h2>{esc(t('score_distribution', lang))}</h2>")
    body.append(_score_chart(summary, lang))
    body.append(f"<h2>{esc(t('top_rules', lang))}</h2>")
    body.append(_team_rules(summary.top_rules, lang))
    body.append(f"<h2>{esc(t('trend', lang))}</h2>")
    body.append(trend_section(summary.trend, lang, t("trend", lang)))
    return page(
        title,
        "\n".join(body),
        lang=lang,
        masked=summary.masked,
        footer=page_footer(summary.pack, summary.masked, lang),
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
        return f'<td class="num {verdict_class(met)}">{esc(shown)}</td>'

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
        f'<td class="nowrap">{esc(agent_label(agent.agent_id, agent.name))}</td>',
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
        f"<td>{verdict_mark(verdict)}</td>",
        f"<td>{esc(broken or MISSING)}</td>",
    ]
    return f"<tr{ROW_BAD if agent.below_target else ''}>{''.join(cells)}</tr>"


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
        goal_cell, missed = rule_target_cell(rule.rate, rule.target, lang)
        body.append(
            f"<tr{ROW_BAD if missed else ''}>"
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
