"""Running a pack's own examples: each example with only its own rule enabled."""

from __future__ import annotations

from dataclasses import dataclass

from cs_qa.model import Finding
from cs_qa.pack import Example, Rule, RulePack
from cs_qa.scoring import score


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    pack: str
    rule: Rule
    example: Example
    findings: list[Finding]
    status: str  # the rule's status on the example: pass | violation | flag | na

    @property
    def fired(self) -> bool:
        return self.status in ("violation", "flag")

    @property
    def ok(self) -> bool:
        return self.fired == self.example.expects_violation

    @property
    def test_id(self) -> str:
        return f"{self.pack}::{self.rule.id}::{self.example.name}"


def run_example(pack: RulePack, rule: Rule, example: Example) -> ExampleOutcome:
    result = score(example.conversation, pack.only(rule.id))
    status = result.rule_results[0].status
    return ExampleOutcome(pack.name, rule, example, result.findings, status)


def run_examples(pack: RulePack, pattern: str | None = None) -> list[ExampleOutcome]:
    """Every example of every rule (whose id contains `pattern`, when given)."""
    return [
        run_example(pack, rule, example)
        for rule in pack.rules
        if pattern is None or pattern in rule.id
        for example in rule.examples
    ]
