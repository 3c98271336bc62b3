"""Terminal reports read from a written dataset (DESIGN.md, "Output dataset", `cs-qa report`).

Two layers over a `Dataset` (read by `cs_qa.dataset.reader`), so that tests and other
renderers (HTML) share the figures:
- summaries: `team_summary` / `agent_scorecard` turn a `Dataset` into plain records
  (no printing, no formatting), each figure with the target it is held against: the
  dataset's own targets (its pack's `targets:`) or given ones, a new agent's by tenure
  from the roster (`cs_qa.packs.targets`);
- rendering: `render_team` / `render_scorecard` print those records with rich, with
  Chinese labels by default (`lang="en"` for English); `cs_qa.reports.html_report` renders the
  same records as printable HTML.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cs_qa.dataset import aggregate
from cs_qa.dataset.reader import Dataset
from cs_qa.dataset.schema import MANIFEST
from cs_qa.packs.targets import RosterEntry, Target, TargetsSpec, parse_targets, target_for
from cs_qa.reports.i18n import t

TOP_RULES = 10  # team report: most broken rules
AGENT_TOP_RULES = 3  # per-agent row: that agent's most broken rules
EVIDENCE_QUOTES = 5  # scorecard: findings quoted as evidence
MISSING = "—"


class UnknownAgent(KeyError):
    """The agent asked for has no conversation or finding in the dataset."""

    def __init__(self, agent_id: str, known: Sequence[str]) -> None:
        super().__init__(agent_id)
        self.agent_id = agent_id
        self.known = list(known)

    def __str__(self) -> str:
        known = ", ".join(self.known) if self.known else "none"
        return f"unknown agent {self.agent_id!r}; known agents: {known}"


# ------------------------------------------------------------------------- summaries


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


def _nan(value: Any) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def _int(value: Any) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _str(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _bool(value: Any) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


def format_offset(seconds: float | None) -> str:
    """Seconds from the start of a conversation as mm:ss (minutes may exceed 59)."""
    if seconds is None or pd.isna(seconds):
        return MISSING
    total = max(0, int(seconds))
    return f"{total // 60:02d}:{total % 60:02d}"


def _figures(conversations: pd.DataFrame, findings: int) -> Figures:
    passed = conversations["passed"].astype("boolean").dropna()
    return Figures(
        conversations=len(conversations),
        mean_score=_nan(conversations["score"].mean()),
        min_score=_nan(conversations["score"].min()),
        pass_rate=float(passed.mean()) if len(passed) else math.nan,
        fatal_count=int(conversations["fatal"].astype("boolean").sum()),
        flagged_count=int(conversations["flagged"].astype("boolean").sum()),
        findings=findings,
        first_response_p50=aggregate.percentile(conversations["first_response_s"], 50),
        first_response_p90=aggregate.percentile(conversations["first_response_s"], 90),
    )


def _figures_from_agents_row(row: pd.Series) -> Figures:
    return Figures(
        conversations=_int(row["conversations"]),
        mean_score=_nan(row["mean_score"]),
        min_score=_nan(row["min_score"]),
        pass_rate=_nan(row["pass_rate"]),
        fatal_count=_int(row["fatal_count"]),
        flagged_count=_int(row["flagged_count"]),
        findings=_int(row["findings"]),
        first_response_p50=_nan(row["first_response_p50"]),
        first_response_p90=_nan(row["first_response_p90"]),
    )


def _rule_counts(rule_results: pd.DataFrame) -> pd.DataFrame:
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


def _most_broken(
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


def _days(conversations: pd.DataFrame) -> list[str]:
    return sorted(str(d) for d in conversations["day"].dropna().unique())


def _trend(
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
        figures = _figures(group, 0)
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


# ---------------------------------------------------------------------------- targets

HEADLINE_TARGETS = ("score", "pass_rate", "first_response_p90")


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
    rule_table = _rule_counts(ds.rule_results)
    top_rules = [
        _rule_rate(row, meta, team_target)
        for row in _most_broken(rule_table, top, meta).itertuples()
    ]
    days = _days(conv)
    last_day = days[-1] if days else None

    agent_rules = ds.agent_rules
    agents = []
    for _, row in ds.agents.sort_values("agent_id", kind="stable").iterrows():
        agent_id = str(row["agent_id"])
        own = agent_rules[agent_rules["agent_id"] == row["agent_id"]].set_index("rule_id")
        broken = _most_broken(own, AGENT_TOP_RULES, meta)
        entry = roster.get(agent_id)
        tenure = tenure_on(entry, last_day)
        target = target_for(spec, tenure)
        figures = _figures_from_agents_row(row)
        agents.append(
            AgentRow(
                agent_id=agent_id,
                figures=figures,
                top_rules=[_rule_rate(r, meta, target) for r in broken.itertuples()],
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
        team=_figures(conv, len(ds.findings)),
        top_rules=top_rules,
        agents=agents,
        trend=_trend(conv, days, lambda _day: team_target),
        target=team_target,
        scores=tuple(float(v) for v in conv["score"].dropna()),
        unevaluated=unevaluated_rules(ds.rule_errors, meta),
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
                title=_str(rule.get("title")) or str(rule_id),
                title_en=_str(rule.get("title_en")),
                conversations=int(rows["conversation_id"].nunique()),
                error=f"{first['error_type']}: {first['message']}",
            )
        )
    return tuple(rules)


def render_unevaluated(
    rules: Sequence[UnevaluatedRule], console: Console, lang: str = "zh"
) -> None:
    """The rules that could not be evaluated, one line each (nothing when there are none)."""
    if not rules:
        return
    console.print(Text(t("unevaluated_rules", lang), style="bold red"))
    for r in rules:
        line = Text(f"  {r.rule_id} {_title(r.title, r.title_en, lang)}: ")
        line.append(t("unevaluated_on", lang).format(n=r.conversations), style="red")
        line.append(f" ({r.error})", style="dim")
        console.print(line)


def _rule_rate(row: Any, meta: dict[str, dict[str, Any]], target: Target | None = None) -> RuleRate:
    rule = meta.get(str(row.rule_id), {})
    title = _str(getattr(row, "title", "")) or _str(rule.get("title")) or str(row.rule_id)
    category = _str(getattr(row, "category", "")) or _str(rule.get("category"))
    return RuleRate(
        rule_id=str(row.rule_id),
        title=title,
        title_en=_str(rule.get("title_en")),
        category=category,
        applicable=_int(row.applicable),
        violations=_int(row.violations),
        rate=_nan(row.rate),
        target=target.rules.get(str(row.rule_id)) if target else None,
    )


def known_agents(ds: Dataset) -> list[str]:
    """Every agent with a conversation or a finding in the dataset, sorted."""
    ids = set(ds.agents["agent_id"].dropna().astype("str"))
    ids |= set(ds.conversations["agent_id"].dropna().astype("str"))
    ids |= set(ds.findings["agent_id"].dropna().astype("str"))
    return sorted(ids)


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
        _figures_from_agents_row(agents_row.iloc[0])
        if len(agents_row)
        else _figures(own_conv, len(own_findings))
    )

    spec = targets if targets is not None else dataset_targets(ds)
    entry = (roster or {}).get(agent_id)
    own_days = _days(own_conv) or _days(conv)
    last_day = own_days[-1] if own_days else None
    tenure = tenure_on(entry, last_day)
    target = target_for(spec, tenure)

    meta = aggregate.rule_meta(ds.rules)
    team_rates = _rule_counts(ds.rule_results)["rate"]
    own_rules = ds.agent_rules[ds.agent_rules["agent_id"] == agent_id]
    own_rules = own_rules[own_rules["applicable"] > 0].sort_values(
        ["violations", "rate", "rule_id"], ascending=[False, False, True], kind="stable"
    )
    rules = []
    for row in own_rules.itertuples(index=False):
        base = _rule_rate(row, meta)
        rules.append(
            ScorecardRule(
                rule_id=base.rule_id,
                title=base.title,
                title_en=base.title_en,
                category=base.category,
                applicable=base.applicable,
                violations=base.violations,
                rate=base.rate,
                team_rate=_nan(team_rates.get(base.rule_id)),
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
        team=_figures(conv, len(ds.findings)),
        rules=rules,
        trend=_trend(own_conv, _days(conv), day_target),
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
            rule_title=_str(row.title) or _str(meta.get(str(row.rule_id), {}).get("title")),
            rule_title_en=_str(meta.get(str(row.rule_id), {}).get("title_en")),
            matched=_str(row.matched),
            evidence=_str(row.evidence),
            reason=_str(getattr(row, "dispute_reason", "")),
        )
        for row in findings.itertuples(index=False)
    ]


def _category_counts(rule_results: pd.DataFrame, meta: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """applicable / violations per category over `rule_results`, flag rules left out."""
    table = _rule_counts(rule_results).reset_index()
    rule_info = [meta.get(str(r), {}) for r in table["rule_id"]]
    table["category"] = [_str(r.get("category")) for r in rule_info]
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
    order = list(dict.fromkeys(_str(r.get("category")) for r in rules))
    names = [c for c in order if c in team.index or c in mine.index]
    names += sorted(c for c in {*team.index, *mine.index} if c not in names)

    def get(table: pd.DataFrame, name: str, column: str) -> int:
        return _int(table.at[name, column]) if name in table.index else 0

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
        title = _str(row.title) or _str(meta.get(rule_id, {}).get("title")) or rule_id
        quotes.append(
            Evidence(
                conversation_id=str(row.conversation_id),
                day=_str(row.day) or None,
                score=_nan(row.score),
                at=format_offset(_nan(row.at_s)),
                rule_id=rule_id,
                rule_title=title,
                rule_title_en=_str(meta.get(rule_id, {}).get("title_en")),
                kind=_str(row.kind),
                fatal=_bool(row.fatal),
                deduct=_nan(row.deduct),
                matched=_str(row.matched),
                evidence=_str(row.evidence),
                started=_started(row.started_at),
            )
        )
    return quotes


def _started(value: Any) -> str:
    """An ISO start time as "YYYY-MM-DD HH:MM" (its own offset kept implicit)."""
    text = _str(value)
    if len(text) >= 16 and text[10] in "T ":
        return f"{text[:10]} {text[11:16]}"
    return text


# ------------------------------------------------------------------------- rendering


def rule_title(title: str, title_en: str, lang: str) -> str:
    """A rule's title in `lang` (the Chinese title when the pack gives no English one)."""
    return title_en if lang == "en" and title_en else title


def fmt_score(value: float) -> str:
    """A score with one decimal, "—" when missing."""
    return MISSING if pd.isna(value) else f"{value:.1f}"


def fmt_rate(value: float) -> str:
    """A 0..1 rate as a percentage with one decimal, "—" when missing."""
    return MISSING if pd.isna(value) else f"{value * 100:.1f}%"


def fmt_seconds(value: float, lang: str) -> str:
    """Seconds with one decimal and the unit, "—" when missing."""
    return MISSING if pd.isna(value) else f"{value:.1f}{t('seconds', lang)}"


def fmt_goal(key: str, goal: float, lang: str) -> str:
    """A target as read: "≥ 90" for a score, "≥ 95%" for a pass rate, "≤ 20秒" for the
    first-response P90 and "≤ 10%" for a rule's violation rate (any other key)."""
    if key == "score":
        return f"{t('at_least', lang)} {goal:g}"
    if key == "pass_rate":
        return f"{t('at_least', lang)} {goal * 100:g}%"
    if key == "first_response_p90":
        return f"{t('at_most', lang)} {goal:g}{t('seconds', lang)}"
    return f"{t('at_most', lang)} {goal * 100:g}%"


def goal_of(target: Target | None, key: str) -> float | None:
    """The goal for `key` (a headline key or a rule id), None when there is none."""
    if target is None:
        return None
    if key in HEADLINE_TARGETS:
        value = getattr(target, key)
        return None if value is None else float(value)
    return target.rules.get(key)


def target_label(target: Target | None, lang: str) -> str:
    """Which targets apply: the team's or a new-agent ramp step's."""
    if target is None:
        return t("no_targets", lang)
    if target.label.startswith("new:"):
        return t("new_agent_target", lang).format(n=target.label.split(":", 1)[1])
    return t("team_target", lang)


def period_label(first: str | None, last: str | None) -> str:
    """ "first – last", one day alone, or "—"."""
    if first is None:
        return MISSING
    return first if first == last else f"{first} – {last}"


def pack_label(pack: dict[str, Any]) -> str:
    """The pack's title, name and version."""
    parts = [str(pack.get(k)) for k in ("title", "name", "version") if pack.get(k)]
    return " ".join(parts) or MISSING


# Short private names used by the renderers (and by diff/show).
_title, _fmt_score, _fmt_rate, _fmt_seconds = rule_title, fmt_score, fmt_rate, fmt_seconds
_period, _pack_label = period_label, pack_label


def _score_text(value: float, pass_mark: float) -> Text:
    below = not pd.isna(value) and value < pass_mark
    return Text(_fmt_score(value), style="bold red" if below else "")


def _rate_text(value: float, pass_mark: float, base: float) -> Text:
    # A pass rate is read against the pass mark as a share of the base (80 of 100: 80%).
    below = not pd.isna(value) and base > 0 and value * base < pass_mark
    return Text(_fmt_rate(value), style="bold red" if below else "")


def _masking(masked: bool, lang: str) -> Text | Panel:
    if masked:
        return Text(t("masked", lang), style="dim")
    return Panel(Text(t("not_masked", lang), style="bold"), style="bold white on red")


def _key_values(pairs: Sequence[tuple[str, Text | str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in pairs:
        grid.add_row(key, value if isinstance(value, Text) else Text(value))
    return grid


def _mark(met: bool | None) -> Text:
    """✓ (green) for a met target, ✗ (bold red) for a missed one, nothing otherwise."""
    if met is None:
        return Text("")
    return Text("✓", style="green") if met else Text("✗", style="bold red")


def _against(
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
    out.append_text(_mark(met))
    return out


def _trend_table(trend: Sequence[DayRow], pass_mark: float, base: float, lang: str) -> Table:
    table = Table(title=t("trend", lang), title_justify="left")
    table.add_column(t("day", lang))
    for key in ("conversations", "mean_score", "pass_rate"):
        table.add_column(t(key, lang), justify="right")
    for row in trend:
        table.add_row(
            Text(row.day),
            Text(str(row.conversations)),
            _against(
                _score_text(row.mean_score, pass_mark),
                row.target,
                "score",
                row.mean_score,
                lang,
                short=True,
            ),
            _against(
                _rate_text(row.pass_rate, pass_mark, base),
                row.target,
                "pass_rate",
                row.pass_rate,
                lang,
                short=True,
            ),
        )
    return table


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
            Text(f"{_title(rule.title, rule.title_en, lang)} ({rule.rule_id})"),
            Text(rule.category or MISSING),
            Text(str(rule.applicable)),
            Text(str(rule.violations)),
            Text(_fmt_rate(rule.rate), style=_rule_style(rule.rate, rule.target)),
        ]
        if with_targets:
            cells.append(_rule_goal(rule.rate, rule.target, lang))
        table.add_row(*cells)
    return table


def _rule_style(rate: float, goal: float | None) -> str:
    return "bold red" if goal is not None and not pd.isna(rate) and rate > goal else ""


def _rule_goal(rate: float, goal: float | None, lang: str) -> Text:
    """A rule's target cell: "≤ 10% ✗" (nothing when the rule has no target)."""
    if goal is None:
        return Text("")
    met = None if pd.isna(rate) else rate <= goal
    out = Text(f"{fmt_goal('rule', goal, lang)} ", style="dim")
    out.append_text(_mark(met))
    return out


def _agent_label(agent_id: str, name: str) -> str:
    return f"{agent_id} {name}" if name else agent_id


def render_team(summary: TeamSummary, console: Console, lang: str = "zh") -> None:
    """Print the team report: overview (against the team's targets), one row per agent
    (agents below their targets marked ✗ in red), most broken rules, trend."""
    team, target = summary.team, summary.target
    console.print(_masking(summary.masked, lang))
    overview = _key_values(
        [
            (t("pack", lang), _pack_label(summary.pack)),
            (t("period", lang), _period(summary.first_day, summary.last_day)),
            (
                t("conversations", lang),
                f"{team.conversations}  ({t('scored', lang)} {summary.scored}, "
                f"{t('rejected', lang)} {summary.rejected})",
            ),
            (
                t("mean_score", lang),
                _against(
                    _score_text(team.mean_score, summary.pass_mark),
                    target,
                    "score",
                    team.mean_score,
                    lang,
                ),
            ),
            (
                t("pass_rate", lang),
                _against(
                    _rate_text(team.pass_rate, summary.pass_mark, summary.base),
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
            (t("first_response_p50", lang), _fmt_seconds(team.first_response_p50, lang)),
            (
                t("first_response_p90", lang),
                _against(
                    Text(_fmt_seconds(team.first_response_p90, lang)),
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
            _title(r.title, r.title_en, lang) for r in row.top_rules[:shown_rules]
        )
        label = _agent_label(row.agent_id, row.name)
        cells = [
            Text(f"{label} ✗", style="bold red") if row.below_target else Text(label),
        ]
        if with_group:
            cells.append(Text(row.team_name or MISSING))
        cells += [
            Text(str(fig.conversations)),
            _goal_coloured(_score_text(fig.mean_score, summary.pass_mark), goal, "score", fig),
            _goal_coloured(
                _rate_text(fig.pass_rate, summary.pass_mark, summary.base), goal, "pass_rate", fig
            ),
            Text(str(fig.fatal_count), style="bold red" if fig.fatal_count else ""),
            Text(_fmt_seconds(fig.first_response_p50, lang)),
            _goal_coloured(
                Text(_fmt_seconds(fig.first_response_p90, lang)), goal, "first_response_p90", fig
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
        console.print(_trend_table(summary.trend, summary.pass_mark, summary.base, lang))


def _goal_coloured(shown: Text, target: Target | None, key: str, figures: Figures) -> Text:
    """A table cell coloured against the target (red when missed, green when met); left
    as it is (coloured against the pass mark) when there is no target for `key`."""
    met = target.met(key, headline_values(figures)[key]) if target is not None else None
    if met is None:
        return shown
    out = shown.copy()
    out.stylize("bold red" if not met else "green")
    return out


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
                    f"  {_agent_label(row.agent_id, row.name)}: "
                    f"{target_label(row.target, lang)} {_short_goals(row.target, lang)}",
                    style="dim",
                )
            )
    notes.append(Text(f"✗ {t('below_target', lang)}", style="dim"))
    return notes


def _signed(value: float, fmt: str, unit: str = "") -> str:
    if pd.isna(value):
        return MISSING
    return f"{value:+{fmt}}{unit}"


def render_scorecard(card: Scorecard, console: Console, lang: str = "zh") -> None:
    """Print one agent's scorecard: header, figures vs team, pass mark and targets,
    categories, rules (against per-rule targets), trend (against each day's target),
    evidence quotes."""
    me, team, target = card.agent, card.team, card.target
    console.print(_masking(card.masked, lang))
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
        (t("agent", lang), _agent_label(card.agent_id, card.name))
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
        (t("period", lang), _period(card.first_day, card.last_day)),
        (t("conversations", lang), str(me.conversations)),
        (t("pack", lang), _pack_label(card.pack)),
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
    header = _key_values(pairs)

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
        out.append_text(_mark(target.met(key, value)))
        return [out]

    figures.add_row(
        Text(t("mean_score", lang)),
        _goal_coloured(_score_text(me.mean_score, card.pass_mark), target, "score", me),
        _score_text(team.mean_score, card.pass_mark),
        Text(_signed(me.mean_score - team.mean_score, ".1f")),
        Text(_signed(me.mean_score - card.pass_mark, ".1f")),
        *goal_cell("score", me.mean_score),
    )
    blank = [Text("")] if target is not None else []
    figures.add_row(
        Text(t("min_score", lang)),
        _score_text(me.min_score, card.pass_mark),
        _score_text(team.min_score, card.pass_mark),
        Text(""),
        Text(""),
        *blank,
    )
    figures.add_row(
        Text(t("pass_rate", lang)),
        _goal_coloured(
            _rate_text(me.pass_rate, card.pass_mark, card.base), target, "pass_rate", me
        ),
        _rate_text(team.pass_rate, card.pass_mark, card.base),
        Text(_signed((me.pass_rate - team.pass_rate) * 100, ".1f", t("points", lang))),
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
            _goal_coloured(Text(_fmt_seconds(mine_s, lang)), target, key, me)
            if key == "first_response_p90"
            else Text(_fmt_seconds(mine_s, lang)),
            Text(_fmt_seconds(team_s, lang)),
            Text(_signed(mine_s - team_s, ".1f", t("seconds", lang))),
            Text(""),
            *(goal_cell(key, mine_s) if key == "first_response_p90" else blank),
        )
    console.print(
        Panel(
            Group(header, Text(""), figures),
            title=f"{t('scorecard', lang)} · {_agent_label(card.agent_id, card.name)}",
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
                Text(_fmt_rate(row.rate)),
                Text(_fmt_rate(row.team_rate)),
                Text(_fmt_ratio(row.per_conversation), style="bold red" if worse else ""),
                Text(_fmt_ratio(row.team_per_conversation)),
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
        style = _rule_style(rule.rate, rule.target) or ("bold red" if worse else "")
        cells = [
            Text(f"{_title(rule.title, rule.title_en, lang)} ({rule.rule_id})"),
            Text(rule.category or MISSING),
            Text(str(rule.applicable)),
            Text(str(rule.violations)),
            Text(_fmt_rate(rule.rate), style=style),
            Text(_fmt_rate(rule.team_rate)),
        ]
        if with_rule_targets:
            cells.append(_rule_goal(rule.rate, rule.target, lang))
        rules.add_row(*cells)
    if card.rules:
        console.print(rules)
    else:
        console.print(Text(f"{t('rules_detail', lang)}: {t('no_data', lang)}"))

    if len(card.trend) > 1:
        console.print(_trend_table(card.trend, card.pass_mark, card.base, lang))

    if card.evidence:
        # One block per conversation, one line per quote: readable at 80 columns.
        console.print(Text(t("evidence", lang), style="bold"))
        current = None
        for q in card.evidence:
            if q.conversation_id != current:
                current = q.conversation_id
                head = Text(f"{q.conversation_id}  {q.started or q.day or MISSING}  ")
                head.append(f"{t('score', lang)} ")
                head.append_text(_score_text(q.score, card.pass_mark))
                console.print(head)
            deduct = t("fatal", lang) if q.fatal else _fmt_deduct(q.deduct)
            line = Text(f"  [{q.at}] {_title(q.rule_title, q.rule_title_en, lang)} ")
            line.append(deduct, style="bold red" if q.fatal else "red")
            if q.matched:
                line.append(f"  {t('matched', lang)}: {q.matched}", style="yellow")
            line.append(f"\n      「{q.evidence or MISSING}」")
            console.print(line)

    render_unevaluated(card.unevaluated, console, lang)
    if card.overruled:
        console.print(Text(t("overruled", lang), style="bold"))
        for o in card.overruled:
            line = Text(f"  {o.conversation_id} {_title(o.rule_title, o.rule_title_en, lang)}")
            line.append(f"  {t('dispute_reason', lang)}: {o.reason}", style="green")
            line.append(f"\n      「{o.evidence or MISSING}」", style="dim")
            console.print(line)


def _fmt_ratio(value: float) -> str:
    return MISSING if pd.isna(value) else f"{value:.2f}"


def _fmt_deduct(value: float) -> str:
    return MISSING if pd.isna(value) or value == 0 else f"-{value:g}"


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
    console.print(Panel(_key_values(pairs), title=t("run_done", lang), expand=False))
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
