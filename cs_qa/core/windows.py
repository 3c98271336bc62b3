"""Composable conditions and the one window model.

Any rule may say when it applies and when a hit does not count, as data:

    when:                        # the rule applies only if this holds
      any:
        - {phrases: ["@request"], role: customer, window: {before: {turns: 1}}}
        - {phrases: [帮我], role: customer}
    unless:                      # ... and not if this holds
      {phrases: ["@handoff"], role: agent, window: {from_end: {turns: 1}}}

A condition is `any: [...]`, `all: [...]`, `not: {...}` or a leaf: `phrases` (a phrase
list: lexicons, `re:` patterns), said by `role` (agent, customer, system or any), within
a `window`, at least `count` times, with its own `skip` scopes.

A window is one of: `from_start` / `from_end` (`turns: N` of the role, or `seconds: S`),
`after` / `before` (the role's next / previous `turns: N`, or within `seconds: S`, of the
hit being judged), `same_turn: true`, `same_sentence: true` (the clause of the hit); no
window is the whole conversation. A leaf may have a `name`, and a later leaf of the same
`all` may place its window around that leaf's hit instead (`of: NAME`):

    when:
      all:
        - {name: complaint, phrases: ["@complaint"], role: customer}
        - not: {phrases: ["@empathy"], role: agent, window: {after: {turns: 3}, of: complaint}}

The same model chooses the turns of required_phrase's `within` and the replies
empathy_on_trigger and sequence look at.

A condition whose leaves all have absolute windows is judged once per conversation: the
rule is `na` when `when` fails or `unless` holds. A condition with a relative window
(after, before, same_turn, same_sentence) is judged for each hit, anchored on it: a hit
for which `when` fails or `unless` holds is dropped. The part of the condition that
decided is named in the finding (`when.any.0: customer #3 「能不能」`). Pure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cs_qa.core import scope
from cs_qa.core.scope import ScopeName

if TYPE_CHECKING:
    from cs_qa.core.matching import Match, PhraseSet, PreparedConversation
    from cs_qa.core.model import Hit

Role = Literal["agent", "customer", "system", "any"]
CONDITION_KEYS = ("when", "unless")


class Span(BaseModel):
    """How far a window reaches: `turns: N` of the role, or `seconds: S`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    turns: int | None = Field(default=None, ge=1)
    seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> Span:
        if (self.turns is None) == (self.seconds is None):
            raise ValueError("give one of turns: N, seconds: S")
        return self


class WindowSpec(BaseModel):
    """Which turns a condition (or a check) looks at; at most one key."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    from_start: Span | None = None
    from_end: Span | None = None
    after: Span | None = None
    before: Span | None = None
    same_turn: bool = False
    same_sentence: bool = False
    # placed around the hit of the leaf with this `name` (in the same `all`, before this
    # one) instead of around the rule's own hit
    of: str | None = None

    @model_validator(mode="after")
    def _at_most_one(self) -> WindowSpec:
        keys = ("from_start", "from_end", "after", "before", "same_turn", "same_sentence")
        given = [k for k in keys if getattr(self, k)]
        if len(given) > 1:
            raise ValueError(f"give at most one of {', '.join(keys)} (got {', '.join(given)})")
        if self.of is not None and not self.placed:
            raise ValueError("of: goes with after, before, same_turn or same_sentence")
        return self

    @property
    def placed(self) -> bool:
        """Whether the window is placed around a hit (the rule's, or another leaf's)."""
        return bool(self.after or self.before or self.same_turn or self.same_sentence)

    @property
    def relative(self) -> bool:
        """Whether the window is placed around the rule's own hit (so judged per hit)."""
        return self.placed and self.of is None


class Anchor(NamedTuple):
    """What a relative window is placed around: a turn and a span of its text."""

    turn: int
    start: int = 0
    end: int = 0


def select(
    conv: PreparedConversation, role: str, window: WindowSpec | None, anchor: Anchor | None = None
) -> list[int] | None:
    """The turns of `role` ("any": every speaker) in `window`, in order. None when the
    window is timed and the conversation is not, or relative and there is no anchor."""
    turns = list(range(len(conv.turns))) if role == "any" else conv.turn_indexes(role)
    if window is None:
        return turns
    span = window.from_start or window.from_end or window.after or window.before
    if window.same_turn or window.same_sentence:
        if anchor is None:
            return None
        return [anchor.turn] if anchor.turn in set(turns) else []
    if (window.after or window.before) and anchor is None:
        return None
    assert span is not None
    if span.turns is not None:
        if window.from_start:
            return turns[: span.turns]
        if window.from_end:
            return turns[-span.turns :]
        if window.after:
            return [i for i in turns if i > anchor.turn][: span.turns]  # type: ignore[union-attr]
        earlier = [i for i in turns if i < anchor.turn]  # type: ignore[union-attr]
        return earlier[-span.turns :]
    if not conv.timed:
        return None
    at = [conv.turns[i].at_s or 0.0 for i in range(len(conv.turns))]
    limit = span.seconds or 0.0
    if window.from_start:
        return [i for i in turns if at[i] <= limit]
    if window.from_end:
        end = max(at) if at else 0.0
        return [i for i in turns if at[i] >= end - limit]
    origin = at[anchor.turn]  # type: ignore[union-attr]
    if window.after:
        return [i for i in turns if i > anchor.turn and at[i] - origin <= limit]  # type: ignore[union-attr]
    return [i for i in turns if i < anchor.turn and origin - at[i] <= limit]  # type: ignore[union-attr]


class Condition(BaseModel):
    """`any: [...]`, `all: [...]`, `not: {...}`, or a leaf: `phrases` said by `role`
    within `window`, at least `count` times, skipping hits in `skip` scopes."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    any: list[Condition] | None = None
    all: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    phrases: list[str] | None = None
    name: str | None = None
    role: Role = "any"
    window: WindowSpec | None = None
    count: int = Field(default=1, ge=1)
    skip: list[ScopeName] = []

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        kinds = [k for k in ("any", "all", "not_", "phrases") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a condition is one of any: [...], all: [...], not: {...}, phrases")
        if self.phrases is None and (self.window or self.skip or self.count != 1 or self.name):
            raise ValueError("name, window, count and skip belong to a phrases condition")
        if (self.any is not None and not self.any) or (self.all is not None and not self.all):
            raise ValueError("any / all need at least one condition")
        return self

    @property
    def relative(self) -> bool:
        """Whether any leaf has a window placed relative to a hit."""
        return any(leaf.window is not None and leaf.window.relative for _, leaf in self.leaves(""))

    def leaves(self, path: str) -> Iterator[tuple[str, Condition]]:
        """Every phrase leaf with its path (`when.any.0`, `unless.not`): the name under
        which the pack keeps its phrase set."""
        if self.phrases is not None:
            yield path, self
        for kind in ("any", "all"):
            for i, child in enumerate(getattr(self, kind) or []):
                yield from child.leaves(f"{path}.{kind}.{i}")
        if self.not_ is not None:
            yield from self.not_.leaves(f"{path}.not")


class Evidence(NamedTuple):
    """The part of a condition that decided it, and where: a leaf's path, the turn and
    the phrase it found there (turn None and phrase "" for a `not` that held), with the
    phrase's span in the turn's normalised text."""

    path: str
    turn: int | None
    phrase: str
    start: int = 0
    end: int = 0

    def describe(self, conv: PreparedConversation) -> str:
        if self.turn is None:
            return f"{self.path}: nothing said"
        speaker = conv.turns[self.turn].speaker
        return f"{self.path}: {speaker} #{self.turn + 1} 「{self.phrase}」"


def evaluate(
    cond: Condition,
    path: str,
    conv: PreparedConversation,
    sets: dict[str, PhraseSet],
    anchor: Anchor | None = None,
    named: dict[str, Anchor] | None = None,
) -> Evidence | None:
    """The evidence that `cond` holds in `conv` (around `anchor`), or None. `named` holds
    where the named leaves judged so far held: a window `of: NAME` is placed there."""
    named = {} if named is None else named
    if cond.any is not None:
        for i, child in enumerate(cond.any):
            found = evaluate(child, f"{path}.any.{i}", conv, sets, anchor, dict(named))
            if found:
                return found
        return None
    if cond.all is not None:
        first = None
        for i, child in enumerate(cond.all):
            found = evaluate(child, f"{path}.all.{i}", conv, sets, anchor, named)
            if not found:
                return None
            first = first or found
        return first
    if cond.not_ is not None:
        inner = evaluate(cond.not_, f"{path}.not", conv, sets, anchor, dict(named))
        return None if inner else Evidence(f"{path}.not", None, "")
    phrases = sets[path]
    if not conv.mentions(phrases):
        return None
    if cond.window is not None and cond.window.of is not None:
        anchor = named.get(cond.window.of)
        if anchor is None:
            return None
    turns = select(conv, cond.role, cond.window, anchor)
    if not turns:
        return None
    seen = 0
    first_found: tuple[int, Match] | None = None  # the first phrase found, and its turn
    for i in turns:
        matches = conv.find(i, phrases)
        if cond.window is not None and cond.window.same_sentence and anchor is not None:
            left, right = scope.clause(conv.texts[i], anchor.start, anchor.end, conv.breaks(i))
            matches = [m for m in matches if left <= m.start and m.end <= right]
        if matches:
            first_found = first_found or (i, matches[0])
            seen += len(matches)
            if seen >= cond.count:
                at, m = first_found
                if cond.name is not None:
                    named[cond.name] = Anchor(at, m.start, m.end)
                return Evidence(path, at, m.phrase, m.start, m.end)
    return None


def apply(
    rule_when: Condition | None,
    rule_unless: Condition | None,
    conv: PreparedConversation,
    sets: dict[str, PhraseSet],
    hits: list[Hit],
) -> list[Hit]:
    """The hits that survive the relative parts of `when` and `unless`, each carrying the
    evidence of its `when` in its detail."""
    kept = []
    for hit in hits:
        anchor = Anchor(hit.turn_index if hit.turn_index is not None else 0, *_span(conv, hit))
        because = ""
        if rule_when is not None and rule_when.relative:
            found = evaluate(rule_when, "when", conv, sets, anchor)
            if not found:
                continue
            because = found.describe(conv)
        if rule_unless is not None and rule_unless.relative:
            if evaluate(rule_unless, "unless", conv, sets, anchor):
                continue
        if because:
            hit.detail = f"{hit.detail}; {because}" if hit.detail else because
            hit.args = {**(hit.args or {}), "condition": because}
        kept.append(hit)
    return kept


def _span(conv: PreparedConversation, hit: Hit) -> tuple[int, int]:
    """Where the hit's matched text lies in its turn (normalised), for same_sentence: the
    first occurrence of its first phrase (a check reports one hit per turn, so a turn
    with several hits is placed at the first)."""
    if hit.turn_index is None or not hit.matched:
        return 0, 0
    text = conv.texts[hit.turn_index]
    first = hit.matched.split("、")[0]
    at = text.find(first)
    return (at, at + len(first)) if at >= 0 else (0, 0)


def gate(
    rule_when: Condition | None,
    rule_unless: Condition | None,
    conv: PreparedConversation,
    sets: dict[str, PhraseSet],
) -> bool:
    """Whether the rule applies to `conv` by the parts of its conditions judged once per
    conversation (those without relative windows)."""
    if rule_when is not None and not rule_when.relative:
        if not evaluate(rule_when, "when", conv, sets):
            return False
    if rule_unless is not None and not rule_unless.relative:
        if evaluate(rule_unless, "unless", conv, sets):
            return False
    return True
