"""Every example of every built-in pack, as its own test id: `pytest -k opening.greeting`
runs one rule, e.g. general::opening.greeting::violates[0]@t1 (the id ends with the turns
the example pins with `>`). Then how pinned turns are judged and reported."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import pytest
from packs import one_rule
from typer.testing import CliRunner

from cs_qa.checks import CheckParams, register
from cs_qa.cli import app
from cs_qa.core.model import Hit
from cs_qa.packs.examples import example_id, run_example, run_examples
from cs_qa.packs.loader import builtin_packs, load_pack

CASES = [
    pytest.param(pack, rule, example, id=example_id(pack.name, rule, example))
    for name in sorted(builtin_packs())
    for pack in [load_pack(name)]
    for rule in pack.rules
    for example in rule.examples
]


@pytest.mark.parametrize(("pack", "rule", "example"), CASES)
def test_example(pack, rule, example):
    outcome = run_example(pack, rule, example)
    if example.todo:
        if outcome.ok:
            # a fixed gap is news, not a failure: say so, and let the owner promote it
            warnings.warn(f"{outcome.test_id} now behaves: make it a real example", stacklevel=1)
            return
        pytest.xfail(f"known gap: {example.text!r}")
    assert outcome.ok, (
        f"{outcome.test_id}: expected {outcome.expected}, got {outcome.got} "
        f"{[(f.matched, f.detail, f.turn_index) for f in outcome.findings]}\n{example.text}"
    )


def test_default_pack_has_the_rule_ids_reports_refer_to():
    ids = {r.id for r in load_pack(None).rules}
    assert {
        "opening.greeting",
        "closing.farewell",
        "closing.more_help",
        "language.refusal",
        "language.forbidden",
        "language.abusive",
        "latency.first_response",
        "latency.reply",
        "empathy.complaint",
    } <= ids


def test_every_rule_has_both_kinds_of_example():
    for name in builtin_packs():
        for rule in load_pack(name).rules:
            kinds = {e.kind for e in rule.examples}
            assert {"violates", "passes"} <= kinds, rule.id


# ------------------------------------------------------------------ pinned turns


def test_ids_carry_the_pinned_turns():
    ids = {case.id for case in CASES}
    assert "general::opening.greeting::violates[0]@t1" in ids
    assert "general::language.refusal::violates[4]@t1,t3" in ids  # two refusals, both pinned
    assert "general::closing.more_help::violates[0]" in ids  # asked anywhere: not pinned
    assert "general::opening.greeting::passes[0]" in ids


def test_the_built_in_packs_pin_most_violates_examples():
    own = [
        (case.values[2], case.id)
        for case in CASES
        if case.values[2].kind == "violates" and case.values[0].name in case.values[2].file
    ]
    pinned = [i for _, i in own if "@t" in i]
    assert len(pinned) >= 0.8 * len(own), (len(pinned), len(own))


REFUSAL = """\
  - id: refusal
    title: 拒绝
    check: forbidden_phrase
    phrases: [不能, 没办法]
    deduct: 5
    examples:
      - violates: |
          客户: 这个能退吗
          > 客服: 这个不能退
      - violates: |
          > 客户: 这个能退吗
          客服: 这个不能退
      - violates: |
          客户: 能退吗
          > 客服: 不能退
          客户: 那能换吗
          客服: 换也没办法
      - violates: |
          客户: 能退吗
          > 客服: 不能退
          客户: 那能换吗
          > 客服: 换也没办法
      - violates: |
          客户: 能退吗
          客服: 不能退
          客户: 那能换吗
          客服: 换也没办法
      - todo_violates: |
          > 客户: 能退吗
          客服: 不能退
      - passes: "客服: 可以退"
"""


def _outcomes(body: str = REFUSAL):
    return {o.name: o for o in run_examples(one_rule(body))}


def test_a_pinned_example_passes_only_at_exactly_its_turns():
    got = _outcomes()
    assert set(got) == {
        "violates[0]@t1", "violates[1]@t0", "violates[2]@t1", "violates[3]@t1,t3",
        "violates[4]", "todo_violates[0]@t0", "passes[0]",
    }  # fmt: skip
    assert got["violates[0]@t1"].ok
    assert got["violates[3]@t1,t3"].ok
    assert got["violates[4]"].ok  # no pins: firing anywhere is enough, as before
    assert got["passes[0]"].ok
    # the rule flags turn 1, not the customer's turn 0
    wrong = got["violates[1]@t0"]
    assert wrong.fired and not wrong.ok
    assert (wrong.expected, wrong.got) == ("a violation at turn 0", "violation at turn 1")
    # one pin, two findings: the finding at turn 3 is not expected
    extra = got["violates[2]@t1"]
    assert not extra.ok and extra.got == "violation at turns 1, 3"
    # a known gap can pin turns too, and stays a gap while they differ
    assert not got["todo_violates[0]@t0"].ok


def test_a_pin_on_an_example_that_does_not_fire():
    [outcome] = [
        o
        for o in run_examples(one_rule(REFUSAL.replace("> 客服: 这个不能退", "> 客服: 可以退")))
        if o.name == "violates[0]@t1"
    ]
    assert not outcome.ok and (outcome.expected, outcome.got) == ("a violation at turn 1", "pass")


class WholeParams(CheckParams):
    pass


@register("test_whole_conversation", WholeParams)
def whole_conversation(conv, rule) -> list[Hit] | None:  # type: ignore[no-untyped-def]
    """Flags the conversation as a whole (no turn) when an agent turn says 全程."""
    said = any("全程" in t.text for t in conv.conversation.turns if t.speaker == "agent")
    return [Hit(None, "", "the whole conversation")] if said else []


def test_a_finding_without_a_turn_never_matches_a_pin():
    got = _outcomes("""\
      - id: whole
        title: 整通
        check: test_whole_conversation
        deduct: 1
        examples:
          - violates: |
              客户: 在吗
              > 客服: 全程
          - violates: |
              客户: 在吗
              客服: 全程
          - passes: "客服: 您好"
    """)
    assert got["violates[1]"].ok
    pinned = got["violates[0]@t1"]
    assert pinned.fired and not pinned.ok
    assert pinned.got == "violation on the whole conversation (no turn, which no marker matches)"


def test_rules_test_and_junit_say_which_turns_were_expected_and_flagged(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text('pack: p\nversion: "1"\ntitle: t\nrules:\n' + REFUSAL, encoding="utf-8")
    xml = tmp_path / "junit.xml"
    result = CliRunner().invoke(
        app, ["rules", "test", str(pack), "--junit-xml", str(xml)], terminal_width=200
    )
    assert result.exit_code == 1, result.output
    assert (
        "FAIL p::refusal::violates[1]@t0 "
        f"({pack}:14): expected a violation at turn 0, got violation at turn 1: 不能 (turn 1)"
    ) in result.output
    assert "FAIL p::refusal::violates[2]@t1 " in result.output
    assert "got violation at turns 1, 3: 不能 (turn 1); 没办法 (turn 3)" in result.output
    assert "TODO p::refusal::todo_violates[0]@t0" in result.output
    assert "4 passed, 2 failed, 1 skipped" in result.output
    suite = ET.parse(xml).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    failure = suite.find("testcase[@name='violates[1]@t0']/failure")
    assert failure is not None
    assert failure.get("message") == "expected a violation at turn 0, got violation at turn 1 不能"
    assert failure.text is not None and "> 客户: 这个能退吗" in failure.text
    assert suite.find("testcase[@name='violates[3]@t1,t3']/failure") is None
