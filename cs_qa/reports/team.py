"""The team report's figures (`cs-qa report`): `team_summary` turns a `Dataset` into a
`TeamSummary`, each figure with the target it is held against: the dataset's own targets
(its pack's `targets:`) or given ones, a new agent's by tenure from the roster
(`cs_qa.packs.targets`). No printing, no formatting: `terminal_team` and `html_team`
render it."""

from __future__ import annotations

from collections.abc import Mapping

from cs_qa.dataset import aggregate
from cs_qa.dataset.reader import Dataset
from cs_qa.packs.targets import RosterEntry, TargetsSpec, target_for
from cs_qa.reports.figures import (
    conversation_days,
    daily_trend,
    dataset_targets,
    figures_from_agents_row,
    headline_figures,
    most_broken,
    rule_counts,
    rule_rate,
    tenure_on,
    unevaluated_rules,
)
from cs_qa.reports.records import AgentRow, TeamSummary, missed_targets

TOP_RULES = 10  # team report: most broken rules
AGENT_TOP_RULES = 3  # per-agent row: that agent's most broken rules


def team_summary(
    ds: Dataset,
    top: int = TOP_RULES,
    *,
    targets: TargetsSpec | None = None,
    roster: Mapping[str, RosterEntry] | None = None,
) -> TeamSummary:
    """Team figures, the most broken rules, one row per agent and the daily trend.

    `targets` (e.g. from `cs-qa report --targets`) replaces the dataset's own (its pack's
    `targets:`); `roster` gives names, teams and hire dates. An agent on the roster with
    a hire date is held against the new-agent ramp by their tenure on the period's last
    day; everyone else against the team's targets.
    """
    conv = ds.conversations
    spec = targets if targets is not None else dataset_targets(ds)
    roster = roster or {}
    team_target = target_for(spec, None)
    meta = aggregate.rule_meta(ds.rules)
    rule_table = rule_counts(ds.rule_results)
    top_rules = [
        rule_rate(row, meta, team_target) for row in most_broken(rule_table, top, meta).itertuples()
    ]
    days = conversation_days(conv)
    last_day = days[-1] if days else None

    agent_rules = ds.agent_rules
    agents = []
    for _, row in ds.agents.sort_values("agent_id", kind="stable").iterrows():
        agent_id = str(row["agent_id"])
        own = agent_rules[agent_rules["agent_id"] == row["agent_id"]].set_index("rule_id")
        broken = most_broken(own, AGENT_TOP_RULES, meta)
        entry = roster.get(agent_id)
        tenure = tenure_on(entry, last_day)
        target = target_for(spec, tenure)
        figures = figures_from_agents_row(row)
        agents.append(
            AgentRow(
                agent_id=agent_id,
                figures=figures,
                top_rules=[rule_rate(r, meta, target) for r in broken.itertuples()],
                name=entry.name if entry else "",
                team_name=entry.team if entry else "",
                tenure_day=tenure,
                target=target,
                below_target=bool(missed_targets(target, figures)),
            )
        )
    return TeamSummary(
        pack=ds.pack,
        pass_mark=ds.pass_mark,
        base=ds.base,
        masked=ds.masked,
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        scored=int(conv["score"].notna().sum()),
        rejected=len(ds.errors),
        team=headline_figures(conv, len(ds.findings)),
        top_rules=top_rules,
        agents=agents,
        trend=daily_trend(conv, days, lambda _day: team_target),
        target=team_target,
        scores=tuple(float(v) for v in conv["score"].dropna()),
        unevaluated=unevaluated_rules(ds.rule_errors, meta),
    )
