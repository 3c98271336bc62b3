"""The loaded rule pack: its rules and their examples (cs_qa.packs.loader builds them).

A `RulePack` owns its compiled phrase matcher and its own jieba tokenizer, so two packs
can be loaded side by side. A `Rule` carries, besides its definition and weight, the
`RuleView` its check sees (cs_qa.checks), built once with the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from cs_qa.checks import CheckParams, CheckType, RuleView
from cs_qa.core.matching import Matcher, PhraseSet
from cs_qa.core.model import Conversation
from cs_qa.core.windows import Condition
from cs_qa.packs.targets import TargetsSpec

EXAMPLE_KINDS = ("violates", "passes", "todo_violates", "todo_passes")


@dataclass(frozen=True, slots=True)
class Example:
    kind: str  # violates | passes | todo_violates | todo_passes
    text: str
    file: str
    line: int
    index: int  # position among the rule's examples of the same kind
    conversation: Conversation

    @property
    def expects_violation(self) -> bool:
        return self.kind in ("violates", "todo_violates")

    @property
    def todo(self) -> bool:
        return self.kind.startswith("todo_")

    @property
    def name(self) -> str:
        return f"{self.kind}[{self.index}]"


@dataclass(slots=True)
class Rule:
    id: str
    title: str
    check: CheckType
    params: CheckParams
    category: str = "其他"
    title_en: str | None = None
    description: str | None = None
    speaker: str = "agent"
    channel: str = "any"
    deduct: float = 0.0
    cap: float | None = None
    fatal: bool = False
    flag: bool = False
    renamed_from: str | None = None
    file: str = ""
    line: int = 0
    examples: list[Example] = field(default_factory=list)
    # phrase-list parameters, lexicon references expanded, as written and as matched
    lists: dict[str, list[str]] = field(default_factory=dict)
    sets: dict[str, PhraseSet] = field(default_factory=dict)
    # `when:` / `unless:` (cs_qa.core.windows); their phrase sets are in `sets` by path
    when: Condition | None = None
    unless: Condition | None = None
    # what the check sees of the rule (cs_qa.checks.RuleView), built with the rule
    view: RuleView[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        own = type(self.params).model_fields  # the check's parameters, not conditions
        self.view = RuleView(
            self.id,
            self.speaker,
            self.params,
            {k: v for k, v in self.lists.items() if k.split(".")[0] in own},
            {k: v for k, v in self.sets.items() if k.split(".")[0] in own},
        )

    def phrases(self, name: str) -> PhraseSet:
        return self.sets[name]

    def applies_to(self, channel: str) -> bool:
        return self.channel in ("any", channel)

    def describe(self) -> dict[str, Any]:
        """The rule's identity and weight, as stored in a dataset's manifest."""
        return {
            "id": self.id,
            "title": self.title,
            "title_en": self.title_en,
            "category": self.category,
            "check": self.check.name,
            "deduct": self.deduct,
            "cap": self.cap,
            "fatal": self.fatal,
            "flag": self.flag,
            "channel": self.channel,
            "speaker": self.speaker,
            "renamed_from": self.renamed_from,
        }


@dataclass(slots=True)
class RulePack:
    name: str
    version: str
    title: str
    base: float
    pass_mark: float
    rules: list[Rule]
    lexicons: dict[str, list[str]]
    path: str
    sha256: str
    matcher: Matcher
    targets: TargetsSpec | None = None
    source: str = ""  # the resolved file, for worker processes to load the same pack

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def only(self, rule_id: str) -> RulePack:
        """The same pack with only one rule enabled (how examples are run)."""
        return replace(self, rules=[self.rule(rule_id)])

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "sha256": self.sha256,
            "base": self.base,
            "pass_mark": self.pass_mark,
            "path": self.path,
            "targets": self.targets.model_dump() if self.targets else None,
        }
