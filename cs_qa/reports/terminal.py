"""Terminal pieces shared by every rich report: values coloured against the pass mark
and against targets, the masking notice, key/value grids, the trend and rule-target
cells, the rules that could not be evaluated; and `render_run`, what a scoring run did."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cs_qa.packs.targets import Target
from cs_qa.reports.format import fmt_goal, fmt_rate, fmt_score, rule_title
from cs_qa.reports.i18n import t
from cs_qa.reports.records import DayRow, Figures, UnevaluatedRule, goal_of, headline_values


def score_text(value: float, pass_mark: float) -> Text:
    """A score, in bold red when below the pass mark."""
    below = not pd.isna(value) and value < pass_mark
    return Text(fmt_score(value), style="bold red" if below else "")


def rate_text(value: float, pass_mark: float, base: float) -> Text:
    """A pass rate, in bold red when below the pass mark, read as a share of the base
    (80 of 100: 80%)."""
    below = not pd.isna(value) and base > 0 and value * base < pass_mark
    return Text(fmt_rate(value), style="bold red" if below else "")


def masking_notice(masked: bool, lang: str) -> Text | Panel:
    """A dim "masked" line, or a red panel when the data was scored with --no-mask."""
    if masked:
        return Text(t("masked", lang), style="dim")
    return Panel(Text(t("not_masked", lang), style="bold"), style="bold white on red")


def key_values(pairs: Sequence[tuple[str, Text | str]]) -> Table:
    """A two-column grid of bold labels and their values."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in pairs:
        grid.add_row(key, value if isinstance(value, Text) else Text(value))
    return grid


def target_mark(met: bool | None) -> Text:
    """✓ (green) for a met target, ✗ (bold red) for a missed one, nothing otherwise."""
    if met is None:
        return Text("")
    return Text("✓", style="green") if met else Text("✗", style="bold red")


def against_target(
    shown: Text, target: Target | None, key: str, value: float, lang: str, short: bool = False
) -> Text:
    """`shown` (the formatted value) followed by " / 目标 ≥ 90 ✗", coloured by the verdict.

    Without a goal for `key` the value is returned as it is. `short` leaves out the word
    "目标" (for table cells whose column says it).
    """
    goal = goal_of(target, key)
    if goal is None or target is None:
        return shown
    met = target.met(key, value)
    out = shown.copy()
    if met is not None:
        out.stylize("bold red" if not met else "green")
    prefix = " / " if short else f" / {t('target', lang)} "
    out.append(f"{prefix}{fmt_goal(key, goal, lang)} ", style="dim")
    out.append_text(target_mark(met))
    return out


def goal_coloured(shown: Text, target: Target | None, key: str, figures: Figures) -> Text:
    """A table cell coloured against the target (red when missed, green when met); left
    as it is (coloured against the pass mark) when there is no target for `key`."""
    met = target.met(key, headline_values(figures)[key]) if target is not None else None
    if met is None:
        return shown
    out = shown.copy()
    out.stylize("bold red" if not met else "green")
    return out


def trend_table(trend: Sequence[DayRow], pass_mark: float, base: float, lang: str) -> Table:
    """The daily trend as a table, each day against its targets."""
    table = Table(title=t("trend", lang), title_justify="left")
    table.add_column(t("day", lang))
    for key in ("conversations", "mean_score", "pass_rate"):
        table.add_column(t(key, lang), justify="right")
    for row in trend:
        table.add_row(
            Text(row.day),
            Text(str(row.conversations)),
            against_target(
                score_text(row.mean_score, pass_mark),
                row.target,
                "score",
                row.mean_score,
                lang,
                short=True,
            ),
            against_target(
                rate_text(row.pass_rate, pass_mark, base),
                row.target,
                "pass_rate",
                row.pass_rate,
                lang,
                short=True,
            ),
        )
    return table


def rule_style(rate: float, goal: float | None) -> str:
    """Bold red when a rule's violation rate is above its goal."""
    return "bold red" if goal is not None and not pd.isna(rate) and rate > goal else ""


def rule_goal_cell(rate: float, goal: float | None, lang: str) -> Text:
    """A rule's target cell: "≤ 10% ✗" (nothing when the rule has no target)."""
    if goal is None:
        return Text("")
    met = None if pd.isna(rate) else rate <= goal
    out = Text(f"{fmt_goal('rule', goal, lang)} ", style="dim")
    out.append_text(target_mark(met))
    return out


def render_unevaluated(
    rules: Sequence[UnevaluatedRule], console: Console, lang: str = "zh"
) -> None:
    """The rules that could not be evaluated, one line each (nothing when there are none)."""
    if not rules:
        return
    console.print(Text(t("unevaluated_rules", lang), style="bold red"))
    for r in rules:
        line = Text(f"  {r.rule_id} {rule_title(r.title, r.title_en, lang)}: ")
        line.append(t("unevaluated_on", lang).format(n=r.conversations), style="red")
        line.append(f" ({r.error})", style="dim")
        console.print(line)


def render_run(summary: Any, console: Console, lang: str = "zh") -> None:
    """What a scoring run did: counts, where the dataset is, the first rejected records.

    `summary` is a `cs_qa.engine.run.RunSummary` (not imported here: reports only read datasets).
    """
    pairs: list[tuple[str, Text | str]] = [
        (t("read", lang), str(summary.read)),
        (t("scored", lang), str(summary.scored)),
        (t("rejected", lang), Text(str(summary.rejected), style="red" if summary.rejected else "")),
        (t("findings", lang), str(summary.findings)),
        (t("output", lang), str(summary.out)),
    ]
    console.print(Panel(key_values(pairs), title=t("run_done", lang), expand=False))
    if summary.rejected:
        console.print(Text(t("rejected_records", lang), style="bold red"))
        for e in summary.errors:
            console.print(
                f"  {e.source_file}:{e.source_line}: {e.reason}",
                markup=False,
                highlight=False,
                soft_wrap=True,  # file:line: lines stay whole for log parsers and editors
            )
        more = summary.rejected - len(summary.errors)
        if more > 0:
            console.print(
                t("more_errors", lang).format(n=more, path=summary.out / "errors"), markup=False
            )
    if summary.rule_errors:
        console.print(Text(t("unevaluated_rules", lang), style="bold red"))
        for where, conversation, rule, error in summary.rule_error_samples:
            console.print(
                f"  {where}: {conversation} {rule}: {error}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        more = summary.rule_errors - len(summary.rule_error_samples)
        if more > 0:
            console.print(
                t("more_errors", lang).format(n=more, path=summary.out / "rule_errors"),
                markup=False,
            )
