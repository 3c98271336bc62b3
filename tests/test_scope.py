"""Match scope: negation, conditions, questions asked back, intensifiers, `re:` items."""

from __future__ import annotations

import pytest

from cs_qa.core import scope
from cs_qa.core.matching import Matcher, PhraseSet, PreparedConversation
from cs_qa.core.model import Conversation, Turn
from cs_qa.core.normalize import normalize


def _at(text: str, phrase: str) -> tuple[str, int, int]:
    text = normalize(text)
    start = text.index(phrase)
    return text, start, start + len(phrase)


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("不能保证明天到", "保证", True),
        ("无法保证一定送到", "保证", True),
        ("这个不一定能到", "一定", True),
        ("我保证明天送到", "保证", False),
        ("没问题一定给您补发", "一定", False),  # 没 is three characters back
        ("不用担心,一定给您补发", "一定", False),  # another clause
        ("这不扯淡嘛", "扯淡", False),  # rhetorical: it asserts
        ("我不投诉", "投诉", True),
    ],
)
def test_negated(text, phrase, expected):
    assert scope.negated(*_at(text, phrase)) is expected


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("如不能正常使用，请联系售后", "不能", True),
        ("若不行的话先卸载再安装", "不行", True),
        ("不行的话可以换一个", "不行", True),
        ("如果您无法登录，可以找回密码", "无法", True),
        ("这个是不能退的哦", "不能", False),
        ("比如不能退的商品有哪些", "不能", False),  # 比如 is "for example"
        ("如果已经发货了，改不了的", "改不了", False),  # the consequence, another clause
        ("如果发货了就改不了", "改不了", False),  # after 就 the condition is over
    ],
)
def test_conditional(text, phrase, expected):
    assert scope.conditional(*_at(text, phrase)) is expected


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("主机也不行吗", "不行", True),
        ("不能正常开机是吗？", "不能", True),
        ("您是说无法登录？", "无法", True),
        ("这个不能退，您可以换货", "不能", False),
        # A confirmation tag closes the clause, however far from the hit.
        ("您这边无法查到我给您发送的东西是吗", "无法", True),
        ("就是没有办法发货对吧", "没有办法", True),
        ("这个无法退款，是吗这个规定", "无法", False),  # the tag is in the next clause
    ],
)
def test_question(text, phrase, expected):
    assert scope.question(*_at(text, phrase)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("都爱死你了", True), ("笑死", True), ("累死了", True), ("你去死", False), ("死", False)],
)
def test_intensifier(text, expected):
    start = text.index("死")
    assert scope.intensifier(text, start, start + 1) is expected


def _conversation(*agent_texts: str) -> PreparedConversation:
    turns = [Turn("agent", t) for t in agent_texts]
    sets = [PhraseSet.of(["不能", "死"])]
    matcher = Matcher({p for s in sets for p in s.phrases}, ["死"])
    return PreparedConversation(Conversation("c", "chat", "A", turns), matcher)


def test_find_drops_hits_in_a_skipped_scope_and_keeps_the_rest():
    conv = _conversation("如不能正常使用请重启", "这个不能退", "主机也不能开机吗")
    phrases = PhraseSet.of(["不能"], skip=["conditional", "question"])
    assert [bool(conv.find(i, phrases)) for i in range(3)] == [False, True, False]
    plain = PhraseSet.of(["不能"])
    assert [bool(conv.find(i, plain)) for i in range(3)] == [True, True, True]


def test_word_mode_rejects_intensifier_compounds():
    conv = _conversation("哈哈都爱死你们了", "你怎么不去死")
    phrases = PhraseSet.of(["死"], word_boundary=True)
    assert not conv.find(0, phrases)
    assert conv.find(1, phrases)


def test_pattern_items_match_what_a_list_cannot_spell():
    conv = _conversation("都等了五天了还没到", "今天刚下单")
    phrases = PhraseSet.of(["re:都等了.{1,3}天", "投诉"], exceptions=["re:刚下单"])
    assert conv.mentions(phrases)
    (hit,) = conv.find(0, phrases)
    assert hit.phrase == "都等了五天"
    assert not conv.find(1, phrases)


def test_a_risky_pattern_item_is_refused_at_load_with_its_line():
    from cs_qa.packs.loader import parse_pack
    from cs_qa.packs.problems import PackError

    text = """pack: p
version: "1"
title: t
rules:
  - id: r
    title: r
    check: forbidden_phrase
    phrases: [不能, "re:(a+)+b"]
    skip: [conditional]
    deduct: 1
    examples:
      - violates: |
          客服: 不能
      - passes: |
          客服: 可以
"""
    with pytest.raises(PackError, match=r"p.yaml:8: rule r: phrases: pattern"):
        parse_pack(text, "p.yaml")
    ok = parse_pack(text.replace('"re:(a+)+b"', '"re:不[行能]"'), "p.yaml")
    assert ok.rule("r").phrases("phrases").patterns == ("不[行能]",)
    assert ok.rule("r").phrases("phrases").skip == frozenset({"conditional"})


def test_merged_messages_keep_their_boundary_for_scope():
    """JD joins one side's consecutive messages with a space, which normalisation removes:
    the more-help question of the next message must not make a refusal a question."""
    raw = "已经帮您试了，这个用不了免邮券 请问还有什么可以帮您呢?"
    text = normalize(raw)
    breaks = scope.message_breaks(raw, text, normalize)
    assert breaks == {text.index("请问")}
    start = text.index("用不了")
    assert scope.question(text, start, start + 3)  # without the break: looks asked
    assert not scope.question(text, start, start + 3, breaks)
    # speech recognition spaces every character: no breaks there
    asr = "您 好 这 里 是 客 服 中 心"
    assert scope.message_breaks(asr, normalize(asr), normalize) == frozenset()


def test_find_uses_the_message_breaks():
    conv = _conversation("这个用不了免邮券 请问还有什么可以帮您呢?")
    phrases = PhraseSet.of(["用不了"], skip=["question"])
    matcher = Matcher({"用不了"})
    conv = PreparedConversation(conv.conversation, matcher)
    assert conv.find(0, phrases)


def test_anchored_patterns_mean_the_start_of_a_turn():
    conv = _conversation("好的", "确定呢 一旦取消就不会再送了")
    phrases = PhraseSet.of(["re:^确定呢"])
    assert not conv.find(0, phrases) and conv.find(1, phrases)
