"""Composable conditions (`when:` / `unless:`) and the one window model."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cs_qa.core.matching import Matcher, PreparedConversation
from cs_qa.core.windows import Anchor, Condition, Span, WindowSpec, select
from cs_qa.packs.evaluate import score
from cs_qa.packs.loader import parse_pack
from cs_qa.packs.notation import parse_example
from cs_qa.packs.problems import PackError

HEAD = """pack: p
version: "1"
title: t
lexicons:
  request: [能不能, 可以帮我, 帮我]
rules:
"""


def _pack(rule: str):
    return parse_pack(HEAD + rule, "p.yaml")


def _run(pack, text: str):
    conv = parse_example(text)
    result = score(conv, pack)
    (status,) = [r.status for r in result.rule_results]
    return status, result.findings


REFUSAL = """  - id: refusal
    title: 拒绝
    check: forbidden_phrase
    phrases: [不能, 不行]
    when: {phrases: ["@request"], role: customer, window: {before: {turns: 1}}}
    unless: {phrases: [建议您], role: agent, window: {same_sentence: true}}
    deduct: 5
    examples:
      - violates: |
          客户: 能不能改地址
          客服: 不能改
      - passes: |
          客户: 这个防水吗
          客服: 不能泡水
"""


def test_a_relative_when_keeps_only_hits_that_answer_a_request():
    pack = _pack(REFUSAL)
    status, findings = _run(pack, "客户: 能不能改地址\n客服: 这个不能改哦")
    assert status == "violation"
    (f,) = findings
    assert "when: customer #1 「能不能」" in f.detail  # which part matched, and where
    # the same words answering a product question are a fact
    assert _run(pack, "客户: 这个防水吗\n客服: 不能泡水的")[0] == "pass"
    # the request must be the customer's previous turn, not any earlier one
    text = "客户: 能不能便宜点\n客服: 您好\n客户: 这个防水吗\n客服: 不能泡水的"
    assert _run(pack, text)[0] == "pass"


def test_a_relative_unless_drops_the_hit_in_its_sentence_only():
    pack = _pack(REFUSAL)
    assert _run(pack, "客户: 帮我退了\n客服: 不能退的话建议您换货")[0] == "pass"
    assert _run(pack, "客户: 帮我退了\n客服: 不能退,建议您换货")[0] == "violation"


HANDOFF = """  - id: farewell
    title: 结束语
    check: required_phrase
    within: {last_agent_turns: 1}
    phrases: [再见]
    unless: {phrases: [转接], role: agent, window: {from_end: {turns: 1}}}
    deduct: 3
    examples:
      - violates: |
          客服: 好的
      - passes: |
          客服: 再见
"""


def test_an_absolute_unless_makes_the_rule_na():
    pack = _pack(HANDOFF)
    assert _run(pack, "客户: 要安装\n客服: 我给您转接专属客服")[0] == "na"
    assert _run(pack, "客户: 要安装\n客服: 我给您转接专属客服\n客服: 好的")[0] == "violation"


def test_any_all_not_and_count():
    rule = """  - id: r
    title: r
    check: forbidden_phrase
    phrases: [不能]
    when:
      all:
        - any: [{phrases: [退], role: customer}, {phrases: [换], role: customer}]
        - not: {phrases: [谢谢], role: customer}
        - {phrases: [吗], role: customer, count: 2}
    deduct: 1
    examples:
      - violates: |
          客户: 能退吗 可以吗
          客服: 不能
      - passes: |
          客服: 不能
"""
    pack = _pack(rule)
    assert _run(pack, "客户: 能退吗 可以吗\n客服: 不能")[0] == "violation"
    assert _run(pack, "客户: 能换吗 行吗\n客服: 不能")[0] == "violation"
    assert _run(pack, "客户: 能退吗\n客服: 不能")[0] == "na"  # one 吗, count 2
    assert _run(pack, "客户: 能退吗 可以吗 谢谢\n客服: 不能")[0] == "na"


def test_condition_phrases_are_checked_at_load():
    bad = REFUSAL.replace('phrases: ["@request"]', 'phrases: ["@nope"]')
    with pytest.raises(PackError, match=r"p.yaml:\d+: rule refusal: when.phrases: unknown lexicon"):
        _pack(bad)
    with pytest.raises(PackError, match="a condition is one of"):
        _pack(
            REFUSAL.replace(
                'when: {phrases: ["@request"], role: customer, window: {before: {turns: 1}}}',
                "when: {role: customer}",
            )
        )


def test_window_model():
    with pytest.raises(ValidationError):
        WindowSpec(from_start=Span(turns=1), after=Span(turns=1))
    with pytest.raises(ValidationError):
        Span(turns=1, seconds=3)
    with pytest.raises(ValidationError):
        Condition.model_validate({"any": []})
    conv = PreparedConversation(
        parse_example("[00:00] 客户: a\n[00:05] 客服: b\n[00:50] 客户: c\n[00:55] 客服: d"),
        Matcher([]),
    )
    assert select(conv, "agent", WindowSpec(from_start=Span(turns=1))) == [1]
    assert select(conv, "agent", WindowSpec(from_end=Span(seconds=10))) == [3]
    assert select(conv, "any", WindowSpec(after=Span(seconds=10)), Anchor(0)) == [1]
    assert select(conv, "customer", WindowSpec(before=Span(turns=1)), Anchor(3)) == [2]
    assert select(conv, "agent", WindowSpec(same_turn=True), Anchor(2)) == []
    assert select(conv, "agent", WindowSpec(after=Span(turns=1))) is None  # no anchor


def test_rules_diff_names_a_changed_condition():
    from cs_qa.compare.diff import _compare

    base = _pack(REFUSAL).rule("refusal")
    wider = _pack(REFUSAL.replace("before: {turns: 1}", "before: {turns: 2}")).rule("refusal")
    assert _compare(base, wider)[1] == ["when changed"]
    more = _pack(REFUSAL.replace('["@request"]', '["@request", 求你]')).rule("refusal")
    assert _compare(base, more)[1] == ["when +1: 求你"]  # the leaf, by its path
    none = _pack(
        REFUSAL.replace(
            "    unless: {phrases: [建议您], role: agent, window: {same_sentence: true}}\n", ""
        )
    ).rule("refusal")
    assert _compare(base, none)[1] == ["unless −1: 建议您", "unless removed"]


def test_a_window_placed_around_another_leafs_hit():
    """The empathy rule said with conditions alone: a complaint (named), then no apology
    in the agent's next two turns after it."""
    rule = """  - id: e
    title: 安抚
    check: required_phrase
    within: {agent_turns: 1}
    phrases: [__never__]
    when:
      all:
        - {name: complaint, phrases: [太慢了], role: customer}
        - not: {phrases: [抱歉], role: agent, window: {after: {turns: 2}, of: complaint}}
    deduct: 5
    examples:
      - violates: |
          客户: 太慢了
          客服: 单号
      - passes: |
          客户: 太慢了
          客服: 抱歉
"""
    pack = _pack(rule)
    assert _run(pack, "客户: 太慢了\n客服: 单号\n客服: 在查")[0] == "violation"
    assert _run(pack, "客户: 太慢了\n客服: 单号\n客服: 抱歉久等")[0] == "na"
    # the apology must come after the complaint, not before it
    assert _run(pack, "客服: 抱歉\n客户: 太慢了\n客服: 单号")[0] == "violation"
    assert _run(pack, "客户: 在吗\n客服: 您好")[0] == "na"  # no complaint
    with pytest.raises(ValidationError):
        WindowSpec(from_start=Span(turns=1), of="x")  # of: needs a placed window


def test_of_must_name_a_condition():
    bad = REFUSAL.replace("window: {same_sentence: true}", "window: {same_sentence: true, of: x}")
    with pytest.raises(PackError, match=r"rule refusal: unless: of: 'x' names no condition"):
        _pack(bad)
