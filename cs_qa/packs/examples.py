"""Running a pack's own examples: each example with only its own rule enabled.

A `violates` example fails when the rule does not fire; one whose turns are pinned with
`>` (cs_qa.packs.notation) also fails when the rule's findings are not at exactly those
turns. A `passes` example fails when the rule fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cs_qa.core.model import Finding
from cs_qa.packs.evaluate import score
from cs_qa.packs.model import Example, Rule, RulePack
from cs_qa.packs.notation import read_example


def pinned_turns(example: Example) -> tuple[int, ...]:
    """The turns an example marks with `>`: where the rule must flag it (none for a JSON
    example, and a marker in a `passes` example is a pack problem)."""
    return read_example(example.text).marked


def pins_suffix(turns: tuple[int, ...]) -> str:
    """The pinned turns as they end a test id: `@t3`, `@t1,t3`; empty when none."""
    return "@" + ",".join(f"t{t}" for t in turns) if turns else ""


def example_id(pack: str, rule: Rule, example: Example) -> str:
    """The id of an example as `rules test` and pytest name it, with its pinned turns:
    `general::opening.greeting::violates[0]@t1`."""
    return f"{pack}::{rule.id}::{example.name}{pins_suffix(pinned_turns(example))}"


def _turns(turns: list[int]) -> str:
    return ("turn " if len(turns) == 1 else "turns ") + ", ".join(map(str, turns))


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    pack: str
    rule: Rule
    example: Example
    findings: list[Finding]
    status: str  # the rule's status on the example: pass | violation | flag | na
    pinned: tuple[int, ...] = ()  # the turns the example marks with `>`

    @property
    def fired(self) -> bool:
        return self.status in ("violation", "flag")

    @property
    def flagged(self) -> set[int | None]:
        """The turns the rule's findings are at; None for a finding with no turn."""
        return {f.turn_index for f in self.findings}

    @property
    def checks_turns(self) -> bool:
        """Whether the example pins the turns its rule must flag (a violates kind)."""
        return bool(self.pinned) and self.example.expects_violation

    @property
    def ok(self) -> bool:
        if self.fired != self.example.expects_violation:
            return False
        # a finding with no turn (None) never equals a marked turn
        return not self.checks_turns or self.flagged == set(self.pinned)

    @property
    def name(self) -> str:
        """The example's name with its pinned turns: `violates[0]@t1`."""
        return f"{self.example.name}{pins_suffix(self.pinned)}"

    @property
    def test_id(self) -> str:
        return f"{self.pack}::{self.rule.id}::{self.name}"

    @property
    def expected(self) -> str:
        """What the example expects: `a violation`, `a violation at turn 3`, `no violation`."""
        if not self.example.expects_violation:
            return "no violation"
        return "a violation" + (f" at {_turns(list(self.pinned))}" if self.pinned else "")

    @property
    def got(self) -> str:
        """What the rule did, with the turns it flagged when the example pins turns."""
        if not self.checks_turns or not self.findings:
            return self.status
        at = sorted(t for t in self.flagged if t is not None)
        where = [f"at {_turns(at)}"] if at else []
        if None in self.flagged:
            where.append("on the whole conversation (no turn, which no marker matches)")
        return f"{self.status} {' and '.join(where)}"


def run_example(pack: RulePack, rule: Rule, example: Example) -> ExampleOutcome:
    result = score(example.conversation, pack.only(rule.id))
    status = result.rule_results[0].status
    return ExampleOutcome(pack.name, rule, example, result.findings, status, pinned_turns(example))


def run_examples(pack: RulePack, pattern: str | None = None) -> list[ExampleOutcome]:
    """Every example of every rule (whose id contains `pattern`, when given)."""
    return [
        run_example(pack, rule, example)
        for rule in pack.rules
        if pattern is None or pattern in rule.id
        for example in rule.examples
    ]


def write_junit(outcomes: list[ExampleOutcome], path: Path) -> None:
    """The outcomes as JUnit XML (one testsuite per pack, one testcase per example), the
    format CI systems show; todo examples are reported as skipped."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="cs-qa rules test")
    suites: dict[str, ET.Element] = {}
    for o in outcomes:
        suite = suites.get(o.pack)
        if suite is None:
            suite = suites[o.pack] = ET.SubElement(root, "testsuite", name=o.pack)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{o.pack}.{o.rule.id}",
            name=o.name,
            file=o.example.file,
            line=str(o.example.line),
        )
        if o.example.todo:
            ET.SubElement(case, "skipped", message="known gap (todo example)")
        elif not o.ok:
            fired = "; ".join(f.matched or f.detail for f in o.findings)
            failure = ET.SubElement(
                case, "failure", message=f"expected {o.expected}, got {o.got} {fired}".strip()
            )
            failure.text = o.example.text
    for suite in suites.values():
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
