"""Behaviour of the text-shape check types (short_reply, repetition, sequence, flag), on
one-rule packs and conversations in the example notation."""

from __future__ import annotations

import pytest
from packs import one_rule, status

from cs_qa.packs.evaluate import score
from cs_qa.packs.notation import parse_example
from cs_qa.packs.problems import PackError


def lines(*turns: str) -> str:
    return "\n".join(turns)


# -------------------------------------------------------------- short_reply

SHORT_REPLY = one_rule("""
- id: attitude.short_reply
  title: 惜字如金
  check: short_reply
  replies: [嗯, 哦, 在, 好, ok]
  deduct: 2
  examples:
    - violates: |
        客户: 这个能用多久
        客服: 嗯
    - passes: |
        客户: 这个能用多久
        客服: 正常使用可以用三年左右哦
""")


@pytest.mark.parametrize(
    ("reply", "bare"),
    [
        ("嗯", "嗯"),
        ("嗯嗯～", "嗯"),
        ("嗯。", "嗯"),
        ("嗯 嗯 嗯 ！！", "嗯"),
        ("哦~~", "哦"),
        ("哦哦…", "哦"),
        ("在？", "在"),
        ("好😊", "好"),
        ("OK!", "ok"),
        ("ｏｋ～", "ok"),
        ("Okk", "ok"),
    ],
)
def test_a_bare_reply_with_marks_and_repeats_is_a_finding(reply, bare):
    st, findings = status(SHORT_REPLY, f"客户: 这个能用多久\n客服: {reply}")
    assert st == "violation"
    assert findings[0].turn_index == 1 and findings[0].matched == bare
    assert findings[0].evidence == reply


@pytest.mark.parametrize(
    "reply",
    [
        "嗯，正常使用可以用三年",
        "嗯嗯好的亲，马上给您发货",
        "在的亲，请问有什么可以帮您",
        "好的",
        "哦，我帮您查一下",
    ],
)
def test_a_longer_reply_containing_a_short_word_is_not_flagged(reply):
    assert status(SHORT_REPLY, f"客户: 这个能用多久\n客服: {reply}") == ("pass", [])


def test_traditional_short_reply_matches_a_simplified_list():
    pack = one_rule("""
    - id: short
      title: 惜字如金
      check: short_reply
      replies: [这样, 对啊]
      deduct: 2
      examples:
        - violates: "客服: 这样"
        - passes: "客服: 这样的话您可以先退款"
    """)
    st, findings = status(pack, "客戶: 怎麼辦\n客服: 這樣～\n客服: 對啊對啊")
    assert st == "violation"
    assert [(f.turn_index, f.matched) for f in findings] == [(1, "这样"), (2, "对啊")]


def test_a_list_phrase_with_repeats_and_marks_is_compared_the_same_way():
    pack = one_rule("""
    - id: short
      title: 惜字如金
      check: short_reply
      replies: ["嗯嗯～", "哦。"]
      deduct: 2
      examples:
        - violates: "客服: 嗯"
        - passes: "客服: 嗯，可以的"
    """)
    _, findings = status(pack, "客服: 嗯\n客服: 哦哦\n客服: 可以")
    assert [f.turn_index for f in findings] == [0, 1]


def test_short_reply_only_counts_the_rules_speaker_and_is_never_na():
    assert status(SHORT_REPLY, "客户: 嗯\n客服: 好的，马上为您处理") == ("pass", [])
    assert status(SHORT_REPLY, "客户: 在吗")[0] == "pass"


def test_an_emoticon_only_reply_is_not_a_short_word():
    assert status(SHORT_REPLY, "客户: 谢谢\n客服: ～～😊")[0] == "pass"


# -------------------------------------------------------------- repetition

REPETITION = one_rule("""
- id: attitude.repetition
  title: 重复机械回复
  check: repetition
  deduct: 3
  examples:
    - violates: |
        客服: 亲，请您耐心等待哦
        客户: 到底什么时候发
        客服: 亲，请您耐心等待哦
        客户: ？？
        客服: 亲，请您耐心等待哦
    - passes: |
        客服: 亲，请您耐心等待哦
        客户: 到底什么时候发
        客服: 已经帮您催促仓库，今天下午发出
""")

CANNED = "亲，请您耐心等待哦"


def test_the_same_text_at_min_count_is_one_finding_at_its_third_occurrence():
    text = lines(
        f"客服: {CANNED}",
        "客户: 到底什么时候发",
        f"客服: {CANNED}",
        "客户: ？？",
        f"客服: {CANNED}",
    )
    st, findings = status(REPETITION, text)
    assert st == "violation"
    assert [f.turn_index for f in findings] == [4]
    assert findings[0].matched == "亲请您耐心等待哦"


def test_one_less_than_min_count_passes():
    text = lines(f"客服: {CANNED}", "客户: 到底什么时候发", f"客服: {CANNED}")
    assert status(REPETITION, text) == ("pass", [])


def test_repeats_compare_normalised_text_without_punctuation():
    text = lines(
        "客服: 亲，请您耐心等待哦",
        "客服: 親 請您耐心等待哦！",
        "客服: 亲。请您 耐心等待哦～",
        "客服: 亲，请您耐心等待哦",
    )
    _, findings = status(REPETITION, text)
    assert [f.turn_index for f in findings] == [2]  # one finding per text, not per repeat
    assert findings[0].detail == "sent 4 times in this conversation"


def test_a_greeting_said_twice_is_fine():
    text = lines(
        "客服: 您好，很高兴为您服务",
        "客户: 在吗",
        "客服: 您好，很高兴为您服务",
        "客户: 这个怎么用",
        "客服: 按住开关三秒开机",
    )
    assert status(REPETITION, text)[0] == "pass"


def test_short_texts_are_ignored():
    text = lines("客服: 好的", "客服: 好的", "客服: 好的", "客服: 好的")
    assert status(REPETITION, text)[0] == "pass"
    exactly_four = lines("客服: 稍等一下", "客服: 稍等一下", "客服: 稍等一下")
    assert status(REPETITION, exactly_four)[0] == "violation"


def test_each_repeated_text_is_its_own_finding_and_long_text_is_truncated():
    long = "非常抱歉给您带来不便，我们已经为您登记了加急处理，请您耐心等待快递员的电话联系"
    pack = one_rule("""
    - id: rep
      title: 重复
      check: repetition
      min_count: 2
      min_chars: 2
      deduct: 1
      examples:
        - violates: "客服: 好的\\n客服: 好的"
        - passes: "客服: 好的\\n客服: 稍等"
    """)
    text = lines(f"客服: {long}", "客服: 好的", f"客服: {long}", "客服: 好的", "客户: 好的")
    _, findings = status(pack, text)
    assert [f.turn_index for f in findings] == [2, 3]
    assert findings[0].matched == long.replace("，", "")[:30]
    assert findings[1].matched == "好的"


# -------------------------------------------------------------- sequence

ABUSE_SCRIPT = one_rule("""
- id: abuse.script
  title: 辱骂应对流程
  check: sequence
  trigger: [他妈的, 傻逼, 混蛋, 你有病]
  steps:
    - [文明用语]
    - [录音, 自重]
    - [再见, 结束通话]
  deduct: 5
  examples:
    - violates: |
        客户: 他妈的什么破东西
        客服: 请问有什么问题
    - passes: |
        客户: 他妈的什么破东西
        客服: 为了更好的沟通，请您尽可能使用文明用语
        客户: 傻逼
        客服: 我们的通话有24小时录音记录，请您自重
        客户: 混蛋
        客服: 感谢您的来电，再见
""")

STEP1 = "客服: 为了更好的沟通和尽快解决您的问题，请您尽可能使用文明用语"
STEP2 = "客服: 您好，我们对与您的通话会有24小时录音记录，请您自重"
STEP3 = "客服: 很抱歉，由于系统繁忙，感谢您的来电，祝您身体健康，再见"


def test_the_complete_script_in_order_passes():
    text = lines("客户: 他妈的还不发货", STEP1, "客户: 傻逼", STEP2, "客户: 混蛋", STEP3)
    assert status(ABUSE_SCRIPT, text) == ("pass", [])


def test_a_missing_step_is_a_finding_at_the_first_reply():
    text = lines("客户: 他妈的还不发货", "客服: 请问订单号是多少", STEP1, "客户: 傻逼", STEP3)
    st, findings = status(ABUSE_SCRIPT, text)
    assert st == "violation" and len(findings) == 1
    assert findings[0].turn_index == 1
    assert findings[0].matched == "他妈的"
    assert findings[0].detail == "missing step 2 (录音…)"


def test_steps_out_of_order_are_a_finding():
    text = lines("客户: 他妈的还不发货", STEP2, "客户: 傻逼", STEP1, "客户: 混蛋", STEP3)
    st, findings = status(ABUSE_SCRIPT, text)
    assert st == "violation"
    assert findings[0].turn_index == 1
    assert findings[0].detail.startswith("step 2 (录音…) out of order")


def test_steps_in_one_turn_in_order_pass_and_reversed_do_not():
    in_order = "客服: 请您使用文明用语，通话有录音请您自重，再见"
    assert status(ABUSE_SCRIPT, lines("客户: 你有病吧", in_order))[0] == "pass"
    reversed_ = "客服: 通话有录音请您自重，请您使用文明用语，再见"
    st, findings = status(ABUSE_SCRIPT, lines("客户: 你有病吧", reversed_))
    assert st == "violation" and "step 2" in findings[0].detail


def test_a_trigger_with_no_agent_reply_is_a_finding_at_the_trigger():
    st, findings = status(ABUSE_SCRIPT, lines("客服: 您好", "客户: 傻逼"))
    assert st == "violation"
    assert findings[0].turn_index == 1 and findings[0].matched == "傻逼"


def test_steps_must_come_within_the_agent_turns_window():
    late = lines(
        "客户: 他妈的还不发货",
        STEP1,
        *["客服: 请问订单号是多少"] * 6,
        STEP2,
        STEP3,
    )
    assert status(ABUSE_SCRIPT, late)[0] == "violation"


def test_several_triggers_before_the_script_are_one_occasion():
    text = lines(
        "客户: 他妈的",
        "客户: 傻逼",
        "客服: 请问有什么问题",
        "客户: 混蛋",
        "客服: 您说",
    )
    st, findings = status(ABUSE_SCRIPT, text)
    assert st == "violation" and [f.turn_index for f in findings] == [2]


def test_a_trigger_after_a_complete_script_is_a_new_occasion():
    text = lines(
        "客户: 他妈的还不发货",
        STEP1,
        STEP2,
        STEP3,
        "客户: 还没完，傻逼",
        "客服: 请问还有什么问题",
    )
    st, findings = status(ABUSE_SCRIPT, text)
    assert st == "violation"
    assert [f.turn_index for f in findings] == [5]
    assert findings[0].matched == "傻逼"
    assert findings[0].detail == "missing step 1 (文明用语)"


def test_two_incomplete_occasions_are_two_findings():
    text = lines(
        "客户: 他妈的还不发货",
        "客服: 请问订单号",
        "客户: 123",
        "客服: 已经发货了",
        "客户: 好吧",
        "客户: 混蛋，快递员也不接电话",
        "客服: 我帮您联系",
    )
    pack = one_rule("""
    - id: abuse.script
      title: 辱骂应对流程
      check: sequence
      trigger: [他妈的, 混蛋]
      steps: [[文明用语], [录音]]
      agent_turns: 2
      deduct: 5
      examples:
        - violates: "客户: 混蛋\\n客服: 您说"
        - passes: "客户: 混蛋\\n客服: 请文明用语，通话有录音"
    """)
    _, findings = status(pack, text)
    assert [(f.turn_index, f.matched) for f in findings] == [(1, "他妈的"), (6, "混蛋")]


def test_an_unanswered_trigger_after_a_complete_script_is_not_held_against_the_agent():
    text = lines("客户: 他妈的还不发货", STEP1, STEP2, STEP3, "客户: 傻逼")
    assert status(ABUSE_SCRIPT, text)[0] == "pass"


def test_sequence_is_na_without_a_trigger_and_only_the_trigger_speaker_triggers():
    assert status(ABUSE_SCRIPT, "客户: 什么时候发货\n客服: 今天发")[0] == "na"
    assert status(ABUSE_SCRIPT, "客服: 请不要说他妈的\n客户: 好")[0] == "na"


def test_traditional_trigger_and_script():
    text = lines(
        "客戶: 混蛋，還不發貨",
        "客服: 請您盡可能使用文明用語",
        "客服: 通話有錄音，請您自重",
        "客服: 感謝您的來電，再見",
    )
    assert status(ABUSE_SCRIPT, text)[0] == "pass"


def test_a_sequence_needs_at_least_one_step():
    with pytest.raises(PackError, match="steps"):
        one_rule("""
        - id: x
          title: x
          check: sequence
          trigger: [混蛋]
          steps: []
          deduct: 1
          examples:
            - violates: "客户: 混蛋"
            - passes: "客户: 你好"
        """)


# -------------------------------------------------------------- flag

COMPLAINT_RISK = one_rule("""
- id: risk.complaint
  title: 投诉风险
  check: flag
  speaker: customer
  phrases: [投诉, "12315", 差评, 曝光, 媒体]
  exceptions: [不投诉]
  flag: true
  examples:
    - violates: "客户: 再不处理我就打12315"
    - passes: "客户: 好的谢谢"
""")


def test_a_flag_rule_marks_for_review_without_deducting():
    result = score(
        parse_example("客户: 你们再不退款我就去投诉\n客服: 非常抱歉\n客户: 还要给差评"),
        COMPLAINT_RISK,
    )
    assert result.flagged and result.score == 100 and result.passed
    assert result.rule_results[0].status == "flag" and result.rule_results[0].deducted == 0
    assert [(f.turn_index, f.kind, f.deduct) for f in result.findings] == [
        (0, "flag", 0),
        (2, "flag", 0),
    ]


def test_flag_matches_like_forbidden_phrase():
    st, findings = status(COMPLAINT_RISK, "客戶: 我要找媒體曝光你們")
    assert st == "flag" and findings[0].matched == "媒体、曝光"
    assert status(COMPLAINT_RISK, "客户: 算了我不投诉了")[0] == "pass"
    assert status(COMPLAINT_RISK, "客户: 你好\n客服: 您可以去投诉")[0] == "pass"
    assert not score(parse_example("客户: 好的谢谢"), COMPLAINT_RISK).flagged


def test_a_flag_check_without_flag_true_is_a_pack_problem():
    with pytest.raises(PackError, match="flag: true"):
        one_rule("""
        - id: risk.complaint
          title: 投诉风险
          check: flag
          speaker: customer
          phrases: [投诉]
          deduct: 5
          examples:
            - violates: "客户: 我要投诉"
            - passes: "客户: 你好"
        """)


# -------------------------------------------------------------- the packs' own examples


@pytest.mark.parametrize("pack", [SHORT_REPLY, REPETITION, ABUSE_SCRIPT, COMPLAINT_RISK])
def test_each_rule_here_keeps_its_own_examples(pack):
    from cs_qa.packs.examples import run_examples

    outcomes = run_examples(pack)
    assert {o.example.kind for o in outcomes} == {"violates", "passes"}
    assert [o.test_id for o in outcomes if not o.ok] == []


def test_a_backchannel_said_over_the_customer_is_not_a_short_reply():
    from cs_qa.packs.loader import load_pack

    pack = load_pack(None).only("language.short_reply")
    listening = (
        "# channel: call\n[00:05-00:15] 客户: 我的宽带从昨天开始就断了\n[00:08-00:09] 客服: 嗯"
    )
    assert score(parse_example(listening), pack).rule_results[0].status == "pass"
    answering = (
        "# channel: call\n[00:05-00:15] 客户: 我的宽带从昨天开始就断了\n[00:16-00:17] 客服: 嗯"
    )
    assert score(parse_example(answering), pack).rule_results[0].status == "violation"
