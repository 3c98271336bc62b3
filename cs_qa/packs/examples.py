"""Running a pack's own examples: each example with only its own rule enabled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cs_qa.core.model import Finding
from cs_qa.packs.evaluate import score
from cs_qa.packs.model import Example, Rule, RulePack


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
            name=o.example.name,
            file=o.example.file,
            line=str(o.example.line),
        )
        if o.example.todo:
            ET.SubElement(case, "skipped", message="known gap (todo example)")
        elif not o.ok:
            expected = "a violation" if o.example.expects_violation else "no violation"
            fired = "; ".join(f.matched or f.detail for f in o.findings)
            failure = ET.SubElement(
                case, "failure", message=f"expected {expected}, got {o.status} {fired}".strip()
            )
            failure.text = o.example.text
    for suite in suites.values():
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
