"""The team report in the terminal (`cs-qa report`): `render_team` prints a
`TeamSummary` with rich, Chinese labels by default (`lang="en"` for English)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cs_qa.packs.targets import Target
from cs_qa.reports.format import (
    MISSING,
    agent_label,
    fmt_goal,
    fmt_rate,
    fmt_seconds,
    pack_label,
    period_label,
    rule_title,
    target_label,
)
from cs_qa.reports.i18n import t
from cs_qa.reports.records import HEADLINE_TARGETS, RuleRate, TeamSummary, goal_of
from cs_qa.reports.terminal import (
    against_target,
    goal_coloured,
    key_values,
    masking_notice,
    rate_text,
    render_unevaluated,
    rule_goal_cell,
    rule_style,
    score_text,
    trend_table,
)


def render_team(summary: TeamSummary, console: Console, lang: str = "zh") -> None:
    """Print the team report: overview (against the team's targets), one row per agent
    (agents below their targets marked ✗ in red), most broken rules, trend."""
    team, target = summary.team, summary.target
    console.print(masking_notice(summary.masked, lang))
    overview = key_values(
        [
            (t("pack", lang), pack_label(summary.pack)),
            (t("period", lang), period_label(summary.first_day, summary.last_day)),
            (
                t("conversations", lang),
                f"{team.conversations}  ({t('scored', lang)} {summary.scored}, "
                f"{t('rejected', lang)} {summary.rejected})",
            ),
            (
                t("mean_score", lang),
                against_target(
                    score_text(team.mean_score, summary.pass_mark),
                    target,
                    "score",
                    team.mean_score,
                    lang,
                ),
            ),
            (
                t("pass_rate", lang),
                against_target(
                    rate_text(team.pass_rate, summary.pass_mark, summary.base),
                    target,
                    "pass_rate",
                    team.pass_rate,
                    lang,
                ),
            ),
            (t("pass_mark", lang), f"{summary.pass_mark:g} / {summary.base:g}"),
            (t("fatal", lang), str(team.fatal_count)),
            (t("flagged", lang), str(team.flagged_count)),
            (t("findings", lang), str(team.findings)),
            (t("first_response_p50", lang), fmt_seconds(team.first_response_p50, lang)),
            (
                t("first_response_p90", lang),
                against_target(
                    Text(fmt_seconds(team.first_response_p90, lang)),
                    target,
                    "first_response_p90",
                    team.first_response_p90,
                    lang,
                ),
            ),
        ]
    )
    console.print(Panel(overview, title=t("team_overview", lang), title_align="left"))
    render_unevaluated(summary.unevaluated, console, lang)

    # The team's group column only where there is room; below-target agents are marked
    # in their own cell (✗, red) and the targets are listed under the table.
    with_group = console.width >= 120 and any(row.team_name for row in summary.agents)
    agents = Table(title=t("agents", lang), title_justify="left")
    agents.add_column(t("agent", lang), no_wrap=True)
    if with_group:
        agents.add_column(t("group", lang), no_wrap=True)
    for key in ("conversations", "mean_score", "pass_rate", "fatal", "fr_p50_short"):
        agents.add_column(t(key, lang), justify="right")
    agents.add_column(t("fr_p90_short", lang), justify="right")
    agents.add_column(t("top_broken", lang), overflow="fold")
    shown_rules = 2 if console.width >= 100 else 1
    for row in summary.agents:
        fig, goal = row.figures, row.target
        # Titles only, on one line: the rates are in the rules table and the scorecard.
        broken = ("、" if lang == "zh" else "; ").join(
            rule_title(r.title, r.title_en, lang) for r in row.top_rules[:shown_rules]
        )
        label = agent_label(row.agent_id, row.name)
        cells = [
            Text(f"{label} ✗", style="bold red") if row.below_target else Text(label),
        ]
        if with_group:
            cells.append(Text(row.team_name or MISSING))
        cells += [
            Text(str(fig.conversations)),
            goal_coloured(score_text(fig.mean_score, summary.pass_mark), goal, "score", fig),
            goal_coloured(
                rate_text(fig.pass_rate, summary.pass_mark, summary.base), goal, "pass_rate", fig
            ),
            Text(str(fig.fatal_count), style="bold red" if fig.fatal_count else ""),
            Text(fmt_seconds(fig.first_response_p50, lang)),
            goal_coloured(
                Text(fmt_seconds(fig.first_response_p90, lang)), goal, "first_response_p90", fig
            ),
            Text(broken or MISSING),
        ]
        agents.add_row(*cells)
    console.print(agents)
    for line in _target_notes(summary, lang):
        console.print(line)

    if summary.top_rules:
        console.print(_rules_table(summary.top_rules, lang))
    else:
        console.print(Text(f"{t('top_rules', lang)}: {t('no_violations', lang)}"))
    if len(summary.trend) > 1:
        console.print(trend_table(summary.trend, summary.pass_mark, summary.base, lang))


def _rules_table(rules: Sequence[RuleRate], lang: str) -> Table:
    table = Table(title=t("top_rules", lang), title_justify="left")
    table.add_column(t("rule", lang))
    table.add_column(t("category", lang))
    for key in ("applicable", "violations", "violation_rate"):
        table.add_column(t(key, lang), justify="right")
    with_targets = any(rule.target is not None for rule in rules)
    if with_targets:
        table.add_column(t("target", lang), justify="right")
    for rule in rules:
        cells = [
            Text(f"{rule_title(rule.title, rule.title_en, lang)} ({rule.rule_id})"),
            Text(rule.category or MISSING),
            Text(str(rule.applicable)),
            Text(str(rule.violations)),
            Text(fmt_rate(rule.rate), style=rule_style(rule.rate, rule.target)),
        ]
        if with_targets:
            cells.append(rule_goal_cell(rule.rate, rule.target, lang))
        table.add_row(*cells)
    return table


def _short_goals(target: Target | None, lang: str) -> str:
    """The headline targets in one line: "≥ 90 · ≥ 95% · ≤ 20秒"."""
    if target is None:
        return MISSING
    parts = [
        fmt_goal(key, goal, lang)
        for key in HEADLINE_TARGETS
        if (goal := goal_of(target, key)) is not None
    ]
    return " · ".join(parts) or MISSING


def _target_notes(summary: TeamSummary, lang: str) -> list[Text]:
    """Under the agents table: the team's targets, the agents held to other (new-agent)
    targets, and what ✗ means."""
    if summary.target is None and not any(row.target for row in summary.agents):
        return []
    head = f"{t('targets', lang)}: "
    notes = [
        Text(head + f"{t('team_target', lang)} {_short_goals(summary.target, lang)}", style="dim")
    ]
    for row in summary.agents:
        if row.target is not None and row.target.label:
            notes.append(
                Text(
                    f"  {agent_label(row.agent_id, row.name)}: "
                    f"{target_label(row.target, lang)} {_short_goals(row.target, lang)}",
                    style="dim",
                )
            )
    notes.append(Text(f"✗ {t('below_target', lang)}", style="dim"))
    return notes
