"""One agent's scorecard in the terminal (`cs-qa report --agent`): `render_scorecard`
prints a `Scorecard` with rich, Chinese labels by default (`lang="en"` for English)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cs_qa.reports.format import (
    MISSING,
    agent_label,
    fmt_deduct,
    fmt_goal,
    fmt_rate,
    fmt_ratio,
    fmt_seconds,
    fmt_signed,
    pack_label,
    period_label,
    rule_title,
    target_label,
)
from cs_qa.reports.i18n import t
from cs_qa.reports.records import Scorecard, goal_of, missed_targets
from cs_qa.reports.terminal import (
    goal_coloured,
    key_values,
    masking_notice,
    rate_text,
    render_unevaluated,
    rule_goal_cell,
    rule_style,
    score_text,
    target_mark,
    trend_table,
)


def render_scorecard(card: Scorecard, console: Console, lang: str = "zh") -> None:
    """Print one agent's scorecard: header, figures vs team, pass mark and targets,
    categories, rules (against per-rule targets), trend (against each day's target),
    evidence quotes."""
    me, team, target = card.agent, card.team, card.target
    console.print(masking_notice(card.masked, lang))
    below = not pd.isna(me.mean_score) and me.mean_score < card.pass_mark
    verdict = (
        Text(MISSING)
        if pd.isna(me.mean_score)
        else Text(
            t("below_pass_mark", lang) if below else t("above_pass_mark", lang),
            style="bold red" if below else "green",
        )
    )
    pairs: list[tuple[str, Text | str]] = [
        (t("agent", lang), agent_label(card.agent_id, card.name))
    ]
    if card.team_name:
        pairs.append((t("group", lang), card.team_name))
    if card.hired_on is not None:
        tenure = (
            f"  ({t('tenure_day', lang).format(n=card.tenure_day)})"
            if card.tenure_day is not None
            else ""
        )
        pairs.append((t("hired_on", lang), f"{card.hired_on.isoformat()}{tenure}"))
    pairs += [
        (t("period", lang), period_label(card.first_day, card.last_day)),
        (t("conversations", lang), str(me.conversations)),
        (t("pack", lang), pack_label(card.pack)),
        (t("pass_mark", lang), Text.assemble(f"{card.pass_mark:g}  ", verdict)),
    ]
    missed = missed_targets(target, me)
    if target is not None:
        judged = Text(target_label(target, lang) + "  ")
        if me.conversations:
            judged.append_text(
                Text(f"✗ {t('target_missed', lang)}", style="bold red")
                if missed
                else Text(f"✓ {t('target_met', lang)}", style="green")
            )
        pairs.append((t("targets", lang), judged))
    header = key_values(pairs)

    figures = Table(box=None, padding=(0, 2))
    figures.add_column("")
    figures.add_column(t("agent", lang), justify="right")
    figures.add_column(t("team", lang), justify="right")
    figures.add_column(t("vs_team", lang), justify="right")
    figures.add_column(t("vs_pass_mark", lang), justify="right")
    if target is not None:
        figures.add_column(t("target", lang), justify="right")

    def goal_cell(key: str, value: float) -> list[Text]:
        if target is None:
            return []
        goal = goal_of(target, key)
        if goal is None:
            return [Text("")]
        out = Text(f"{fmt_goal(key, goal, lang)} ", style="dim")
        out.append_text(target_mark(target.met(key, value)))
        return [out]

    figures.add_row(
        Text(t("mean_score", lang)),
        goal_coloured(score_text(me.mean_score, card.pass_mark), target, "score", me),
        score_text(team.mean_score, card.pass_mark),
        Text(fmt_signed(me.mean_score - team.mean_score, ".1f")),
        Text(fmt_signed(me.mean_score - card.pass_mark, ".1f")),
        *goal_cell("score", me.mean_score),
    )
    blank = [Text("")] if target is not None else []
    figures.add_row(
        Text(t("min_score", lang)),
        score_text(me.min_score, card.pass_mark),
        score_text(team.min_score, card.pass_mark),
        Text(""),
        Text(""),
        *blank,
    )
    figures.add_row(
        Text(t("pass_rate", lang)),
        goal_coloured(rate_text(me.pass_rate, card.pass_mark, card.base), target, "pass_rate", me),
        rate_text(team.pass_rate, card.pass_mark, card.base),
        Text(fmt_signed((me.pass_rate - team.pass_rate) * 100, ".1f", t("points", lang))),
        Text(""),
        *goal_cell("pass_rate", me.pass_rate),
    )
    for key, mine, theirs in (
        ("fatal", me.fatal_count, team.fatal_count),
        ("flagged", me.flagged_count, team.flagged_count),
        ("findings", me.findings, team.findings),
    ):
        figures.add_row(
            Text(t(key, lang)), Text(str(mine)), Text(str(theirs)), Text(""), Text(""), *blank
        )
    for key, mine_s, team_s in (
        ("first_response_p50", me.first_response_p50, team.first_response_p50),
        ("first_response_p90", me.first_response_p90, team.first_response_p90),
    ):
        figures.add_row(
            Text(t(key, lang)),
            goal_coloured(Text(fmt_seconds(mine_s, lang)), target, key, me)
            if key == "first_response_p90"
            else Text(fmt_seconds(mine_s, lang)),
            Text(fmt_seconds(team_s, lang)),
            Text(fmt_signed(mine_s - team_s, ".1f", t("seconds", lang))),
            Text(""),
            *(goal_cell(key, mine_s) if key == "first_response_p90" else blank),
        )
    console.print(
        Panel(
            Group(header, Text(""), figures),
            title=f"{t('scorecard', lang)} · {agent_label(card.agent_id, card.name)}",
            title_align="left",
        )
    )

    if card.categories:
        categories = Table(title=t("by_category", lang), title_justify="left")
        categories.add_column(t("category", lang))
        for key in ("violations", "violation_rate", "team_rate"):
            categories.add_column(t(key, lang), justify="right")
        categories.add_column(t("per_conversation", lang), justify="right")
        categories.add_column(t("team_per_conversation", lang), justify="right")
        for row in card.categories:
            worse = (
                not pd.isna(row.per_conversation)
                and not pd.isna(row.team_per_conversation)
                and row.per_conversation > row.team_per_conversation
            )
            categories.add_row(
                Text(row.category or MISSING),
                Text(str(row.violations)),
                Text(fmt_rate(row.rate)),
                Text(fmt_rate(row.team_rate)),
                Text(fmt_ratio(row.per_conversation), style="bold red" if worse else ""),
                Text(fmt_ratio(row.team_per_conversation)),
            )
        console.print(categories)

    rules = Table(title=t("rules_detail", lang), title_justify="left")
    rules.add_column(t("rule", lang))
    rules.add_column(t("category", lang))
    for key in ("applicable", "violations", "violation_rate", "team_rate"):
        rules.add_column(t(key, lang), justify="right")
    with_rule_targets = any(rule.target is not None for rule in card.rules)
    if with_rule_targets:
        rules.add_column(t("target", lang), justify="right")
    for rule in card.rules:
        worse = (
            not pd.isna(rule.rate) and not pd.isna(rule.team_rate) and (rule.rate > rule.team_rate)
        )
        style = rule_style(rule.rate, rule.target) or ("bold red" if worse else "")
        cells = [
            Text(f"{rule_title(rule.title, rule.title_en, lang)} ({rule.rule_id})"),
            Text(rule.category or MISSING),
            Text(str(rule.applicable)),
            Text(str(rule.violations)),
            Text(fmt_rate(rule.rate), style=style),
            Text(fmt_rate(rule.team_rate)),
        ]
        if with_rule_targets:
            cells.append(rule_goal_cell(rule.rate, rule.target, lang))
        rules.add_row(*cells)
    if card.rules:
        console.print(rules)
    else:
        console.print(Text(f"{t('rules_detail', lang)}: {t('no_data', lang)}"))

    if len(card.trend) > 1:
        console.print(trend_table(card.trend, card.pass_mark, card.base, lang))

    if card.evidence:
        # One block per conversation, one line per quote: readable at 80 columns.
        console.print(Text(t("evidence", lang), style="bold"))
        current = None
        for q in card.evidence:
            if q.conversation_id != current:
                current = q.conversation_id
                head = Text(f"{q.conversation_id}  {q.started or q.day or MISSING}  ")
                head.append(f"{t('score', lang)} ")
                head.append_text(score_text(q.score, card.pass_mark))
                console.print(head)
            deduct = t("fatal", lang) if q.fatal else fmt_deduct(q.deduct)
            line = Text(f"  [{q.at}] {rule_title(q.rule_title, q.rule_title_en, lang)} ")
            line.append(deduct, style="bold red" if q.fatal else "red")
            if q.matched:
                line.append(f"  {t('matched', lang)}: {q.matched}", style="yellow")
            line.append(f"\n      「{q.evidence or MISSING}」")
            console.print(line)

    render_unevaluated(card.unevaluated, console, lang)
    if card.overruled:
        console.print(Text(t("overruled", lang), style="bold"))
        for o in card.overruled:
            line = Text(f"  {o.conversation_id} {rule_title(o.rule_title, o.rule_title_en, lang)}")
            line.append(f"  {t('dispute_reason', lang)}: {o.reason}", style="green")
            line.append(f"\n      「{o.evidence or MISSING}」", style="dim")
            console.print(line)
