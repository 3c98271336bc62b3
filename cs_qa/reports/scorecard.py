"""One agent's scorecard figures (`cs-qa report --agent`): `agent_scorecard` turns a
`Dataset` into a `Scorecard`: the agent against the team, the pass mark and their targets
(a new agent's follow the ramp by tenure, day by day), by category and by rule, the daily
trend and evidence quotes. No printing, no formatting: `terminal_scorecard` and
`html_scorecard` render it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from cs_qa.dataset import aggregate
from cs_qa.dataset.reader import Dataset
from cs_qa.packs.targets import RosterEntry, Target, TargetsSpec, target_for
from cs_qa.reports.figures import (
    bool_or_false,
    conversation_days,
    daily_trend,
    dataset_targets,
    figures_from_agents_row,
    float_or_nan,
    headline_figures,
    int_or_zero,
    known_agents,
    rule_counts,
    rule_rate,
    tenure_on,
    text_or_empty,
    unevaluated_rules,
)
from cs_qa.reports.format import format_offset
from cs_qa.reports.records import CategoryRow, Evidence, Overruled, Scorecard, ScorecardRule

EVIDENCE_QUOTES = 5  # scorecard: findings quoted as evidence


class UnknownAgent(KeyError):
    """The agent asked for has no conversation or finding in the dataset."""

    def __init__(self, agent_id: str, known: Sequence[str]) -> None:
        super().__init__(agent_id)
        self.agent_id = agent_id
        self.known = list(known)

    def __str__(self) -> str:
        known = ", ".join(self.known) if self.known else "none"
        return f"unknown agent {self.agent_id!r}; known agents: {known}"


def agent_scorecard(
    ds: Dataset,
    agent_id: str,
    *,
    targets: TargetsSpec | None = None,
    roster: Mapping[str, RosterEntry] | None = None,
) -> Scorecard:
    """One agent against the team, the pass mark and their targets: categories, rules,
    daily trend (with each day's target) and evidence.

    `targets` replaces the dataset's own targets; `roster` gives the agent's name, team
    and hire date (a new agent's targets follow the ramp by tenure, day by day).
    Raises `UnknownAgent` (a `KeyError`) listing the known agents when `agent_id` has
    neither a conversation nor a finding in the dataset.
    """
    known = known_agents(ds)
    if agent_id not in known:
        raise UnknownAgent(agent_id, known)
    conv = ds.conversations
    own_conv = conv[conv["agent_id"] == agent_id]
    own_findings = ds.findings[ds.findings["agent_id"] == agent_id]
    agents_row = ds.agents[ds.agents["agent_id"] == agent_id]
    agent = (
        figures_from_agents_row(agents_row.iloc[0])
        if len(agents_row)
        else headline_figures(own_conv, len(own_findings))
    )

    spec = targets if targets is not None else dataset_targets(ds)
    entry = (roster or {}).get(agent_id)
    own_days = conversation_days(own_conv) or conversation_days(conv)
    last_day = own_days[-1] if own_days else None
    tenure = tenure_on(entry, last_day)
    target = target_for(spec, tenure)

    meta = aggregate.rule_meta(ds.rules)
    team_rates = rule_counts(ds.rule_results)["rate"]
    own_rules = ds.agent_rules[ds.agent_rules["agent_id"] == agent_id]
    own_rules = own_rules[own_rules["applicable"] > 0].sort_values(
        ["violations", "rate", "rule_id"], ascending=[False, False, True], kind="stable"
    )
    rules = []
    for row in own_rules.itertuples(index=False):
        base = rule_rate(row, meta)
        rules.append(
            ScorecardRule(
                rule_id=base.rule_id,
                title=base.title,
                title_en=base.title_en,
                category=base.category,
                applicable=base.applicable,
                violations=base.violations,
                rate=base.rate,
                team_rate=float_or_nan(team_rates.get(base.rule_id)),
                target=target.rules.get(base.rule_id) if target else None,
            )
        )

    def day_target(day: str) -> Target | None:
        return target_for(spec, tenure_on(entry, day))

    own_results = ds.rule_results[ds.rule_results["agent_id"] == agent_id]
    return Scorecard(
        agent_id=agent_id,
        pack=ds.pack,
        pass_mark=ds.pass_mark,
        base=ds.base,
        masked=ds.masked,
        first_day=own_days[0] if own_days else None,
        last_day=own_days[-1] if own_days else None,
        agent=agent,
        team=headline_figures(conv, len(ds.findings)),
        rules=rules,
        trend=daily_trend(own_conv, conversation_days(conv), day_target),
        evidence=_evidence(conv, own_findings, meta),
        name=entry.name if entry else "",
        team_name=entry.team if entry else "",
        hired_on=entry.hired_on if entry else None,
        tenure_day=tenure,
        target=target,
        team_target=target_for(spec, None),
        categories=_categories(own_results, ds.rule_results, len(own_conv), len(conv), ds.rules),
        first_responses=tuple(float(v) for v in own_conv["first_response_s"].dropna()),
        overruled=_overruled(ds.overruled[ds.overruled["agent_id"] == agent_id], meta),
        unevaluated=unevaluated_rules(ds.rule_errors[ds.rule_errors["agent_id"] == agent_id], meta),
    )


def _overruled(findings: pd.DataFrame, meta: dict[str, dict[str, Any]]) -> list[Overruled]:
    return [
        Overruled(
            conversation_id=str(row.conversation_id),
            rule_id=str(row.rule_id),
            rule_title=text_or_empty(row.title)
            or text_or_empty(meta.get(str(row.rule_id), {}).get("title")),
            rule_title_en=text_or_empty(meta.get(str(row.rule_id), {}).get("title_en")),
            matched=text_or_empty(row.matched),
            evidence=text_or_empty(row.evidence),
            reason=text_or_empty(getattr(row, "dispute_reason", "")),
        )
        for row in findings.itertuples(index=False)
    ]


def _category_counts(rule_results: pd.DataFrame, meta: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """applicable / violations per category over `rule_results`, flag rules left out."""
    table = rule_counts(rule_results).reset_index()
    rule_info = [meta.get(str(r), {}) for r in table["rule_id"]]
    table["category"] = [text_or_empty(r.get("category")) for r in rule_info]
    keep = pd.Series([not bool(r.get("flag")) for r in rule_info], index=table.index, dtype=bool)
    table = table.loc[keep]
    return table.groupby("category", sort=False)[["applicable", "violations"]].sum()


def _categories(
    own_results: pd.DataFrame,
    team_results: pd.DataFrame,
    own_conversations: int,
    team_conversations: int,
    rules: Sequence[Mapping[str, Any]],
) -> list[CategoryRow]:
    """One row per rule category that applied to the agent or the team, in the order the
    pack lists its rules."""
    meta = aggregate.rule_meta(rules)
    mine = _category_counts(own_results, meta)
    team = _category_counts(team_results, meta)
    order = list(dict.fromkeys(text_or_empty(r.get("category")) for r in rules))
    names = [c for c in order if c in team.index or c in mine.index]
    names += sorted(c for c in {*team.index, *mine.index} if c not in names)

    def get(table: pd.DataFrame, name: str, column: str) -> int:
        return int_or_zero(table.at[name, column]) if name in table.index else 0

    def ratio(num: int, den: int) -> float:
        return num / den if den > 0 else math.nan

    rows = []
    for name in names:
        applicable, violations = get(mine, name, "applicable"), get(mine, name, "violations")
        t_applicable, t_violations = get(team, name, "applicable"), get(team, name, "violations")
        if applicable == 0 and t_applicable == 0:
            continue
        rows.append(
            CategoryRow(
                category=name,
                applicable=applicable,
                violations=violations,
                rate=ratio(violations, applicable),
                per_conversation=ratio(violations, own_conversations),
                team_applicable=t_applicable,
                team_violations=t_violations,
                team_rate=ratio(t_violations, t_applicable),
                team_per_conversation=ratio(t_violations, team_conversations),
            )
        )
    return rows


def _evidence(
    conversations: pd.DataFrame, findings: pd.DataFrame, meta: dict[str, dict[str, Any]]
) -> list[Evidence]:
    """Up to EVIDENCE_QUOTES findings, from the agent's worst conversations first."""
    if findings.empty:
        return []
    # conversation ids may repeat across runs (days); the source file tells them apart.
    keys = ["conversation_id", "source_file"]
    scores = conversations[[*keys, "score", "day", "started_at"]].drop_duplicates(keys)
    rows = findings.merge(scores, on=keys, how="left")
    rows = rows.sort_values(
        ["score", "fatal", "deduct", "conversation_id", "turn_index"],
        ascending=[True, False, False, True, True],
        na_position="last",
        kind="stable",
    )
    # At most two quotes per conversation, so the evidence spans several conversations.
    rows = rows.groupby(keys, sort=False).head(2).head(EVIDENCE_QUOTES)
    quotes = []
    for row in rows.itertuples(index=False):
        rule_id = str(row.rule_id)
        title = (
            text_or_empty(row.title) or text_or_empty(meta.get(rule_id, {}).get("title")) or rule_id
        )
        quotes.append(
            Evidence(
                conversation_id=str(row.conversation_id),
                day=text_or_empty(row.day) or None,
                score=float_or_nan(row.score),
                at=format_offset(float_or_nan(row.at_s)),
                rule_id=rule_id,
                rule_title=title,
                rule_title_en=text_or_empty(meta.get(rule_id, {}).get("title_en")),
                kind=text_or_empty(row.kind),
                fatal=bool_or_false(row.fatal),
                deduct=float_or_nan(row.deduct),
                matched=text_or_empty(row.matched),
                evidence=text_or_empty(row.evidence),
                started=_started(row.started_at),
            )
        )
    return quotes


def _started(value: Any) -> str:
    """An ISO start time as "YYYY-MM-DD HH:MM" (its own offset kept implicit)."""
    text = text_or_empty(value)
    if len(text) >= 16 and text[10] in "T ":
        return f"{text[:10]} {text[11:16]}"
    return text
