"""Behaviour of the call check types (hold, silence, interruption, speech_rate) on
conversations in the example notation (`[mm:ss-mm:ss]` gives a turn's start and end)."""

from __future__ import annotations

from packs import one_rule, status

from cs_qa.checks import get
from cs_qa.core.normalize import spoken_chars


def test_the_call_checks_are_registered_and_documented():
    for name in ("hold", "silence", "interruption", "speech_rate"):
        check = get(name)
        assert check is not None and len(check.doc) > 100


# -------------------------------------------------------------------------- hold

HOLD = one_rule("""
- id: call.hold
  title: 等待规范
  check: hold
  channel: call
  phrases: [请您稍等, 为您查询, 我帮您查一下]
  return_phrases: [久等了, 感谢您的耐心等待, 感谢您的等待]
  exceptions: [为您查询到]
  deduct: 3
  examples:
    - violates: |
        # channel: call
        [00:00-00:03] 客服: 请您稍等，我帮您查一下
        [00:45-00:48] 客服: 您的订单已发货
    - passes: |
        # channel: call
        [00:00-00:03] 客服: 请您稍等
        [00:20-00:24] 客服: 让您久等了，订单已发货
""")


def hold_call(back_at: str, back_text: str = "让您久等了，订单已发货") -> str:
    return f"""\
        # channel: call
        [00:00-00:02] 客户: 帮我查下订单
        [00:02-00:05] 客服: 好的，请您稍等，我为您查询一下
        [{back_at}-01:30] 客服: {back_text}
        [01:31-01:32] 客户: 好的
        """


def test_hold_of_exactly_the_limit_passes_and_one_second_more_fails():
    assert status(HOLD, hold_call("00:35"))[0] == "pass"
    st, findings = status(HOLD, hold_call("00:36"))
    assert st == "violation"
    assert findings[0].turn_index == 2 and findings[0].matched == "31s"
    assert "limit 30 s" in findings[0].detail


def test_long_hold_is_measured_from_the_end_of_the_hold_turn():
    st, findings = status(HOLD, hold_call("00:50"))
    assert st == "violation" and findings[0].matched == "45s"


def test_short_hold_needs_no_thanks_for_waiting():
    assert status(HOLD, hold_call("00:15", "订单已发货"))[0] == "pass"  # exactly 10 s


def test_hold_over_ten_seconds_without_thanks_is_a_violation():
    st, findings = status(HOLD, hold_call("00:16", "订单已发货"))
    assert st == "violation" and findings[0].turn_index == 2
    assert findings[0].matched == "11s" and "no thanks for waiting" in findings[0].detail
    assert "limit" not in findings[0].detail


def test_long_hold_with_thanks_passes():
    assert status(HOLD, hold_call("00:28", "感谢您的耐心等待，订单已发货"))[0] == "pass"


def test_too_long_and_no_thanks_is_one_finding():
    _, findings = status(HOLD, hold_call("01:00", "订单已发货"))
    assert len(findings) == 1
    assert "limit" in findings[0].detail and "no thanks" in findings[0].detail


def test_decimal_times():
    text = "# channel: call\n[00:00.5-00:03.5] 客服: 请您稍等\n[00:33.5-00:40] 客服: 久等了"
    assert status(HOLD, text)[0] == "pass"
    text = "# channel: call\n[00:00.5-00:03.5] 客服: 请您稍等\n[00:34-00:40] 客服: 久等了"
    st, findings = status(HOLD, text)
    assert st == "violation" and findings[0].matched == "30.5s"


def test_hold_never_returned():
    text = """\
        # channel: call
        [00:00-00:02] 客户: 帮我查下订单
        [00:02-00:05] 客服: 请您稍等，我帮您查一下
        [01:30-01:32] 客户: 喂？还在吗？
        """
    st, findings = status(HOLD, text)
    assert st == "violation"
    assert findings[0].turn_index == 1 and findings[0].matched == "never came back"


def test_a_return_that_holds_again_starts_a_new_hold():
    text = """\
        # channel: call
        [00:00-00:03] 客服: 请您稍等
        [00:20-00:24] 客服: 让您久等了，还在查，请您稍等
        [00:50-00:54] 客服: 订单已发货
        """
    st, findings = status(HOLD, text)
    assert st == "violation" and [f.turn_index for f in findings] == [2]
    assert findings[0].matched == "26s"


def test_hold_is_na_without_a_hold_or_without_times():
    assert status(HOLD, "# channel: call\n[00:00-00:03] 客服: 您好\n[00:50-00:52] 客服: 好的")[
        0
    ] == ("na")
    assert status(HOLD, "# channel: call\n客服: 请您稍等\n客服: 订单已发货")[0] == "na"
    # an exception covering the phrase: 为您查询到 is an answer, not a hold
    text = "# channel: call\n[00:00-00:03] 客服: 为您查询到订单\n[00:50-00:52] 客服: 好的"
    assert status(HOLD, text)[0] == "na"


def test_hold_works_on_start_times_only():
    # no end: the hold starts at the start of the hold turn (chat with timestamps)
    chat_hold = one_rule("""
    - id: chat.hold
      title: 等待规范
      check: hold
      phrases: [请稍等]
      return_phrases: [久等了]
      deduct: 3
      examples:
        - violates: "[00:00] 客服: 请稍等\\n[00:31] 客服: 好了"
        - passes: "[00:00] 客服: 请稍等\\n[00:30] 客服: 久等了"
    """)
    assert status(chat_hold, "[00:00] 客服: 请稍等\n[00:10] 客户: 好\n[00:30] 客服: 久等了")[0] == (
        "pass"
    )
    assert status(chat_hold, "[00:00] 客服: 请稍等\n[00:31] 客服: 久等了")[0] == "violation"


# -------------------------------------------------------------------------- silence

SILENCE = one_rule("""
- id: call.silence
  title: 静默
  check: silence
  channel: call
  hold_phrases: [请您稍等]
  deduct: 2
  examples:
    - violates: |
        # channel: call
        [00:00-00:02] 客户: 喂
        [00:15-00:17] 客服: 您好
    - passes: |
        # channel: call
        [00:00-00:02] 客户: 喂
        [00:03-00:05] 客服: 您好
""")


def test_silence_exactly_at_the_limit_passes_and_longer_fails():
    text = "# channel: call\n[00:00-00:02] 客户: 喂\n[00:{:02d}-00:30] 客服: 您好"
    assert status(SILENCE, text.format(12))[0] == "pass"
    st, findings = status(SILENCE, text.format(16))
    assert st == "violation"
    assert findings[0].turn_index == 1 and findings[0].matched == "14s"


def test_silence_counts_every_speaker_and_system_turns_break_it():
    text = """\
        # channel: call
        [00:00-00:02] 客服: 您好
        [00:20-00:22] 客户: 喂？
        """
    st, findings = status(SILENCE, text)
    assert st == "violation" and findings[0].turn_index == 1 and findings[0].matched == "18s"
    text = """\
        # channel: call
        [00:00-00:02] 客服: 您好
        [00:09-00:12] 系统: 正在录音
        [00:20-00:22] 客户: 喂？
        """
    assert status(SILENCE, text)[0] == "pass"


def test_announced_hold_is_not_silence():
    text = """\
        # channel: call
        [00:00-00:03] 客服: 好的，请您稍等
        [00:40-00:44] 客服: 让您久等了
        [01:05-01:06] 客户: 好
        """
    st, findings = status(SILENCE, text)
    assert st == "violation" and [f.turn_index for f in findings] == [2]  # 21 s, not 37 s


def test_a_hold_announced_by_the_customer_is_still_silence():
    text = "# channel: call\n[00:00-00:03] 客户: 请您稍等\n[00:40-00:44] 客服: 好的"
    assert status(SILENCE, text)[0] == "violation"


def test_speech_running_under_a_short_segment_is_not_silence():
    # the customer talks 00:00-00:20; the agent's 嗯 at 00:05 is inside that
    text = """\
        # channel: call
        [00:00-00:20] 客户: 我上周买的那个东西到现在还没有发货你们到底怎么回事
        [00:05-00:06] 客服: 嗯
        [00:21-00:24] 客服: 非常抱歉，我马上为您处理
        """
    assert status(SILENCE, text)[0] == "pass"


def test_silence_without_ends_measures_start_to_start():
    assert status(SILENCE, "# channel: call\n[00:00] 客户: 在吗\n[00:10] 客服: 在的")[0] == "pass"
    assert (
        status(SILENCE, "# channel: call\n[00:00] 客户: 在吗\n[00:11] 客服: 在的")[0] == "violation"
    )


def test_silence_is_na_without_times():
    assert status(SILENCE, "# channel: call\n客户: 喂\n客服: 您好")[0] == "na"


# -------------------------------------------------------------------------- interruption

INTERRUPTION = one_rule("""
- id: call.interruption
  title: 抢话
  check: interruption
  channel: call
  deduct: 2
  examples:
    - violates: |
        # channel: call
        [00:00-00:08] 客户: 我想问一下那个订单的事情就是上周那个
        [00:05-00:09] 客服: 您先听我说，订单号是多少
    - passes: |
        # channel: call
        [00:00-00:08] 客户: 我想问一下那个订单的事情就是上周那个
        [00:08-00:12] 客服: 好的，请您提供一下订单号
""")

CUSTOMER = "[00:00-00:08] 客户: 我想问一下那个订单的事情就是上周那个"


def test_talking_over_the_customer_is_a_violation():
    text = f"# channel: call\n{CUSTOMER}\n[00:05.5-00:09] 客服: 您先听我说，订单号是多少"
    st, findings = status(INTERRUPTION, text)
    assert st == "violation"
    assert findings[0].turn_index == 1 and findings[0].matched == "2.5s"


def test_overlap_exactly_the_minimum_is_a_violation():
    text = f"# channel: call\n{CUSTOMER}\n[00:06-00:09] 客服: 您先听我说，订单号是多少"
    assert status(INTERRUPTION, text)[0] == "violation"


def test_overlap_is_bounded_by_the_interrupting_turns_own_end():
    # starts at 00:02 but stops at 00:03.5: 1.5 s over the customer, not 6 s
    text = f"# channel: call\n{CUSTOMER}\n[00:02-00:03.5] 客服: 您先听我说\n"
    assert status(INTERRUPTION, text)[0] == "pass"


def test_touching_segments_do_not_overlap():
    text = f"# channel: call\n{CUSTOMER}\n[00:08-00:12] 客服: 好的，请您提供一下订单号"
    assert status(INTERRUPTION, text)[0] == "pass"


def test_short_overlap_passes_at_the_default_minimum():
    text = f"# channel: call\n{CUSTOMER}\n[00:06.5-00:10] 客服: 好的，请您提供一下订单号"
    assert status(INTERRUPTION, text)[0] == "pass"  # 1.5 s


def test_backchannel_under_the_customer_is_fine():
    for backchannel in ("嗯嗯", "嗯，好的！", "好 的 好"):
        text = f"# channel: call\n{CUSTOMER}\n[00:02-00:05] 客服: {backchannel}"
        assert status(INTERRUPTION, text)[0] == "pass"
    # four characters (punctuation and spaces do not count) are speech, not a backchannel
    text = f"# channel: call\n{CUSTOMER}\n[00:02-00:05] 客服: 嗯嗯，好 的！"
    assert status(INTERRUPTION, text)[0] == "violation"


def test_a_customer_talking_over_the_agent_is_not_the_agents_fault():
    text = """\
        # channel: call
        [00:00-00:08] 客服: 您好，这里是客服中心，请问有什么可以帮您
        [00:03-00:09] 客户: 我要投诉你们那个快递
        """
    assert status(INTERRUPTION, text)[0] == "pass"


def test_interruption_is_na_without_end_times():
    start_only = "# channel: call\n[00:00] 客户: 我想问一下\n[00:02] 客服: 您先听我说"
    assert status(INTERRUPTION, start_only)[0] == "na"
    untimed = "# channel: call\n客户: 我想问一下\n客服: 您先听我说"
    assert status(INTERRUPTION, untimed)[0] == "na"


# -------------------------------------------------------------------------- speech_rate

SPEECH_RATE = one_rule("""
- id: call.speech_rate
  title: 语速过快
  check: speech_rate
  channel: call
  deduct: 2
  examples:
    - violates: |
        # channel: call
        [00:00-00:03] 客服: 您好这里是星联通信客户服务中心工号一二三四很高兴为您服务
    - passes: |
        # channel: call
        [00:00-00:08] 客服: 您好这里是星联通信客户服务中心工号一二三四很高兴为您服务
""")

# 28 characters (punctuation and spaces do not count)
GREETING = "您好，这里是星联通信客户服务中心，工号 一二三四，很高兴为您服务！"


def test_speech_rate_counts_characters_not_punctuation():
    assert spoken_chars(GREETING) == 28


def test_turn_exactly_at_the_limit_passes_and_faster_fails():
    assert status(SPEECH_RATE, f"# channel: call\n[00:00-00:06] 客服: {GREETING}")[0] == "pass"
    st, findings = status(SPEECH_RATE, f"# channel: call\n[00:00-00:05] 客服: {GREETING}")
    assert st == "violation"
    assert findings[0].turn_index == 0 and findings[0].matched == "336字/分"
    assert "whole call" not in findings[0].detail


def test_each_fast_turn_is_a_finding_and_the_customer_is_not_judged():
    text = f"""\
        # channel: call
        [00:00-00:05] 客服: {GREETING}
        [00:05-00:06] 客户: {GREETING}
        [00:06-00:20] 客服: {GREETING}
        [00:20-00:24] 客服: {GREETING}
        """
    _, findings = status(SPEECH_RATE, text)
    assert [f.turn_index for f in findings] == [0, 3]


def test_short_fast_turns_are_judged_over_the_whole_call():
    # each agent turn is ~300 a minute, but under 15 characters: too short to judge alone
    text = """\
        # channel: call
        [00:00-00:02] 客服: 您好，请问您是本人吗？
        [00:03-00:05] 客户: 是的
        [00:05-00:07] 客服: 请问您的手机号是多少
        [00:09-00:11.8] 客服: 好的，您的手机号是尾号八八的吗
        """
    st, findings = status(SPEECH_RATE, text)
    assert st == "violation" and len(findings) == 1
    assert findings[0].turn_index == 3  # the longest turn
    # 33 characters in 6.8 s
    assert findings[0].detail.startswith("whole call") and findings[0].matched == "291字/分"


def test_slow_enough_over_the_whole_call_passes():
    text = """\
        # channel: call
        [00:00-00:03] 客服: 您好请问您是本人吗
        [00:03-00:05] 客户: 是的
        [00:05-00:07] 客服: 请问您的手机号是多少
        """
    assert status(SPEECH_RATE, text)[0] == "pass"  # 20 characters in 5 s = 240


def test_whole_call_is_not_repeated_when_a_turn_was_already_too_fast():
    text = f"""\
        # channel: call
        [00:00-00:05] 客服: {GREETING}
        [00:05-00:07] 客服: 请问您的手机号是多少
        """
    _, findings = status(SPEECH_RATE, text)
    assert [f.detail.startswith("whole call") for f in findings] == [False]


def test_speech_rate_is_na_without_durations():
    assert (
        status(SPEECH_RATE, f"# channel: call\n[00:00] 客服: {GREETING}\n[00:05] 客户: 好")[0]
        == "na"
    )
    assert status(SPEECH_RATE, f"# channel: call\n客服: {GREETING}")[0] == "na"
    # the customer's turns have times, the agent's has none that lasts
    text = f"# channel: call\n[00:00-00:05] 客户: {GREETING}\n[00:05-00:05] 客服: 好的"
    assert status(SPEECH_RATE, text)[0] == "na"


def test_interruption_matches_the_pairwise_definition_on_random_calls():
    """The sorted sweep gives what comparing every pair of turns gives."""
    import random

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cs_qa.core.matching import PreparedConversation
    from cs_qa.core.model import Conversation, Turn
    from cs_qa.packs.loader import load_pack

    pack = load_pack(None)
    rule = pack.rule("call.interruption")
    check = get("interruption").run

    def pairwise(turns: list[Turn]) -> list[tuple[int, str]]:
        hits = []
        for a, turn in enumerate(turns):
            if turn.speaker != "agent" or spoken_chars(turn.text) < rule.params.min_chars:
                continue
            overlap = max(
                (
                    round(min(turn.end_s, other.end_s) - turn.at_s, 3)
                    for other in turns
                    if other.speaker == "customer" and other.at_s < turn.at_s < other.end_s
                ),
                default=0.0,
            )
            if overlap >= rule.params.min_overlap_seconds:
                hits.append((a, f"{overlap:.1f}".removesuffix(".0") + "s"))
        return hits

    @settings(max_examples=200, deadline=None)  # randomisation: the profile (conftest.py)
    @given(st.integers(0, 2**32 - 1))
    def check_one(seed: int) -> None:
        rng = random.Random(seed)
        turns = []
        for _ in range(rng.randint(1, 30)):
            start = round(rng.uniform(0, 60), 1)
            turns.append(
                Turn(
                    rng.choice(["agent", "customer"]),
                    rng.choice(["您好请问有什么可以帮您", "嗯"]),
                    start,
                    round(start + rng.uniform(0.1, 15), 1),
                )
            )
        turns.sort(key=lambda t: t.at_s)
        conv = Conversation("c", "call", "A1", turns)
        found = check(PreparedConversation(conv, pack.matcher), rule.view) or []
        assert [(h.turn_index, h.matched) for h in found] == pairwise(turns)

    check_one()
