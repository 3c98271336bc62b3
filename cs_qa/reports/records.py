"""The plain records reports are made of (no printing, no formatting): a team's or an
agent's headline `Figures`, rule rates, daily trend rows, the `TeamSummary` and an agent's
`Scorecard`; and how a figure reads against its target (`goal_of`, `missed_targets`).

`cs_qa.reports.team` and `cs_qa.reports.scorecard` compute them from a dataset; the
terminal (`terminal_*`) and printable (`html_*`) renderers print them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cs_qa.packs.targets import Target
from cs_qa.reports.format import rule_title


@dataclass(frozen=True)
class Figures:
    """The headline numbers of a team or of one agent. Missing values are NaN."""

    conversations: int
    mean_score: float
    min_score: float
    pass_rate: float  # 0..1
    fatal_count: int
    flagged_count: int
    findings: int
    first_response_p50: float
    first_response_p90: float


@dataclass(frozen=True)
class RuleRate:
    rule_id: str
    title: str
    title_en: str  # "" when the pack gives none
    category: str
    applicable: int
    violations: int
    rate: float  # violations / applicable, NaN when never applicable
    target: float | None = None  # the highest rate the (team's) targets allow


@dataclass(frozen=True)
class UnevaluatedRule:
    """A rule whose check raised on some conversations (status `error`): it could not be
    evaluated there, and those conversations are left out of its rate."""

    rule_id: str
    title: str
    title_en: str
    conversations: int
    error: str  # the first error, "Type: message"

    def row(self, lang: str) -> tuple[str, str, int, str]:
        """(id, title in `lang`, conversations, error): what a page lists."""
        return (
            self.rule_id,
            rule_title(self.title, self.title_en, lang),
            self.conversations,
            self.error,
        )


@dataclass(frozen=True)
class DayRow:
    day: str
    conversations: int
    mean_score: float
    pass_rate: float
    # The targets of that day: the team's, or an agent's by their tenure on that day
    # (a new agent's ramp changes day by day). None without targets.
    target: Target | None = None


@dataclass(frozen=True)
class AgentRow:
    agent_id: str
    figures: Figures
    top_rules: list[RuleRate]
    name: str = ""  # from the roster, "" when not on it
    team_name: str = ""  # the roster's team (组别); `team` is the team's figures elsewhere
    tenure_day: int | None = None  # days since hire on the period's last day (hire day = 1)
    target: Target | None = None  # at the period's last day
    below_target: bool = False  # misses a headline target (see `missed_targets`)


@dataclass(frozen=True)
class TeamSummary:
    pack: dict[str, Any]
    pass_mark: float
    base: float
    masked: bool
    first_day: str | None
    last_day: str | None
    scored: int
    rejected: int
    team: Figures
    top_rules: list[RuleRate]
    agents: list[AgentRow]
    trend: list[DayRow]  # empty unless the dataset spans more than one day
    target: Target | None = None  # the team's targets, None when there are none
    scores: tuple[float, ...] = ()  # every scored conversation's score (distribution)
    unevaluated: tuple[UnevaluatedRule, ...] = ()  # rules that raised (rule_errors)

    def ranking(self) -> list[AgentRow]:
        """Agents with conversations, best mean score first (ties: more conversations,
        then id); agents without a score (findings after a transfer only) last."""
        return sorted(
            self.agents,
            key=lambda a: (
                math.isnan(a.figures.mean_score),
                -a.figures.mean_score if not math.isnan(a.figures.mean_score) else 0.0,
                -a.figures.conversations,
                a.agent_id,
            ),
        )


@dataclass(frozen=True)
class ScorecardRule:
    rule_id: str
    title: str
    title_en: str
    category: str
    applicable: int
    violations: int
    rate: float
    team_rate: float
    target: float | None = None  # the highest rate the agent's targets allow


@dataclass(frozen=True)
class CategoryRow:
    """Violations of one rule category (服务规范, 服务态度 …), agent against team.

    `violations` counts conversations × rules that fired (as the per-rule rates do);
    `rate` is violations / applicable checks; `per_conversation` is violations divided by
    the conversations of the agent (or the team): comparable between the two.
    """

    category: str
    applicable: int
    violations: int
    rate: float
    per_conversation: float
    team_applicable: int
    team_violations: int
    team_rate: float
    team_per_conversation: float


@dataclass(frozen=True)
class Evidence:
    conversation_id: str
    day: str | None
    score: float
    at: str  # mm:ss from the start of the conversation, "—" when untimed
    rule_id: str
    rule_title: str
    rule_title_en: str
    kind: str
    fatal: bool
    deduct: float
    matched: str
    evidence: str
    started: str = ""  # the conversation's start, "YYYY-MM-DD HH:MM" ("" when unknown)


@dataclass(frozen=True)
class Scorecard:
    agent_id: str
    pack: dict[str, Any]
    pass_mark: float
    base: float
    masked: bool
    first_day: str | None
    last_day: str | None
    agent: Figures
    team: Figures
    rules: list[ScorecardRule]
    trend: list[DayRow]  # empty unless the dataset spans more than one day
    evidence: list[Evidence]
    name: str = ""  # from the roster
    team_name: str = ""  # the roster's team (组别); `team` holds the team's figures
    hired_on: date | None = None
    tenure_day: int | None = None  # days since hire on `last_day` (hire day = 1)
    target: Target | None = None  # the agent's targets at the period's last day
    team_target: Target | None = None  # the team's targets (what a ramp leads up to)
    categories: list[CategoryRow] = field(default_factory=list)
    first_responses: tuple[float, ...] = ()  # the agent's first-response seconds
    overruled: list[Overruled] = field(default_factory=list)  # findings disputed away
    # rules that raised on some of the agent's conversations (not counted against them)
    unevaluated: tuple[UnevaluatedRule, ...] = ()


@dataclass(frozen=True)
class Overruled:
    """A finding an accepted dispute overruled: shown, but no longer counted."""

    conversation_id: str
    rule_id: str
    rule_title: str
    rule_title_en: str
    matched: str
    evidence: str
    reason: str


HEADLINE_TARGETS = ("score", "pass_rate", "first_response_p90")


def headline_values(figures: Figures) -> dict[str, float]:
    """The figures that headline targets judge, by target key."""
    return {
        "score": figures.mean_score,
        "pass_rate": figures.pass_rate,
        "first_response_p90": figures.first_response_p90,
    }


def missed_targets(target: Target | None, figures: Figures) -> list[str]:
    """The headline targets (score, pass rate, first-response P90) that `figures` miss.

    A target without a value to judge (no conversations, untimed) is not missed.
    """
    if target is None:
        return []
    return [k for k, v in headline_values(figures).items() if target.met(k, v) is False]


def goal_of(target: Target | None, key: str) -> float | None:
    """The goal for `key` (a headline key or a rule id), None when there is none."""
    if target is None:
        return None
    if key in HEADLINE_TARGETS:
        value = getattr(target, key)
        return None if value is None else float(value)
    return target.rules.get(key)


def worse_than_team(value: float, team: float) -> bool:
    """Worse than the team: both known and the agent's figure higher."""
    return not math.isnan(value) and not math.isnan(team) and value > team
