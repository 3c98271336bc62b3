"""`cs-qa rules diff`: what a rule-pack change does to scores, before it is merged.

`diff_packs` reads the inputs once, scores every conversation with both packs and keeps
only a small record per conversation (never the conversation itself), so a batch of
tens of thousands fits in memory. It returns plain data (`PackDiff`), which
`render_diff` prints with rich and `diff_markdown` writes for a pull-request comment.

Rules are matched across the packs by id, or through a head rule's `renamed_from:`,
so a renamed rule is reported as renamed (and its findings compared) rather than as
one rule removed and another added.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cs_qa.core.model import UNKNOWN_AGENT, Conversation, ConversationResult
from cs_qa.ingest import ColumnMapping, read_inputs
from cs_qa.packs.evaluate import score
from cs_qa.packs.model import Rule, RulePack
from cs_qa.reports.format import MISSING
from cs_qa.reports.format import rule_title as _title
from cs_qa.reports.i18n import t
from cs_qa.reports.terminal import key_values as _key_values

RuleKind = Literal["unchanged", "changed", "reweighted", "renamed", "added", "removed"]
# The order rule changes are counted in the summary: the most consequential first.
RULE_KINDS: tuple[RuleKind, ...] = (
    "removed",
    "added",
    "renamed",
    "changed",
    "reweighted",
    "unchanged",
)
WEIGHT_KEYS = ("deduct", "cap", "fatal", "flag")
# Keys of `Rule.describe()` that name a rule rather than define it: a rename is its own kind.
_IDENTITY_KEYS = ("id", "renamed_from")
# Scores are sums of small decimals (deduct 0.5 …); compare them with a tolerance.
EPSILON = 1e-9
# Phrases shown per list in a rule's change details; the rest are counted.
PHRASES_SHOWN = 5


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PackInfo:
    """One side of the diff: which pack, and its scoring settings."""

    name: str
    version: str
    title: str
    path: str
    sha256: str
    base: float
    pass_mark: float

    @classmethod
    def of(cls, pack: RulePack) -> PackInfo:
        return cls(
            pack.name, pack.version, pack.title, pack.path, pack.sha256, pack.base, pack.pass_mark
        )

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class RuleChange:
    """One rule across the two packs: how its definition changed and what it found.

    `base_id` is None for an added rule, `head_id` for a removed one. `details` says what
    changed in YAML terms (`deduct 5→8`, `phrases +2: 不行、没办法`). `reweighted` is also
    true for a renamed or changed rule whose weight changed as well.
    """

    base_id: str | None
    head_id: str | None
    kind: RuleKind
    title: str
    title_en: str
    details: list[str]
    reweighted: bool
    findings_base: int
    findings_head: int
    findings_delta: int
    violating_base: int  # conversations where the rule was broken (violation or flag)
    violating_head: int

    @property
    def rule_id(self) -> str:
        return self.head_id or self.base_id or ""

    @property
    def label(self) -> str:
        """The id, or `old→new` for a renamed rule."""
        if self.kind == "renamed":
            return f"{self.base_id}→{self.head_id}"
        return self.rule_id

    @property
    def findings_changed(self) -> bool:
        return self.findings_delta != 0 or self.violating_base != self.violating_head

    @property
    def shown(self) -> bool:
        """Whether the reports list this rule: its definition or its findings changed."""
        return self.kind != "unchanged" or self.findings_changed


@dataclass(frozen=True)
class ConversationChange:
    """A conversation whose score or pass/fail differs between the packs.

    `because` names the rules whose outcome differs, e.g. `language.refusal -5→-8`,
    `closing.more_help added -3`, `opening.greeting removed (was -5)`; and pack-wide
    settings (`base 100→90`, `pass_mark 80→85`) when they changed the result.
    """

    conversation_id: str
    agent_id: str
    source_file: str
    source_line: int
    score_base: float
    score_head: float
    score_delta: float
    passed_base: bool
    passed_head: bool
    fatal_base: bool
    fatal_head: bool
    because: list[str]

    @property
    def source(self) -> str:
        return f"{self.source_file}:{self.source_line}"


@dataclass(frozen=True)
class AgentChange:
    """One agent's figures under both packs. Pass rates are in percent (0–100), so the
    delta is in percentage points."""

    agent_id: str
    conversations: int
    changed: int  # conversations whose score or pass/fail changed
    mean_score_base: float
    mean_score_head: float
    mean_score_delta: float
    pass_rate_base: float
    pass_rate_head: float
    pass_rate_delta: float


@dataclass(frozen=True)
class TeamChange:
    """The team's figures under both packs. Means and rates are NaN without
    conversations; pass rates are in percent (0–100)."""

    conversations: int
    mean_score_base: float
    mean_score_head: float
    mean_score_delta: float
    pass_rate_base: float
    pass_rate_head: float
    pass_rate_delta: float
    fatal_base: int
    fatal_head: int
    fatal_delta: int
    flagged_base: int
    flagged_head: int


@dataclass(frozen=True)
class PackDiff:
    """The impact of replacing `base` with `head` on a set of conversations.

    `rules` lists every rule (unchanged ones too): head pack order, then the removed
    rules in base pack order. `conversations` holds only the conversations whose score or
    pass/fail changed, largest change first. `agents` lists every agent, those with a
    changed conversation first (largest drop in mean score first).
    """

    base: PackInfo
    head: PackInfo
    scored: int
    rejected: int  # records that could not be read (or repeat an id): counted, not diffed
    team: TeamChange
    scoring: list[str]  # pack-wide setting changes, e.g. "pass_mark 80→85"
    rules: list[RuleChange]
    conversations: list[ConversationChange]
    agents: list[AgentChange]
    pass_rate_drop: float  # percentage points the team pass rate fell; 0 if it did not

    @property
    def changed_rules(self) -> list[RuleChange]:
        return [r for r in self.rules if r.shown]

    @property
    def changed_agents(self) -> list[AgentChange]:
        return [a for a in self.agents if a.changed]

    @property
    def has_changes(self) -> bool:
        return bool(self.scoring or self.changed_rules or self.conversations)


# ------------------------------------------------------------------------ rule matching


def match_rules(base: RulePack, head: RulePack) -> list[tuple[Rule | None, Rule | None]]:
    """Pair the rules of two packs: by id, else a head rule's `renamed_from` names its
    base rule. Head pack order, then the unmatched base rules (removed) in base order.

    A `renamed_from` is ignored when the head pack still has a rule with the old id (that
    rule keeps the match) or when the base pack has no such rule.
    """
    base_by_id = {r.id: r for r in base.rules}
    head_ids = {r.id for r in head.rules}
    used: set[str] = set()
    pairs: list[tuple[Rule | None, Rule | None]] = []
    for rule in head.rules:
        old = base_by_id.get(rule.id)
        if old is None and rule.renamed_from and rule.renamed_from not in head_ids:
            candidate = base_by_id.get(rule.renamed_from)
            if candidate is not None and candidate.id not in used:
                old = candidate
        if old is not None:
            used.add(old.id)
        pairs.append((old, rule))
    pairs.extend((rule, None) for rule in base.rules if rule.id not in used)
    return pairs


def _fmt_value(value: Any) -> str:
    """A setting as YAML would show it, compactly."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {_fmt_value(v)}" for k, v in value.items() if v is not None)
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_fmt_value(v) for v in value) + "]"
    return str(value)


def _phrases(items: Iterable[str]) -> str:
    items = list(items)
    shown = "、".join(items[:PHRASES_SHOWN])
    return shown + ("、…" if len(items) > PHRASES_SHOWN else "")


def _weight(rule: Rule) -> str:
    if rule.fatal:
        return "fatal"
    if rule.flag:
        return "flag"
    return f"deduct {rule.deduct:g}" + (f" cap {rule.cap:g}" if rule.cap is not None else "")


def _compare(base: Rule, head: Rule) -> tuple[list[str], list[str]]:
    """(weight changes, other definition changes) between two versions of a rule."""
    old, new = base.describe(), head.describe()
    weight = [
        f"{key} {_fmt_value(old[key])}→{_fmt_value(new[key])}"
        for key in WEIGHT_KEYS
        if old[key] != new[key]
    ]
    other = [
        f"{key} {_fmt_value(old[key])}→{_fmt_value(new[key])}"
        for key in old
        if key not in WEIGHT_KEYS and key not in _IDENTITY_KEYS and old[key] != new.get(key)
    ]
    # Phrase lists compare as sets: their order and repeats do not change what matches.
    for name in sorted(set(base.lists) | set(head.lists), key=_list_order(base, head)):
        was, now = set(base.lists.get(name, [])), set(head.lists.get(name, []))
        if was == now:
            continue
        added = [p for p in head.lists.get(name, []) if p not in was]
        removed = [p for p in base.lists.get(name, []) if p not in now]
        parts = []
        if added:
            parts.append(f"+{len(added)}: {_phrases(added)}")
        if removed:
            parts.append(f"−{len(removed)}: {_phrases(removed)}")
        other.append(f"{name} " + " ".join(parts))
    # The remaining parameters (windows, limits, boundaries); phrase lists are done above.
    lists = set(base.lists) | set(head.lists)
    was_params = {k: v for k, v in base.params.model_dump().items() if k not in lists}
    now_params = {k: v for k, v in head.params.model_dump().items() if k not in lists}
    for key in list(was_params) + [k for k in now_params if k not in was_params]:
        if was_params.get(key) != now_params.get(key):
            other.append(
                f"{key} {_fmt_value(was_params.get(key))}→{_fmt_value(now_params.get(key))}"
            )
    # Conditions: their phrase lists are compared above, by path; here the rest of their
    # shape (roles, windows, counts, any/all/not).
    for key in ("when", "unless"):
        was, now = _shape(getattr(base, key)), _shape(getattr(head, key))
        if was != now:
            other.append(
                f"{key} {'added' if was is None else 'removed' if now is None else 'changed'}"
            )
    return weight, other


def _shape(cond: Any) -> Any:
    """A condition without its phrases (None when there is none)."""
    if cond is None:
        return None
    return (
        cond.model_dump(exclude={"phrases"})
        | {k: [_shape(c) for c in v] for k in ("any", "all") if (v := getattr(cond, k))}
        | ({"not_": _shape(cond.not_)} if cond.not_ is not None else {})
    )


def _list_order(base: Rule, head: Rule) -> Any:
    order = list(head.lists) + [n for n in base.lists if n not in head.lists]
    return order.index


def _classify(base: Rule | None, head: Rule | None) -> tuple[RuleKind, list[str], bool]:
    """(kind, details, reweighted) for a matched pair."""
    if base is None:
        assert head is not None
        return "added", [_weight(head)], False
    if head is None:
        return "removed", [_weight(base)], False
    weight, other = _compare(base, head)
    details = weight + other
    if base.id != head.id:
        return "renamed", details, bool(weight)
    if other:
        return "changed", details, bool(weight)
    if weight:
        return "reweighted", details, True
    return "unchanged", details, False


# ----------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class _Outcome:
    """One side's result for one conversation. `broken` holds only the rules that
    deducted or flagged (pair index -> (status, points deducted)): pass and na are the
    common case and need no storage."""

    score: float
    passed: bool
    fatal: bool
    flagged: bool
    broken: dict[int, tuple[str, float]]


@dataclass(slots=True)
class _Record:
    conversation_id: str
    agent_id: str
    source_file: str
    source_line: int
    base: _Outcome
    head: _Outcome

    @property
    def changed(self) -> bool:
        return (
            abs(self.base.score - self.head.score) > EPSILON or self.base.passed != self.head.passed
        )


@dataclass(slots=True)
class _Tally:
    """Per rule pair and side: findings and conversations broken."""

    findings: list[int]
    violating: list[int]


def _outcome(result: ConversationResult, index: dict[str, int], tally: _Tally) -> _Outcome:
    broken: dict[int, tuple[str, float]] = {}
    for rr in result.rule_results:
        if rr.status in ("violation", "flag"):
            i = index[rr.rule_id]
            broken[i] = (rr.status, rr.deducted)
            tally.violating[i] += 1
    for finding in result.findings:
        tally.findings[index[finding.rule_id]] += 1
    return _Outcome(result.score, result.passed, result.fatal, result.flagged, broken)


def diff_packs(
    inputs: Sequence[Path],
    base: RulePack,
    head: RulePack,
    mapping: ColumnMapping | None = None,
) -> PackDiff:
    """Score every conversation in `inputs` with both packs and compare.

    The inputs are read once. Records that cannot be read are counted as rejected, and
    so is a repeated conversation id (as `cs-qa score` does), so both commands count the
    same conversations. Raises FileNotFoundError for a missing input path.
    """
    pairs = match_rules(base, head)
    base_index = {b.id: i for i, (b, _) in enumerate(pairs) if b is not None}
    head_index = {h.id: i for i, (_, h) in enumerate(pairs) if h is not None}
    tallies = (
        _Tally([0] * len(pairs), [0] * len(pairs)),
        _Tally([0] * len(pairs), [0] * len(pairs)),
    )
    records: list[_Record] = []
    seen: set[str] = set()
    rejected = 0
    for item in read_inputs(inputs, mapping):
        if not isinstance(item, Conversation) or item.conversation_id in seen:
            rejected += 1
            continue
        seen.add(item.conversation_id)
        records.append(
            _Record(
                conversation_id=item.conversation_id,
                agent_id=item.agent_id or UNKNOWN_AGENT,
                source_file=item.source_file,
                source_line=item.source_line,
                base=_outcome(score(item, base), base_index, tallies[0]),
                head=_outcome(score(item, head), head_index, tallies[1]),
            )
        )

    rules = []
    for i, (old, new) in enumerate(pairs):
        kind, details, reweighted = _classify(old, new)
        shown = new or old
        assert shown is not None
        fb, fh = tallies[0].findings[i], tallies[1].findings[i]
        rules.append(
            RuleChange(
                base_id=old.id if old else None,
                head_id=new.id if new else None,
                kind=kind,
                title=shown.title,
                title_en=shown.title_en or "",
                details=details,
                reweighted=reweighted,
                findings_base=fb,
                findings_head=fh,
                findings_delta=fh - fb,
                violating_base=tallies[0].violating[i],
                violating_head=tallies[1].violating[i],
            )
        )

    base_info, head_info = PackInfo.of(base), PackInfo.of(head)
    changes = [_conversation_change(r, pairs, base_info, head_info) for r in records if r.changed]
    # Pass/fail flips first: they change an agent's pass rate, a score delta alone does not.
    changes.sort(
        key=lambda c: (
            c.passed_base == c.passed_head,
            -abs(c.score_delta),
            c.conversation_id,
            c.source,
        )
    )
    team = _team(records)
    drop = -team.pass_rate_delta if team.pass_rate_delta < 0 else 0.0
    return PackDiff(
        base=base_info,
        head=head_info,
        scored=len(records),
        rejected=rejected,
        team=team,
        scoring=_scoring_changes(base_info, head_info),
        rules=rules,
        conversations=changes,
        agents=_agents(records),
        pass_rate_drop=drop,
    )


def _scoring_changes(base: PackInfo, head: PackInfo) -> list[str]:
    return [
        f"{key} {getattr(base, key):g}→{getattr(head, key):g}"
        for key in ("base", "pass_mark")
        if getattr(base, key) != getattr(head, key)
    ]


def _state(entry: tuple[str, float] | None, rule: Rule) -> str:
    """A rule's outcome on one conversation: 0 (passed or not applicable), -N, fatal,
    flag."""
    if entry is None:
        return "0"
    status, deducted = entry
    if status == "flag":
        return "flag"
    if rule.fatal:
        return "fatal"
    return f"-{deducted:g}" if deducted else "0"


def _because(
    record: _Record,
    pairs: list[tuple[Rule | None, Rule | None]],
    base: PackInfo,
    head: PackInfo,
) -> list[str]:
    causes = []
    for i in sorted(set(record.base.broken) | set(record.head.broken)):
        old, new = pairs[i]
        was, now = record.base.broken.get(i), record.head.broken.get(i)
        if old is None:
            assert new is not None
            causes.append(f"{new.id} added {_state(now, new)}")
        elif new is None:
            causes.append(f"{old.id} removed (was {_state(was, old)})")
        else:
            name = new.id if old.id == new.id else f"{old.id}→{new.id}"
            before, after = _state(was, old), _state(now, new)
            if before != after:
                causes.append(f"{name} {before}→{after}")
    if base.base != head.base:
        causes.append(f"base {base.base:g}→{head.base:g}")
    if base.pass_mark != head.pass_mark and record.base.passed != record.head.passed:
        causes.append(f"pass_mark {base.pass_mark:g}→{head.pass_mark:g}")
    return causes


def _conversation_change(
    record: _Record,
    pairs: list[tuple[Rule | None, Rule | None]],
    base: PackInfo,
    head: PackInfo,
) -> ConversationChange:
    return ConversationChange(
        conversation_id=record.conversation_id,
        agent_id=record.agent_id,
        source_file=record.source_file,
        source_line=record.source_line,
        score_base=record.base.score,
        score_head=record.head.score,
        score_delta=record.head.score - record.base.score,
        passed_base=record.base.passed,
        passed_head=record.head.passed,
        fatal_base=record.base.fatal,
        fatal_head=record.head.fatal,
        because=_because(record, pairs, base, head),
    )


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _percent(flags: Sequence[bool]) -> float:
    return 100.0 * sum(flags) / len(flags) if flags else math.nan


def _team(records: Sequence[_Record]) -> TeamChange:
    mean_b = _mean([r.base.score for r in records])
    mean_h = _mean([r.head.score for r in records])
    pass_b = _percent([r.base.passed for r in records])
    pass_h = _percent([r.head.passed for r in records])
    fatal_b = sum(r.base.fatal for r in records)
    fatal_h = sum(r.head.fatal for r in records)
    return TeamChange(
        conversations=len(records),
        mean_score_base=mean_b,
        mean_score_head=mean_h,
        mean_score_delta=_delta(mean_b, mean_h),
        pass_rate_base=pass_b,
        pass_rate_head=pass_h,
        pass_rate_delta=_delta(pass_b, pass_h),
        fatal_base=fatal_b,
        fatal_head=fatal_h,
        fatal_delta=fatal_h - fatal_b,
        flagged_base=sum(r.base.flagged for r in records),
        flagged_head=sum(r.head.flagged for r in records),
    )


def _delta(before: float, after: float) -> float:
    # Without conversations there is nothing to compare: report no change, not NaN.
    if math.isnan(before) or math.isnan(after):
        return 0.0
    delta = after - before
    # Means of identical scores summed in a different order can differ in the last bit.
    return 0.0 if abs(delta) < EPSILON else delta


def _agents(records: Sequence[_Record]) -> list[AgentChange]:
    by_agent: dict[str, list[_Record]] = {}
    for r in records:
        by_agent.setdefault(r.agent_id, []).append(r)
    agents = []
    for agent_id, own in by_agent.items():
        mean_b = _mean([r.base.score for r in own])
        mean_h = _mean([r.head.score for r in own])
        pass_b = _percent([r.base.passed for r in own])
        pass_h = _percent([r.head.passed for r in own])
        agents.append(
            AgentChange(
                agent_id=agent_id,
                conversations=len(own),
                changed=sum(r.changed for r in own),
                mean_score_base=mean_b,
                mean_score_head=mean_h,
                mean_score_delta=_delta(mean_b, mean_h),
                pass_rate_base=pass_b,
                pass_rate_head=pass_h,
                pass_rate_delta=_delta(pass_b, pass_h),
            )
        )
    # Changed agents first, the hardest hit (largest drop) on top.
    agents.sort(key=lambda a: (a.changed == 0, a.mean_score_delta, a.pass_rate_delta, a.agent_id))
    return agents


# --------------------------------------------------------------------------- rendering


def _num(value: float) -> str:
    return MISSING if math.isnan(value) else f"{value:.1f}"


def _pct(value: float) -> str:
    return MISSING if math.isnan(value) else f"{value:.1f}%"


def _signed(value: float, fmt: str = ".1f", unit: str = "") -> str:
    if math.isnan(value):
        return MISSING
    # "+0.0" for a change that rounds away would suggest one; show a plain 0.
    text = f"{value:+{fmt}}"
    if float(text) == 0:
        text = f"{0:{fmt}}"
    return text + unit


def _delta_style(value: float, higher_is_better: bool = True) -> str:
    if math.isnan(value) or abs(value) < 0.05:
        return "dim"
    return "green" if (value > 0) == higher_is_better else "bold red"


def _arrow(before: str, after: str) -> str:
    return before if before == after else f"{before} → {after}"


def _passed(value: bool, lang: str) -> str:
    return t("pass_yes" if value else "pass_no", lang)


def _rule_name(rule: RuleChange, lang: str) -> str:
    return f"{_title(rule.title, rule.title_en, lang)} ({rule.label})"


def _kind_counts(diff: PackDiff, lang: str) -> str:
    counts = {kind: 0 for kind in RULE_KINDS}
    for rule in diff.rules:
        counts[rule.kind] += 1
    sep = "，" if lang == "zh" else ", "
    shown = [f"{t('kind_' + k, lang)} {n}" for k, n in counts.items() if n and k != "unchanged"]
    return sep.join(shown) or t("kind_unchanged", lang)


def _pack_line(pack: PackInfo) -> str:
    return f"{pack.title} {pack.label} ({pack.path})"


def _summary(diff: PackDiff, lang: str) -> Table:
    team = diff.team
    points = t("points", lang)

    def change(before: str, after: str, delta: float, text: str, better: bool = True) -> Text:
        out = Text(_arrow(before, after))
        if before != after:
            out.append(f"  {text}", style=_delta_style(delta, better))
        return out

    pairs: list[tuple[str, Text | str]] = [
        (t("base_pack", lang), _pack_line(diff.base)),
        (t("head_pack", lang), _pack_line(diff.head)),
        (
            t("conversations", lang),
            Text.assemble(
                f"{diff.scored + diff.rejected}  ({t('scored', lang)} {diff.scored}, "
                f"{t('rejected', lang)} ",
                (str(diff.rejected), "red" if diff.rejected else ""),
                ")",
            ),
        ),
        (
            t("mean_score", lang),
            change(
                _num(team.mean_score_base),
                _num(team.mean_score_head),
                team.mean_score_delta,
                _signed(team.mean_score_delta),
            ),
        ),
        (
            t("pass_rate", lang),
            change(
                _pct(team.pass_rate_base),
                _pct(team.pass_rate_head),
                team.pass_rate_delta,
                _signed(team.pass_rate_delta, unit=points),
            ),
        ),
        (
            t("fatal", lang),
            change(
                str(team.fatal_base),
                str(team.fatal_head),
                team.fatal_delta,
                _signed(team.fatal_delta, "d"),
                better=False,
            ),
        ),
        (t("flagged", lang), _arrow(str(team.flagged_base), str(team.flagged_head))),
    ]
    if diff.scoring:
        pairs.append((t("scoring_settings", lang), ", ".join(diff.scoring)))
    pairs.append((t("rule_changes", lang), _kind_counts(diff, lang)))
    pairs.append((t("changed_conversations", lang), str(len(diff.conversations))))
    return _key_values(pairs)


def render_diff(diff: PackDiff, console: Console, lang: str = "zh", limit: int = 20) -> None:
    """Print the diff: summary panel, rule changes, the first `limit` changed
    conversations and the agents whose scores changed."""
    console.print(Panel(_summary(diff, lang), title=t("diff_title", lang), title_align="left"))
    if not diff.has_changes:
        console.print(Text(t("no_changes", lang), style="green"))
        return

    rules = diff.changed_rules
    if rules:
        table = Table(title=t("rule_changes", lang), title_justify="left")
        table.add_column(t("rule", lang), overflow="fold")
        table.add_column(t("change", lang), no_wrap=True)
        table.add_column(t("details", lang), overflow="fold")
        table.add_column(t("findings", lang), justify="right", no_wrap=True)
        table.add_column(t("violating", lang), justify="right", no_wrap=True)
        for rule in rules:
            findings = Text(_arrow(str(rule.findings_base), str(rule.findings_head)))
            if rule.findings_delta:
                findings.append(
                    f" ({_signed(rule.findings_delta, 'd')})",
                    style=_delta_style(rule.findings_delta, higher_is_better=False),
                )
            table.add_row(
                Text(_rule_name(rule, lang)),
                Text(t("kind_" + rule.kind, lang), style=_KIND_STYLE[rule.kind]),
                Text("; ".join(rule.details) or MISSING),
                findings,
                Text(_arrow(str(rule.violating_base), str(rule.violating_head))),
            )
        console.print(table)

    if not diff.conversations:
        console.print(Text(t("no_score_changes", lang), style="green"))
        return

    shown = diff.conversations[: max(limit, 0)]
    table = Table(title=t("changed_conversations", lang), title_justify="left")
    # The source file:line is in the markdown report; the terminal keeps to 80 columns.
    table.add_column(t("conversation", lang), no_wrap=True)
    table.add_column(t("agent", lang), no_wrap=True)
    table.add_column(t("score", lang), justify="right", no_wrap=True)
    table.add_column("Δ", justify="right", no_wrap=True)
    table.add_column(t("passed", lang), no_wrap=True)
    table.add_column(t("because", lang), overflow="fold")
    for c in shown:
        passed = Text(_arrow(_passed(c.passed_base, lang), _passed(c.passed_head, lang)))
        if c.passed_base != c.passed_head:
            passed.stylize("green" if c.passed_head else "bold red")
        table.add_row(
            Text(c.conversation_id),
            Text(c.agent_id),
            Text(_arrow(f"{c.score_base:g}", f"{c.score_head:g}")),
            Text(_signed(c.score_delta, "g"), style=_delta_style(c.score_delta)),
            passed,
            Text("; ".join(c.because) or MISSING),
        )
    console.print(table)
    if len(diff.conversations) > len(shown):
        console.print(Text(t("more_rows", lang).format(n=len(diff.conversations) - len(shown))))

    agents = diff.changed_agents
    if agents:
        shown_agents = agents[: max(limit, 0)]
        table = Table(title=t("agent_changes", lang), title_justify="left")
        table.add_column(t("agent", lang), no_wrap=True)
        table.add_column(t("conversations", lang), justify="right")
        table.add_column(t("changed_count", lang), justify="right")
        table.add_column(t("mean_score", lang), justify="right", no_wrap=True)
        table.add_column("Δ", justify="right", no_wrap=True)
        table.add_column(t("pass_rate", lang), justify="right", no_wrap=True)
        table.add_column("Δ", justify="right", no_wrap=True)
        for a in shown_agents:
            table.add_row(
                Text(a.agent_id),
                Text(str(a.conversations)),
                Text(str(a.changed)),
                Text(_arrow(_num(a.mean_score_base), _num(a.mean_score_head))),
                Text(_signed(a.mean_score_delta), style=_delta_style(a.mean_score_delta)),
                Text(_arrow(_pct(a.pass_rate_base), _pct(a.pass_rate_head))),
                Text(
                    _signed(a.pass_rate_delta, unit=t("points", lang)),
                    style=_delta_style(a.pass_rate_delta),
                ),
            )
        notes = []
        if len(agents) > len(shown_agents):
            notes.append(t("more_rows", lang).format(n=len(agents) - len(shown_agents)))
        unchanged = len(diff.agents) - len(agents)
        if unchanged:
            notes.append(t("unchanged_agents", lang).format(n=unchanged))
        if notes:
            table.caption = "\n".join(notes)
            table.caption_justify = "left"
        console.print(table)


_KIND_STYLE: dict[str, str] = {
    "unchanged": "dim",
    "changed": "yellow",
    "reweighted": "yellow",
    "renamed": "cyan",
    "added": "green",
    "removed": "red",
}


# ---------------------------------------------------------------------------- markdown


def md_escape(text: str) -> str:
    """Text safe inside a GitHub table cell: `|` would end the cell and a line break the
    row. Backslashes are doubled first so that a `\\` in the text cannot escape the `|`
    escape that follows it."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").splitlines())


def _md_table(header: Sequence[str], align: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(md_escape(h) for h in header) + " |",
        "| " + " | ".join("---:" if a == "right" else "---" for a in align) + " |",
    ]
    lines.extend("| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def diff_markdown(diff: PackDiff, lang: str = "zh", limit: int = 50) -> str:
    """The diff as GitHub-flavoured markdown for a pull-request comment: a heading, a
    summary line, and tables of rule changes, agents and up to `limit` conversations."""
    team = diff.team
    colon = "：" if lang == "zh" else ": "
    sep = " · "
    out = [f"### {t('diff_title', lang)}{colon}{diff.base.label} → {diff.head.label}", ""]
    mean = _arrow(_num(team.mean_score_base), _num(team.mean_score_head))
    rate = _arrow(_pct(team.pass_rate_base), _pct(team.pass_rate_head))
    points = t("points", lang)
    summary = [
        f"{t('conversations', lang)} **{diff.scored}** ({t('rejected', lang)} {diff.rejected})",
        f"{t('mean_score', lang)} **{mean}** ({_signed(team.mean_score_delta)})",
        f"{t('pass_rate', lang)} **{rate}** ({_signed(team.pass_rate_delta, unit=points)})",
        f"{t('fatal', lang)} {_arrow(str(team.fatal_base), str(team.fatal_head))}",
        f"{t('changed_conversations', lang)} **{len(diff.conversations)}**",
    ]
    if diff.scoring:
        summary.append(f"{t('scoring_settings', lang)} {', '.join(diff.scoring)}")
    out.append(md_escape(sep.join(summary)))
    if not diff.has_changes:
        out += ["", t("no_changes", lang)]
        return "\n".join(out) + "\n"

    rules = diff.changed_rules
    if rules:
        out += ["", f"#### {t('rule_changes', lang)}", ""]
        out.append(
            _md_table(
                [t(k, lang) for k in ("rule", "change", "details", "findings", "violating")],
                ["left", "left", "left", "right", "right"],
                (
                    [
                        _rule_name(r, lang),
                        t("kind_" + r.kind, lang),
                        "; ".join(r.details) or MISSING,
                        _arrow(str(r.findings_base), str(r.findings_head))
                        + (f" ({_signed(r.findings_delta, 'd')})" if r.findings_delta else ""),
                        _arrow(str(r.violating_base), str(r.violating_head)),
                    ]
                    for r in rules
                ),
            )
        )

    if not diff.conversations:
        out += ["", t("no_score_changes", lang)]
        return "\n".join(out) + "\n"

    agents = diff.changed_agents[: max(limit, 0)]
    if agents:
        out += ["", f"#### {t('agent_changes', lang)}", ""]
        out.append(
            _md_table(
                [
                    t("agent", lang),
                    t("conversations", lang),
                    t("changed_count", lang),
                    t("mean_score", lang),
                    "Δ",
                    t("pass_rate", lang),
                    "Δ",
                ],
                ["left", "right", "right", "right", "right", "right", "right"],
                (
                    [
                        a.agent_id,
                        str(a.conversations),
                        str(a.changed),
                        _arrow(_num(a.mean_score_base), _num(a.mean_score_head)),
                        _signed(a.mean_score_delta),
                        _arrow(_pct(a.pass_rate_base), _pct(a.pass_rate_head)),
                        _signed(a.pass_rate_delta, unit=t("points", lang)),
                    ]
                    for a in agents
                ),
            )
        )
        notes = []
        if len(agents) < len(diff.changed_agents):
            notes.append(t("more_rows", lang).format(n=len(diff.changed_agents) - len(agents)))
        unchanged = len(diff.agents) - len(diff.changed_agents)
        if unchanged:
            notes.append(t("unchanged_agents", lang).format(n=unchanged))
        if notes:
            out += ["", md_escape(" · ".join(notes))]

    shown = diff.conversations[: max(limit, 0)]
    title = t("changed_conversations", lang)
    if len(shown) < len(diff.conversations):
        title += f" ({t('first_of', lang).format(shown=len(shown), total=len(diff.conversations))})"
    out += ["", f"#### {title}", ""]
    out.append(
        _md_table(
            [
                t("conversation", lang),
                t("agent", lang),
                t("source", lang),
                t("score", lang),
                "Δ",
                t("passed", lang),
                t("because", lang),
            ],
            ["left", "left", "left", "right", "right", "left", "left"],
            (
                [
                    c.conversation_id,
                    c.agent_id,
                    c.source,
                    _arrow(f"{c.score_base:g}", f"{c.score_head:g}"),
                    _signed(c.score_delta, "g"),
                    _arrow(_passed(c.passed_base, lang), _passed(c.passed_head, lang)),
                    "; ".join(c.because) or MISSING,
                ]
                for c in shown
            ),
        )
    )
    if len(shown) < len(diff.conversations):
        out += ["", t("more_rows", lang).format(n=len(diff.conversations) - len(shown))]
    return "\n".join(out) + "\n"
