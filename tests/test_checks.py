"""Behaviour of each check type and of scoring, on conversations in the example notation."""

from __future__ import annotations

import pytest
from packs import one_rule, status

from cs_qa.core.model import Conversation, Turn
from cs_qa.packs.evaluate import score
from cs_qa.packs.loader import load_pack
from cs_qa.packs.notation import parse_example

GENERAL = load_pack(None)


# -------------------------------------------------------------- required_phrase

GREETING_IN_20S = one_rule("""
- id: opening.timed
  title: 20秒内问候
  check: required_phrase
  within: {seconds: 20}
  phrases: [您好]
  deduct: 5
  examples:
    - violates: "[00:30] 客服: 您好"
    - passes: "[00:05] 客服: 您好"
""")


def test_required_phrase_in_a_timed_window():
    assert status(GREETING_IN_20S, "[00:00] 客户: 在吗\n[00:21] 客服: 您好")[0] == "violation"
    assert status(GREETING_IN_20S, "[00:00] 客户: 在吗\n[00:20] 客服: 您好")[0] == "pass"


def test_timed_window_is_na_without_timestamps():
    assert status(GREETING_IN_20S, "客户: 在吗\n客服: 您好")[0] == "na"


def test_required_phrase_matches_traditional_and_spaced_asr_text():
    assert status(GENERAL, "客戶: 在嗎\n客服: 您好，歡迎光臨", "opening.greeting")[0] == "pass"
    assert (
        status(
            GENERAL, "# channel: call\n客服: 您 好 ， 欢 迎 致 电\n客户: 喂", "opening.greeting"
        )[0]
        == "pass"
    )


def test_missing_phrase_points_at_first_turn_of_window():
    st, findings = status(
        GENERAL, "客户: 在吗\n客户: 有人吗\n客服: 在\n客服: 您好", "opening.greeting"
    )
    assert st == "violation"
    assert findings[0].turn_index == 2
    assert findings[0].evidence == "在"


def test_closing_looks_at_last_two_agent_turns_only():
    early_thanks = "客服: 您好，谢谢您\n客户: 嗯\n客服: 好的\n客服: 嗯嗯"
    assert status(GENERAL, early_thanks, "closing.farewell")[0] == "violation"
    late_thanks = "客服: 您好\n客户: 好\n客服: 好的\n客服: 感谢您的支持"
    assert status(GENERAL, late_thanks, "closing.farewell")[0] == "pass"


def test_rule_without_agent_turns_is_na():
    assert status(GENERAL, "客户: 在吗", "opening.greeting")[0] == "na"


def test_chat_rule_on_a_call_is_na():
    assert status(GENERAL, "# channel: call\n客服: 您好\n客户: 好的", "latency.reply")[0] == "na"


# -------------------------------------------------------------- forbidden_phrase


@pytest.mark.parametrize(
    "text",
    [
        "滚筒洗衣机不转了",
        "我的手机死机了",
        "笔记本死机了怎么办",
        "电脑有病毒",
        "滾筒洗衣機的門打不開",
    ],
)
def test_abusive_words_inside_other_words_are_not_abusive(text):
    assert status(GENERAL, f"客户: 你好\n客服: {text}", "language.abusive")[0] == "pass"


@pytest.mark.parametrize("text", ["你给我滚", "滚！", "你有病吧", "你是不是神经病", "你給我滾"])
def test_abusive_words_standing_alone_are_fatal(text):
    pack = GENERAL.only("language.abusive")
    result = score(parse_example(f"客户: 你们什么服务\n客服: {text}"), pack)
    assert result.rule_results[0].status == "violation"
    assert result.fatal and result.score == 0 and not result.passed


def test_exception_covering_the_hit_cancels_it():
    assert status(GENERAL, "客服: 抱歉不能及时回复您", "language.refusal")[0] == "pass"
    st, findings = status(GENERAL, "客服: 抱歉不能及时回复您，这个不能退", "language.refusal")
    assert st == "violation" and findings[0].matched == "不能"


@pytest.mark.parametrize(
    "text", ["这款不会褪色", "正常洗涤不会起球", "不會刺激皮膚", "下个月就不会再扣了"]
)
def test_product_statements_with_bu_hui_are_not_refusals(text):
    assert status(GENERAL, f"客服: {text}", "language.refusal")[0] == "pass"


def test_first_person_refusal_is_caught():
    assert status(GENERAL, "客服: 这个我不会弄，您找别人吧", "language.refusal")[0] == "violation"


def test_forbidden_phrase_only_counts_the_rules_speaker():
    assert status(GENERAL, "客户: 什么意思？\n客服: 您好", "language.forbidden")[0] == "pass"


def test_one_finding_per_offending_turn():
    _, findings = status(GENERAL, "客服: 不行\n客户: 啊\n客服: 不可以，没办法", "language.refusal")
    assert [f.turn_index for f in findings] == [0, 2]
    assert findings[1].matched == "不可以、没办法"


# -------------------------------------------------------------- response_latency


def test_reply_exactly_at_the_limit_passes():
    assert (
        status(GENERAL, "[00:00] 客户: 在吗\n[00:20] 客服: 您好", "latency.first_response")[0]
        == "pass"
    )
    assert (
        status(GENERAL, "[00:00] 客户: 在吗\n[00:21] 客服: 您好", "latency.first_response")[0]
        == "violation"
    )


def test_a_burst_of_customer_messages_is_timed_from_its_first_message():
    burst = "[00:00] 客服: 您好\n[00:10] 客户: 在吗\n[00:30] 客户: 人呢\n[00:45] 客服: 在的"
    st, findings = status(GENERAL, burst, "latency.reply")
    # 35 s from the first message of the block (00:10), not 15 s from the last
    assert st == "pass"  # later replies only: this is the first response
    st, findings = status(GENERAL, burst, "latency.first_response")
    assert st == "violation" and findings[0].matched == "35s" and findings[0].turn_index == 3


def test_system_turns_neither_open_nor_close_a_block():
    text = "[00:00] 客户: 在吗\n[00:10] 系统: 正在为您转接\n[00:18] 客服: 您好"
    assert status(GENERAL, text, "latency.first_response")[0] == "pass"
    text = "[00:00] 系统: 客服已接入\n[01:00] 客户: 在吗\n[01:05] 客服: 您好"
    assert status(GENERAL, text, "latency.first_response")[0] == "pass"


def test_closing_thanks_after_the_last_agent_message_needs_no_reply():
    text = "[00:00] 客户: 在吗\n[00:05] 客服: 您好\n[00:10] 客户: 好的谢谢"
    assert status(GENERAL, text, "latency.reply")[0] == "pass"


def test_agent_who_never_speaks_breaks_the_first_response():
    st, findings = status(
        GENERAL, "[00:00] 客户: 在吗\n[00:30] 客户: 人呢", "latency.first_response"
    )
    assert st == "violation" and findings[0].turn_index == 0


def test_latency_is_na_without_timestamps():
    assert status(GENERAL, "客户: 在吗\n客服: 您好", "latency.first_response")[0] == "na"


def test_late_replies_each_deduct_up_to_the_cap():
    turns = ["[00:00] 客户: 在吗", "[00:05] 客服: 您好"]
    t = 5
    for _ in range(8):  # eight replies each 60 s late: 8 x 2 = 16, capped at 10
        turns += [
            f"[{(t + 5) // 60:02d}:{(t + 5) % 60:02d}] 客户: 然后呢",
            f"[{(t + 65) // 60:02d}:{(t + 65) % 60:02d}] 客服: 稍等",
        ]
        t += 65
    result = score(parse_example("\n".join(turns)), GENERAL.only("latency.reply"))
    assert len(result.findings) == 8
    assert result.rule_results[0].deducted == 10
    assert result.score == 90


# -------------------------------------------------------------- empathy_on_trigger


def test_complaint_answered_without_empathy():
    st, findings = status(GENERAL, "客户: 太慢了，我要投诉\n客服: 单号多少", "empathy.complaint")
    assert st == "violation" and findings[0].turn_index == 1


def test_several_complaint_turns_before_one_reply_are_one_occasion():
    text = "客户: 太慢了\n客户: 我要投诉\n客户: 差评\n客服: 单号多少"
    _, findings = status(GENERAL, text, "empathy.complaint")
    assert len(findings) == 1


EMPATHY_EACH = """
- id: e
  title: 安抚
  check: empathy_on_trigger
  triggers: [太慢了, 投诉]
  phrases: [抱歉]
  agent_turns: 1
  once: {once}
  deduct: 5
  examples:
    - violates: |
        客户: 太慢了
        客服: 单号多少
    - passes: |
        客户: 太慢了
        客服: 抱歉
"""


def test_a_later_complaint_is_a_new_occasion_unless_once():
    text = "客户: 太慢了\n客服: 非常抱歉让您久等\n客户: 还没到，我要投诉\n客服: 单号多少"
    _, findings = status(one_rule(EMPATHY_EACH.format(once="false")), text)
    assert [f.turn_index for f in findings] == [3]
    # once: the first complaint was met; the second is the same grievance going on
    assert status(one_rule(EMPATHY_EACH.format(once="true")), text)[0] == "pass"
    assert status(GENERAL, text, "empathy.complaint")[0] == "pass"  # general judges once


def test_unanswered_complaint_is_a_violation():
    st, findings = status(GENERAL, "客服: 您好\n客户: 什么破服务，差评", "empathy.complaint")
    assert st == "violation" and findings[0].turn_index == 1


def test_traditional_complaint_and_empathy():
    text = "客戶: 太慢了，我要投訴\n客服: 非常理解您的心情，給您添麻煩了"
    assert status(GENERAL, text, "empathy.complaint")[0] == "pass"


# -------------------------------------------------------------- scoring and attribution


def test_transfer_findings_belong_to_the_agent_who_spoke():
    conv = Conversation(
        "c1",
        "chat",
        "A1",
        [
            Turn("customer", "在吗", agent_id=None),
            Turn("agent", "您好", agent_id="A1"),
            Turn("system", "会话已转接"),
            Turn("customer", "怎么还不退款"),
            Turn("agent", "这个我们不能退", agent_id="A2"),
        ],
    )
    result = score(conv, GENERAL.only("language.refusal"))
    assert [f.agent_id for f in result.findings] == ["A2"]


def test_flag_rule_marks_for_review_without_deducting():
    pack = one_rule("""
    - id: risk.complaint
      title: 投诉风险
      check: forbidden_phrase
      speaker: customer
      phrases: [投诉, "12315"]
      flag: true
      examples:
        - violates: "客户: 我要投诉"
        - passes: "客户: 你好"
    """)
    result = score(parse_example("客户: 我要打12315投诉你们\n客服: 您好"), pack)
    assert result.flagged and result.score == 100 and result.passed
    assert result.rule_results[0].status == "flag"
    assert result.findings[0].kind == "flag"


def test_pass_mark_is_inclusive():
    pack = one_rule(
        """
    - id: refusal
      title: 拒绝
      check: forbidden_phrase
      phrases: [不行]
      deduct: 20
      examples:
        - violates: "客服: 不行"
        - passes: "客服: 可以"
    """,
        scoring="{base: 100, pass_mark: 80}",
    )
    result = score(parse_example("客服: 不行"), pack)
    assert result.score == 80 and result.passed
    result = score(parse_example("客服: 不行\n客服: 不行"), pack)
    assert result.score == 60 and not result.passed


# -------------------------------------------------------------- regex

ORDER_NUMBER = one_rule("""
- id: privacy.card
  title: 索要银行卡密码
  check: regex
  patterns: ['(银行卡|卡)的?密码']
  exceptions: [不要告诉任何人密码]
  deduct: 10
  examples:
    - violates: "客服: 请告诉我您的银行卡密码"
    - passes: "客服: 请不要告诉任何人密码"
""")


def test_regex_matches_normalised_text():
    st, findings = status(ORDER_NUMBER, "客服: 請提供您的銀行卡密碼")
    assert st == "violation" and findings[0].matched == "银行卡密码"
    assert status(ORDER_NUMBER, "客服: 您好")[0] == "pass"


def test_regex_that_does_not_compile_is_a_pack_problem():
    from cs_qa.packs.problems import PackError

    with pytest.raises(PackError, match="does not compile"):
        one_rule("""
        - id: x
          title: x
          check: regex
          patterns: ['(unclosed']
          deduct: 1
          examples:
            - violates: "客服: a"
            - passes: "客服: b"
        """)


def test_every_explanation_label_is_in_every_report_language():
    from cs_qa.checks import LANGUAGES, all_checks
    from cs_qa.reports.i18n import LABELS

    assert set(LANGUAGES) == set(LABELS)
    codes = [code for check in all_checks().values() for code in check.labels]
    assert len(codes) == len(set(codes)) >= 18  # one check per code
    for check in all_checks().values():
        for code, texts in check.labels.items():
            assert all(texts[lang] for lang in LANGUAGES), (check.name, code)


def test_a_label_without_a_language_fails_at_registration():
    from cs_qa.checks import REGISTRY, CheckParams, register

    with pytest.raises(ValueError, match="label 'gap' has no zh text"):
        register("test_half_labelled", CheckParams, labels={"gap": {"en": "a gap"}})
    with pytest.raises(ValueError, match="label 'silence' belongs to another check"):
        register("test_taken_label", CheckParams, labels={"silence": {"zh": "冷场", "en": "x"}})(
            lambda conv, rule: []
        )
    assert "test_half_labelled" not in REGISTRY and "test_taken_label" not in REGISTRY
