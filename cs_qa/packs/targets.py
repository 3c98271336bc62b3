"""Targets (考核目标) and the roster: what each agent's figures are held against.

Targets come from a pack's `targets:` section (stored in the dataset's manifest, so a
report on an old run uses the targets it was scored with) or from a YAML file given to
`cs-qa report --targets`. New agents follow a ramp: targets by days since hire
(DOMAIN.md §8: new staff get weekly targets and are followed day by day). The roster
(`--roster agents.csv`: agent_id, name, team, hired_on) gives hire dates and names.
Pure: parsing text and computing targets; callers read the files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


def _rate(value: Any) -> Any:
    """Rates as 0..1; "95%" and 95 are accepted too."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return float(value.strip()[:-1]) / 100
    if isinstance(value, int | float) and value > 1:
        return float(value) / 100
    return value


class Goals(BaseModel):
    """One set of targets. Every key is optional; a missing key is not judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    score: float | None = Field(default=None, ge=0, description="mean score at least")
    pass_rate: float | None = Field(default=None, ge=0, le=1, description="pass rate at least")
    first_response_p90: float | None = Field(
        default=None, gt=0, description="first-response P90 seconds at most"
    )
    rules: dict[str, float] = Field(default_factory=dict, description="rule id -> max rate")

    _rates = field_validator("pass_rate", mode="before")(_rate)

    @field_validator("rules", mode="before")
    @classmethod
    def _rule_rates(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _rate(v) for k, v in value.items()}
        return value


class RampStep(Goals):
    """Targets for agents in their first `until_day` days since hire (day 1 = hire day)."""

    until_day: int = Field(ge=1)


class TargetsSpec(Goals):
    """The `targets:` section: team targets plus an optional new-agent ramp."""

    new_agents: list[RampStep] = Field(default_factory=list)

    @field_validator("new_agents")
    @classmethod
    def _ordered(cls, steps: list[RampStep]) -> list[RampStep]:
        days = [s.until_day for s in steps]
        if days != sorted(set(days)):
            raise ValueError("new_agents steps need increasing until_day values")
        return steps


@dataclass(frozen=True)
class Target:
    """The targets that apply to one agent (or the team) on one day or period."""

    score: float | None = None
    pass_rate: float | None = None  # 0..1
    first_response_p90: float | None = None  # seconds
    rules: dict[str, float] = field(default_factory=dict)  # rule id -> max rate 0..1
    label: str = ""  # which targets: "" for the team's, "day 1-7" for a ramp step

    def met(self, key: str, value: float) -> bool | None:
        """Whether `value` meets the target `key` (None when there is none or no value)."""
        goal = (
            self.rules.get(key)
            if key not in ("score", "pass_rate", "first_response_p90")
            else (getattr(self, key))
        )
        if goal is None or value is None or value != value:  # NaN: nothing to judge
            return None
        if key in ("score", "pass_rate"):
            return value >= goal
        return value <= goal


class TargetsError(ValueError):
    """Targets or roster that cannot be read, with a message naming where."""


def parse_targets(data: Any, where: str = "targets") -> TargetsSpec:
    """Validate a `targets:` mapping; raise TargetsError naming each problem."""
    try:
        return TargetsSpec.model_validate(data or {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'targets'}: {e['msg']}" for e in exc.errors()
        )
        raise TargetsError(f"{where}: {problems}") from exc


def load_targets_text(text: str, where: str) -> TargetsSpec:
    """A targets YAML file: either the section itself or a document with `targets:`."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        raise TargetsError(f"{where}: YAML: {exc}") from exc
    if isinstance(data, dict) and "targets" in data:
        data = data["targets"]
    return parse_targets(data, where)


def target_for(spec: TargetsSpec | None, tenure_day: int | None) -> Target | None:
    """The targets for an agent on their `tenure_day` (1 = hire day); the team's targets
    when the agent is past the ramp or the hire date is unknown."""
    if spec is None:
        return None
    goals: Goals = spec
    label = ""
    if tenure_day is not None:
        for step in spec.new_agents:
            if tenure_day <= step.until_day:
                # a step inherits what it does not say from the team's targets
                goals = Goals(
                    score=step.score if step.score is not None else spec.score,
                    pass_rate=step.pass_rate if step.pass_rate is not None else spec.pass_rate,
                    first_response_p90=(
                        step.first_response_p90
                        if step.first_response_p90 is not None
                        else spec.first_response_p90
                    ),
                    rules={**spec.rules, **step.rules},
                )
                label = f"new:{step.until_day}"
                break
    return Target(
        score=goals.score,
        pass_rate=goals.pass_rate,
        first_response_p90=goals.first_response_p90,
        rules=dict(goals.rules),
        label=label,
    )


@dataclass(frozen=True)
class RosterEntry:
    agent_id: str
    name: str = ""
    team: str = ""
    hired_on: date | None = None

    def tenure_day(self, on: date) -> int | None:
        """Days since hire on `on`, counting the hire day as day 1."""
        if self.hired_on is None:
            return None
        return (on - self.hired_on).days + 1


def parse_roster(text: str, where: str = "roster") -> dict[str, RosterEntry]:
    """A roster CSV (agent_id, name, team, hired_on as YYYY-MM-DD; Chinese headers 工号,
    姓名, 组别/班组, 入职日期 also accepted)."""
    aliases = {
        "agent_id": ("agent_id", "工号", "客服工号", "客服id"),
        "name": ("name", "姓名", "名字"),
        "team": ("team", "组别", "班组", "团队"),
        "hired_on": ("hired_on", "入职日期", "入职时间"),
    }
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().lower(): h for h in reader.fieldnames or []}
    column = {
        key: next((headers[a] for a in names if a in headers), None)
        for key, names in aliases.items()
    }
    if column["agent_id"] is None:
        raise TargetsError(f"{where}:1: no agent_id column (headers: {', '.join(headers)})")
    roster: dict[str, RosterEntry] = {}
    for row in reader:
        line = reader.line_num
        agent = (row.get(column["agent_id"]) or "").strip()
        if not agent:
            raise TargetsError(f"{where}:{line}: empty agent_id")
        hired = (row.get(column["hired_on"]) or "").strip() if column["hired_on"] else ""
        try:
            hired_on = date.fromisoformat(hired.replace("/", "-")) if hired else None
        except ValueError as exc:
            raise TargetsError(f"{where}:{line}: hired_on {hired!r} is not YYYY-MM-DD") from exc
        roster[agent] = RosterEntry(
            agent,
            (row.get(column["name"]) or "").strip() if column["name"] else "",
            (row.get(column["team"]) or "").strip() if column["team"] else "",
            hired_on,
        )
    return roster
