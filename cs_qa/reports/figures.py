"""Figures computed from a dataset's tables, shared by the team report and the agent
scorecard: headline figures, violation counts and rates per rule, the daily trend, the
targets a dataset was scored with and an agent's tenure, the rules that could not be
evaluated. Pure: DataFrames in, records (`cs_qa.reports.records`) out."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from cs_qa.dataset import aggregate
from cs_qa.dataset.reader import Dataset
from cs_qa.dataset.schema import MANIFEST
from cs_qa.packs.targets import RosterEntry, Target, TargetsSpec, parse_targets
from cs_qa.reports.records import DayRow, Figures, RuleRate, UnevaluatedRule


def float_or_nan(value: Any) -> float:
    """A table cell as a float, NaN when missing."""
    return math.nan if value is None or pd.isna(value) else float(value)


def int_or_zero(value: Any) -> int:
    """A table cell as an int, 0 when missing."""
    return 0 if value is None or pd.isna(value) else int(value)


def text_or_empty(value: Any) -> str:
    """A table cell as text, "" when missing."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def bool_or_false(value: Any) -> bool:
    """A table cell as a bool, False when missing."""
    return False if value is None or pd.isna(value) else bool(value)


def headline_figures(conversations: pd.DataFrame, findings: int) -> Figures:
    """The headline figures of `conversations` rows, with `findings` findings."""
    passed = conversations["passed"].astype("boolean").dropna()
    return Figures(
        conversations=len(conversations),
        mean_score=float_or_nan(conversations["score"].mean()),
        min_score=float_or_nan(conversations["score"].min()),
        pass_rate=float(passed.mean()) if len(passed) else math.nan,
        fatal_count=int(conversations["fatal"].astype("boolean").sum()),
        flagged_count=int(conversations["flagged"].astype("boolean").sum()),
        findings=findings,
        first_response_p50=aggregate.percentile(conversations["first_response_s"], 50),
        first_response_p90=aggregate.percentile(conversations["first_response_s"], 90),
    )


def figures_from_agents_row(row: pd.Series) -> Figures:
    """The headline figures of one row of the `agents` table."""
    return Figures(
        conversations=int_or_zero(row["conversations"]),
        mean_score=float_or_nan(row["mean_score"]),
        min_score=float_or_nan(row["min_score"]),
        pass_rate=float_or_nan(row["pass_rate"]),
        fatal_count=int_or_zero(row["fatal_count"]),
        flagged_count=int_or_zero(row["flagged_count"]),
        findings=int_or_zero(row["findings"]),
        first_response_p50=float_or_nan(row["first_response_p50"]),
        first_response_p90=float_or_nan(row["first_response_p90"]),
    )


def rule_counts(rule_results: pd.DataFrame) -> pd.DataFrame:
    """applicable / violations / rate per rule_id over the given rule_results rows."""
    status = rule_results["status"].astype("str")
    counts = pd.DataFrame(
        {
            "rule_id": rule_results["rule_id"].astype("str"),
            "applicable": (~status.isin(aggregate.NOT_EVALUATED)).astype("int64"),
            "violations": status.isin(aggregate.BROKEN).astype("int64"),
        }
    )
    table = counts.groupby("rule_id", observed=True, sort=True)[["applicable", "violations"]].sum()
    table["rate"] = (table["violations"] / table["applicable"]).where(table["applicable"] > 0)
    return table


def most_broken(
    table: pd.DataFrame, limit: int, meta: dict[str, dict[str, Any]] | None = None
) -> pd.DataFrame:
    """Rules with violations, most violations first (then highest rate, then id). Flag
    rules (complaint risk …) mark a conversation for review; nobody broke them."""
    broken = table[table["violations"] > 0].reset_index()
    if meta:
        flagged = broken["rule_id"].map(lambda r: bool(meta.get(str(r), {}).get("flag")))
        broken = broken.loc[~flagged.astype(bool)]
    broken = broken.sort_values(
        ["violations", "rate", "rule_id"], ascending=[False, False, True], kind="stable"
    )
    return broken.head(limit)


def conversation_days(conversations: pd.DataFrame) -> list[str]:
    """The days the conversations were on, sorted."""
    return sorted(str(d) for d in conversations["day"].dropna().unique())


def daily_trend(
    conversations: pd.DataFrame,
    days: list[str],
    target_of: Callable[[str], Target | None] | None = None,
) -> list[DayRow]:
    """One row per day of `days` (days without conversations included, with NaN), each
    with that day's targets from `target_of(day)`."""
    if len(days) < 2:
        return []
    by_day = {str(day): group for day, group in conversations.groupby("day", observed=True)}
    rows = []
    for day in days:
        group = by_day.get(day, conversations.iloc[0:0])
        figures = headline_figures(group, 0)
        rows.append(
            DayRow(
                day,
                figures.conversations,
                figures.mean_score,
                figures.pass_rate,
                target=target_of(day) if target_of else None,
            )
        )
    return rows


def dataset_targets(ds: Dataset) -> TargetsSpec | None:
    """The targets the dataset was scored with: its pack's `targets:` section, which the
    manifest stores under pack.targets. None when the pack has none.

    Raises `cs_qa.packs.targets.TargetsError` when the stored section no longer validates.
    """
    data = ds.pack.get("targets")
    if not data:
        return None
    where = f"{ds.paths[-1] / MANIFEST}: pack.targets" if ds.paths else "manifest: pack.targets"
    return parse_targets(data, where)


def _on(day: str | None) -> date | None:
    try:
        return date.fromisoformat(day) if day else None
    except ValueError:
        return None


def tenure_on(entry: RosterEntry | None, day: str | None) -> int | None:
    """Days since hire on `day` (YYYY-MM-DD; hire day = 1), None when unknown."""
    on = _on(day)
    return entry.tenure_day(on) if entry is not None and on is not None else None


def rule_rate(row: Any, meta: dict[str, dict[str, Any]], target: Target | None = None) -> RuleRate:
    """A rule's applicable / violations / rate row as a `RuleRate`, titled from the pack's
    rules (`meta`), with its goal from `target`."""
    rule = meta.get(str(row.rule_id), {})
    title = (
        text_or_empty(getattr(row, "title", ""))
        or text_or_empty(rule.get("title"))
        or str(row.rule_id)
    )
    category = text_or_empty(getattr(row, "category", "")) or text_or_empty(rule.get("category"))
    return RuleRate(
        rule_id=str(row.rule_id),
        title=title,
        title_en=text_or_empty(rule.get("title_en")),
        category=category,
        applicable=int_or_zero(row.applicable),
        violations=int_or_zero(row.violations),
        rate=float_or_nan(row.rate),
        target=target.rules.get(str(row.rule_id)) if target else None,
    )


def unevaluated_rules(
    rule_errors: pd.DataFrame, meta: dict[str, dict[str, Any]]
) -> tuple[UnevaluatedRule, ...]:
    """The rules that could not be evaluated on some conversations, by rule id."""
    rules = []
    for rule_id, rows in rule_errors.groupby("rule_id", sort=True):
        rule = meta.get(str(rule_id), {})
        first = rows.iloc[0]
        rules.append(
            UnevaluatedRule(
                rule_id=str(rule_id),
                title=text_or_empty(rule.get("title")) or str(rule_id),
                title_en=text_or_empty(rule.get("title_en")),
                conversations=int(rows["conversation_id"].nunique()),
                error=f"{first['error_type']}: {first['message']}",
            )
        )
    return tuple(rules)


def known_agents(ds: Dataset) -> list[str]:
    """Every agent with a conversation or a finding in the dataset, sorted."""
    ids = set(ds.agents["agent_id"].dropna().astype("str"))
    ids |= set(ds.conversations["agent_id"].dropna().astype("str"))
    ids |= set(ds.findings["agent_id"].dropna().astype("str"))
    return sorted(ids)
