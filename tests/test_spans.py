"""Finding spans: where a finding's evidence lies in the turn as it was written.

Matching runs on normalised text (Simplified, half-width, lower case, no spaces between
Chinese characters); `normalize_with_offsets` maps it back, so that
`evidence[span_start:span_end]` is the phrase as the customer or agent wrote it.
"""

from __future__ import annotations

import itertools
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SAMPLE, SAMPLE_MAPPING
from hypothesis import given, settings
from hypothesis import strategies as st
from packs import one_rule

from cs_qa.core.mask import mask
from cs_qa.core.model import Conversation, Finding, Turn
from cs_qa.core.normalize import normalize, normalize_with_offsets
from cs_qa.dataset.verify import verify_dataset
from cs_qa.engine.run import score_inputs
from cs_qa.engine.units import masked_span
from cs_qa.ingest import discover, read_file
from cs_qa.ingest.mapping import load_mapping
from cs_qa.packs.evaluate import score
from cs_qa.packs.loader import load_pack

FUZZING = settings.get_current_profile_name() == "fuzz"
SETTINGS = settings(max_examples=settings.default.max_examples if FUZZING else 200)


def conversation(*turns: tuple, channel: str = "chat") -> Conversation:
    """Turns as (speaker, text) or (speaker, text, start, end)."""
    return Conversation("c", channel, "A1", [Turn(*t) for t in turns])  # type: ignore[arg-type]


def written(f: Finding) -> str | None:
    if f.span_start is None or f.span_end is None:
        return None
    return f.evidence[f.span_start : f.span_end]


def sample_texts() -> list[str]:
    mapping = load_mapping(SAMPLE_MAPPING)
    texts = []
    for path, name in discover([SAMPLE]):
        for item in read_file(path, name, mapping):
            if isinstance(item, Conversation):
                texts += [t.text for t in item.turns]
    return texts


# ------------------------------------------------------------ normalize_with_offsets

EDGE = ["", " ", "著急 \u3000 x", "a\ue000b", "ＡＢＣ 著 急", "么", "\n嗯\t嗯\n", "OK", "ΑΣ ok",
        "e\u0301cole", "ﬁne 請問", "İstanbul 你好", "好的…稍等", "㈱ ½ ™", "乾隆 乾燥"]  # fmt: skip


def test_the_text_is_normalize_of_the_text():
    texts = EDGE + sample_texts()
    assert len(texts) > 3000
    for text in texts:
        n = normalize_with_offsets(text)
        assert n.text == normalize(text), text
        assert len(n.starts) == len(n.ends) == len(n.text)


@pytest.mark.parametrize(
    ("text", "phrase", "as_written"),
    [
        ("您好，我們會盡快處理的", "尽快处理", "盡快處理"),  # Traditional
        ("请 您 稍 等 一 下", "请您稍等", "请 您 稍 等"),  # speech recognition's spaces
        ("您的ＶＩＰ會員已開通", "vip会员", "ＶＩＰ會員"),  # full-width, Traditional
        ("Your VIP is ok", "vip", "VIP"),  # case
        ("iPhone  15  Pro", "15 pro", "15  Pro"),  # a run of spaces collapsed
        ("  您好  ", "您好", "您好"),  # stripped
        ("好的…稍等", "...", "…"),  # one character NFKC makes three of
        ("e\u0301cole", "école", "e\u0301cole"),  # a combining mark NFKC composes
        ("ΑΣ ok", "ας", "ΑΣ"),  # a letter lower-cased by its context (final sigma)
        ("乾隆皇帝", "乾隆", "乾隆"),  # OpenCC by phrase: 乾 alone would be 干
        ("什 么 意 思", "什么", "什 么"),  # 么 alone would be 幺
    ],
)
def test_a_match_maps_to_the_phrase_as_written(text, phrase, as_written):
    n = normalize_with_offsets(text)
    at = n.text.find(phrase)
    assert at >= 0, n.text
    start, end = n.original_span(at, at + len(phrase))
    assert text[start:end] == as_written


# Phrases (normalised) and the ways each of their characters may be written.
PHRASES = {
    "请您稍等": ["请請", "您", "稍", "等"],
    "尽快处理": ["尽盡", "快", "处處", "理"],
    "vip会员": ["vVｖＶ", "iIｉＩ", "pPｐＰ", "会會", "员員"],
    "投诉": ["投", "诉訴"],
    "差评": ["差", "评評"],
    "退款": ["退", "款"],
}
OTHER = "的了吗呢啊好是在0123456789abcxyz ,.!?，。！～\t"
SEPARATORS = [",", "，", "。", "！", "?", " , "]


@st.composite
def with_a_phrase(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(prefix, the phrase as written, suffix, the phrase normalised); spaces may sit
    between two Chinese characters of the phrase, and punctuation around it."""
    phrase = draw(st.sampled_from(sorted(PHRASES)))
    chars = [draw(st.sampled_from(ways)) for ways in PHRASES[phrase]]
    out = chars[0]
    for before, char in itertools.pairwise(chars):
        if "\u4e00" <= before <= "\u9fff" and "\u4e00" <= char <= "\u9fff":
            out += draw(st.sampled_from(["", "", " ", "  ", "\u3000"]))
        out += char
    prefix = draw(st.text(OTHER, max_size=12)) + draw(st.sampled_from(SEPARATORS))
    suffix = draw(st.sampled_from(SEPARATORS)) + draw(st.text(OTHER, max_size=12))
    return prefix, out, suffix, phrase


@SETTINGS
@given(with_a_phrase())
def test_the_span_of_a_phrase_in_a_random_text_round_trips(case):
    prefix, as_written, suffix, phrase = case
    text = prefix + as_written + suffix
    n = normalize_with_offsets(text)
    assert n.text == normalize(text)
    at = n.text.find(phrase)
    assert at >= 0
    start, end = n.original_span(at, at + len(phrase))
    assert (start, end) == (len(prefix), len(prefix) + len(as_written))
    assert text[start:end] == as_written
    assert normalize(text[start:end]) == phrase


@SETTINGS
@given(st.text(max_size=40))
def test_any_text_normalises_as_normalize_does_with_offsets_inside_it(text):
    n = normalize_with_offsets(text)
    assert n.text == normalize(text)
    previous = (0, 0)
    for i in range(len(n.text)):
        start, end = n.original_span(i, i + 1)
        assert 0 <= start < end <= len(text)
        assert (start, end) >= previous  # in order
        previous = (start, end)


# ------------------------------------------------------------------- each check


def test_forbidden_phrase_spans_the_first_phrase_said():
    pack = one_rule("""
    - id: promise
      title: 承诺
      check: forbidden_phrase
      phrases: [保证, 绝对]
      deduct: 5
      examples:
        - violates: "客服: 保证明天到"
        - passes: "客服: 明天到"
    """)
    text = "我們 絕 對 保證明天到"
    [f] = score(conversation(("agent", text)), pack).findings
    assert f.matched == "绝对、保证"
    assert written(f) == "絕 對"


def test_flag_spans_the_phrase_as_the_customer_wrote_it():
    pack = one_rule("""
    - id: risk
      title: 投诉风险
      check: flag
      flag: true
      speaker: customer
      phrases: [投诉, 差评, "12315"]
      examples:
        - violates: "客户: 我要投诉"
        - passes: "客户: 好的"
    """)
    [f] = score(conversation(("customer", "再不處理我就打１２３１５投訴")), pack).findings
    assert f.matched == "12315、投诉"
    assert written(f) == "１２３１５"


EMPATHY = one_rule("""
- id: empathy
  title: 安抚
  check: empathy_on_trigger
  triggers: [投诉, 太慢了]
  phrases: [理解您的心情]
  deduct: 5
  examples:
    - violates: "客户: 我要投诉\\n客服: 您说"
    - passes: "客户: 我要投诉\\n客服: 理解您的心情"
""")


def test_an_unanswered_trigger_is_spanned_a_reply_without_empathy_is_not():
    [f] = score(conversation(("customer", "物流太慢了，我要 投 訴")), EMPATHY).findings
    assert f.turn_index == 0 and written(f) == "太慢了"
    [f] = score(conversation(("customer", "我要投訴"), ("agent", "您说")), EMPATHY).findings
    assert f.turn_index == 1 and f.span_start is None and f.span_end is None


SEQUENCE = one_rule("""
- id: script
  title: 辱骂应对
  check: sequence
  trigger: [他妈的, 混蛋]
  steps: [[文明用语], [录音]]
  deduct: 5
  examples:
    - violates: "客户: 混蛋\\n客服: 您说"
    - passes: "客户: 混蛋\\n客服: 请文明用语，通话有录音"
""")


def test_sequence_spans_an_unanswered_trigger_not_a_missing_step():
    [f] = score(conversation(("customer", "你們這些混 蛋")), SEQUENCE).findings
    assert written(f) == "混 蛋"
    [f] = score(conversation(("customer", "他媽的"), ("agent", "您说")), SEQUENCE).findings
    assert f.matched == "他妈的" and written(f) is None


def test_regex_spans_its_match():
    pack = one_rule("""
    - id: password
      title: 索要密码
      check: regex
      patterns: ['(银行卡|卡)的?密码']
      deduct: 10
      examples:
        - violates: "客服: 请告诉我您的银行卡密码"
        - passes: "客服: 请告诉我您的订单号"
    """)
    [f] = score(conversation(("agent", "請告訴我您的 銀行卡 密碼 謝謝")), pack).findings
    assert f.matched == "银行卡密码"
    assert written(f) == "銀行卡 密碼"


def test_repetition_and_short_reply_span_the_whole_turn_without_its_outer_spaces():
    pack = one_rule("""
    - id: repeat
      title: 重复
      check: repetition
      deduct: 2
      examples:
        - violates: "客服: 亲这款是预售\\n客服: 亲这款是预售\\n客服: 亲这款是预售"
        - passes: "客服: 亲这款是预售"
    - id: short
      title: 简单回复
      check: short_reply
      replies: [嗯, 好]
      deduct: 1
      examples:
        - violates: "客服: 嗯"
        - passes: "客服: 嗯，好的，马上为您处理"
    """)
    canned = " 親，這款是預售商品～ "
    conv = conversation(
        ("agent", canned), ("agent", canned), ("agent", canned), ("agent", "嗯嗯！ ")
    )
    found = {f.rule_id: f for f in score(conv, pack).findings}
    assert written(found["repeat"]) == "親，這款是預售商品～"
    assert found["repeat"].turn_index == 2
    assert written(found["short"]) == "嗯嗯！"


HOLD = one_rule("""
- id: hold
  title: 等待规范
  check: hold
  phrases: [请您稍等]
  return_phrases: [久等了]
  deduct: 3
  examples:
    - violates: "[00:00] 客服: 请您稍等\\n[00:45] 客服: 好了"
    - passes: "[00:00] 客服: 请您稍等\\n[00:05] 客服: 好了"
""")


def test_hold_spans_the_hold_phrase_never_returned_from_not_a_measured_hold():
    [f] = score(conversation(("agent", "好的，請 您 稍 等", 0.0, None)), HOLD).findings
    assert f.matched == "never came back" and written(f) == "請 您 稍 等"
    conv = conversation(("agent", "請您稍等", 0.0, None), ("agent", "好了", 45.0, None))
    [f] = score(conv, HOLD).findings
    assert f.matched == "45s" and written(f) is None


def test_a_missing_phrase_has_no_span():
    pack = load_pack(None).only("opening.greeting")
    [f] = score(conversation(("customer", "在吗"), ("agent", "在的")), pack).findings
    assert f.evidence == "在的" and written(f) is None


# Check types whose findings point at something said, and those that never do.
PLACED = {"forbidden_phrase", "flag", "regex", "repetition", "short_reply"}
UNPLACED = {"required_phrase", "response_latency", "silence", "speech_rate", "interruption"}
WHOLE_TURN = {"repetition", "short_reply"}


def test_every_finding_on_the_sample_has_the_span_its_check_promises():
    pack = load_pack(None)
    checks = {rule.id: rule.check.name for rule in pack.rules}
    mapping = load_mapping(SAMPLE_MAPPING)
    seen: set[str] = set()
    for path, name in discover([SAMPLE]):
        for item in read_file(path, name, mapping):
            if not isinstance(item, Conversation):
                continue
            for f in score(item, pack).findings:
                check = checks[f.rule_id]
                seen.add(check)
                if check in UNPLACED:
                    assert written(f) is None, f
                    continue
                if check not in PLACED:
                    continue
                piece = written(f)
                assert piece, f
                if check in WHOLE_TURN:
                    assert piece == f.evidence.strip()
                else:
                    assert normalize(piece) == f.matched.split("、")[0], f
    assert PLACED - {"regex"} <= seen and {"required_phrase", "response_latency"} <= seen


# ------------------------------------------------------------- rows and masking


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("卡号6222 0212 3456 7890 123，我們保證明天到", "保證"),  # card: shorter mask
        ("邮箱zhangsan@example.com，我們保證明天到", "保證"),  # e-mail: shorter mask
        ("邮箱a@b.cn 保證", "保證"),  # e-mail: longer mask
        ("电话13812345678，保證", "保證"),  # phone: same length
        ("保證，卡号6222021234567890123", "保證"),  # before the mask
    ],
)
def test_a_span_moves_with_the_masks_before_it(text, phrase):
    masked = mask(text)
    assert masked != text
    start = text.index(phrase)
    a, b = masked_span(text, masked, start, start + len(phrase))
    assert masked[a:b] == phrase


def test_a_span_over_a_masked_number_covers_its_mask():
    text = "卡号6222021234567890123请核对"
    masked = mask(text)
    a, b = masked_span(text, masked, 2, 21)
    assert masked[a:b] == "****0123"


PROMISE = one_rule("""
- id: promise
  title: 承诺
  check: forbidden_phrase
  phrases: [保证]
  deduct: 5
  examples:
    - violates: "客服: 保证明天到"
    - passes: "客服: 明天到"
""")


@pytest.mark.parametrize("masked", [True, False])
def test_stored_spans_lie_in_the_stored_evidence(tmp_path, masked):
    text = "您的卡号 6222 0212 3456 7890 123 已登記，我們 保 證 明天到"
    record = {
        "conversation_id": "m-1",
        "channel": "chat",
        "agent_id": "A1",
        "turns": [{"speaker": "customer", "text": "在吗"}, {"speaker": "agent", "text": text}],
    }
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n")
    out = tmp_path / "out"
    score_inputs([tmp_path / "in"], PROMISE, out, mask=masked)
    [row] = pq.read_table(out / "findings").to_pylist()
    assert ("****0123" in row["evidence"]) is masked
    assert row["evidence"][row["span_start"] : row["span_end"]] == "保 證"
    [check] = [c for c in verify_dataset(out).checks if c.what == "table findings: spans"]
    assert (check.status, check.detail) == ("ok", "1 span(s), all within their evidence")


def test_verify_finds_a_span_outside_its_evidence(tmp_path):
    out = tmp_path / "out"
    score_inputs([SAMPLE], load_pack(None), out, mapping=load_mapping(SAMPLE_MAPPING))
    [part] = (out / "findings").glob("*.parquet")
    table = pq.read_table(part)
    ends = table.column("span_end").to_pylist()
    row = next(i for i, end in enumerate(ends) if end is not None)
    ends[row] = len(table.column("evidence")[row].as_py()) + 1
    index = table.schema.get_field_index("span_end")
    table = table.set_column(index, "span_end", pa.array(ends, pa.int32()))
    pq.write_table(table, part)
    [check] = [c for c in verify_dataset(out).checks if c.what == "table findings: spans"]
    assert check.status == "problem"
    assert check.detail.startswith(f"1 span(s) outside their evidence; first in {part.name}")


def test_verify_skips_spans_of_a_dataset_from_before_them(tmp_path):
    out = tmp_path / "out"
    score_inputs([tmp_path], PROMISE, out)  # an empty run: no finding
    [part] = (out / "findings").glob("*.parquet")
    table = pq.read_table(part)
    pq.write_table(table.drop_columns(["span_start", "span_end"]), part)
    [check] = [c for c in verify_dataset(out).checks if c.what == "table findings: spans"]
    assert check.status == "skipped"
