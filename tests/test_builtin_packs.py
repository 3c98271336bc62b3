"""The built-in packs that extend general (ecommerce, callcenter): what they inherit, what
they change, and how whole conversations score under them. Each rule's own examples run
in test_examples.py; these tests hold the design decisions that span rules."""

from __future__ import annotations

import pytest

from cs_qa.core.normalize import normalize
from cs_qa.packs.evaluate import score
from cs_qa.packs.loader import builtin_packs, load_pack
from cs_qa.packs.notation import parse_example

CHILDREN = ["ecommerce", "callcenter"]


@pytest.fixture(scope="module")
def packs():
    return {name: load_pack(name) for name in ["general", *CHILDREN]}


def statuses(pack, text):
    """Each rule's status on one conversation written in the example notation."""
    result = score(parse_example(text), pack)
    return {r.rule_id: r.status for r in result.rule_results}, result


def test_the_packs_are_built_in():
    assert {"general", *CHILDREN} <= set(builtin_packs())


@pytest.mark.parametrize("name", CHILDREN)
def test_a_child_keeps_every_general_rule_it_does_not_disable(packs, name):
    general = {r.id for r in packs["general"].rules}
    child = {r.id for r in packs[name].rules}
    disabled = {"latency.first_response", "latency.reply"} if name == "callcenter" else set()
    assert general - disabled <= child
    assert not disabled & child
    assert packs[name].base == packs["general"].base
    assert packs[name].pass_mark == packs["general"].pass_mark


@pytest.mark.parametrize(
    ("name", "parts", "whole"),
    [
        ("ecommerce", ["opening.greeting", "opening.welcome"], "opening.greeting"),
        ("callcenter", ["opening.greeting", "opening.introduction"], "opening.greeting"),
        ("callcenter", ["closing.farewell", "closing.call_thanks"], "closing.farewell"),
    ],
)
def test_a_split_item_weighs_what_general_gives_it(packs, name, parts, whole):
    """Openings and the call close are split into "did it at all" and "did it the way the
    script says"; a bare 「在」 or 「喂」 loses what it loses under general."""
    child = packs[name]
    assert sum(child.rule(p).deduct for p in parts) == packs["general"].rule(whole).deduct


def test_a_redefined_lexicon_reaches_the_inherited_rule(packs):
    inherited = packs["general"].rule("opening.greeting").phrases("phrases").phrases
    call = packs["callcenter"].rule("opening.greeting").phrases("phrases").phrases
    assert normalize("欢迎光临") in inherited
    assert normalize("欢迎光临") not in call
    assert normalize("您好") in call


def test_channels_of_the_changed_rules(packs):
    cc, ec = packs["callcenter"], packs["ecommerce"]
    assert cc.rule("closing.more_help").channel == "any"
    assert packs["general"].rule("closing.more_help").channel == "any"  # chats and calls
    for rid in ["opening.greeting", "opening.introduction", "closing.call_thanks"]:
        assert cc.rule(rid).channel == "call", rid
    assert ec.rule("opening.welcome").channel == "chat"


@pytest.mark.parametrize("name", CHILDREN)
def test_a_promise_marks_for_review_without_deducting(packs, name):
    rule = packs[name].rule("commitment.unauthorized")
    assert rule.flag and not rule.deduct


SHOP_CHAT = """\
[00:00] 客户: 在吗
[00:05] 客服: 亲，您好！请问有什么可以帮到您的呢？
[00:20] 客户: 今天能发出吗
[00:30] 客服: 今天一定给您发出
[00:40] 客服: 请问还有其他问题吗？
[00:50] 客户: 没有了
[00:55] 客服: 好的，期待您的再次光临~
"""


def test_a_shop_chat_without_the_welcome(packs):
    got, result = statuses(packs["ecommerce"], SHOP_CHAT)
    assert got["opening.greeting"] == "pass"
    assert got["opening.welcome"] == "violation"
    assert got["closing.farewell"] == "pass"  # 期待您的再次光临 is a shop closing
    assert got["commitment.unauthorized"] == "flag"
    assert result.score == 100 - 3
    assert result.flagged and result.passed
    # the same chat under general: the greeting is enough, and the promise deducts
    got, result = statuses(packs["general"], SHOP_CHAT)
    assert got["opening.greeting"] == "pass"
    assert "opening.welcome" not in got and got["commitment.unauthorized"] == "violation"


def test_a_bare_zai_loses_the_whole_opening_in_a_shop(packs):
    _, result = statuses(packs["ecommerce"], "客户: 在吗\n客服: 在的亲\n客服: 感谢您的支持，再见")
    lost = {f.rule_id: f.deduct for f in result.findings}
    assert lost.get("opening.greeting", 0) + lost.get("opening.welcome", 0) == 5


CALL = """\
# channel: call
[00:01-00:04] 客服: 您 好 请 讲
[00:05-00:09] 客户: 我 这 个 月 话 费 怎 么 扣 了 这 么 多
[00:10-00:16] 客服: 查 到 您 有 一 笔 增 值 业 务 费 我 帮 您 退 订
[00:17-00:18] 客户: 好
[00:19-00:24] 客服: 好 的 感 谢 您 的 耐 心 祝 您 生 活 愉 快 再 见
"""


def test_an_asr_call_against_the_script(packs):
    got, result = statuses(packs["callcenter"], CALL)
    assert got["opening.greeting"] == "pass"
    assert got["opening.introduction"] == "violation"  # no 这里是…客服中心 / 工号
    assert got["closing.farewell"] == "pass"
    assert got["closing.call_thanks"] == "violation"  # no 感谢您的来电
    assert got["closing.more_help"] == "violation"  # the agent never asks
    assert "latency.first_response" not in got
    assert result.score == 100 - 3 - 1 - 3
    got, _ = statuses(packs["general"], CALL)
    assert got["closing.more_help"] == "violation"  # general asks it on calls too
    assert got["latency.first_response"] == "na"  # a chat rule


def test_the_call_pack_leaves_chats_to_the_chat_rules(packs):
    got, _ = statuses(packs["callcenter"], SHOP_CHAT)
    for rid in ["opening.greeting", "opening.introduction", "closing.call_thanks"]:
        assert got[rid] == "na", rid
