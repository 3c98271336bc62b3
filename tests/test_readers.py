"""Readers beyond canonical JSON and CSV: speech-recognition JSON, WebVTT/SRT, plain-text
chat logs, Parquet, the format registry and folder discovery (docs/formats.md)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cs_qa.core.model import UNKNOWN_AGENT, Conversation, Rejected
from cs_qa.ingest import (
    ColumnMapping,
    detect_format,
    discover,
    load_mapping,
    parse_map_options,
    read_file,
    read_inputs,
)
from cs_qa.ingest.chatlog import NOT_A_CHAT_LOG

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata" / "jddc2019"
JD_EXAMPLE = REPO / "examples" / "jddc.yaml"
CST = timezone(timedelta(hours=8))


def read(path: Path, mapping: ColumnMapping | None = None) -> list[Conversation | Rejected]:
    return list(read_file(path, path.name, mapping))


def split(items: list[Conversation | Rejected]) -> tuple[list[Conversation], list[Rejected]]:
    return (
        [i for i in items if isinstance(i, Conversation)],
        [i for i in items if isinstance(i, Rejected)],
    )


def only(items: list[Conversation | Rejected]) -> Conversation:
    (item,) = items
    assert isinstance(item, Conversation), item
    return item


def only_rejected(items: list[Conversation | Rejected]) -> Rejected:
    (item,) = items
    assert isinstance(item, Rejected), item
    return item


# --- Speech-recognition JSON ---------------------------------------------------------


def sentence(begin: object, end: object, channel: object, text: object) -> dict:
    return {"begin_time": begin, "end_time": end, "channel_id": channel, "text": text}


def asr_call(call_id: str | None = "call-0007", **extra: object) -> dict:
    record: dict = {
        "agent_id": "A1004",
        "started_at": "2026-11-18T10:02:00+08:00",
        "sentences": [
            sentence(0, 3200, 0, "您好，这里是星联通信客服中心"),
            sentence(3900, 6100, 1, "我的宽带断了"),
            sentence(6500, 9000, 0, "请您稍等，我帮您查一下"),
        ],
    }
    if call_id is not None:
        record["call_id"] = call_id
    record.update(extra)
    return record


def test_asr_single_call(tmp_path: Path) -> None:
    path = tmp_path / "call.json"
    path.write_text(json.dumps(asr_call(), ensure_ascii=False, indent=2), "utf-8")
    assert detect_format(path).name == "asr-json"  # type: ignore[union-attr]
    c = only(read(path))
    assert c.conversation_id == "call-0007"
    assert c.channel == "call"
    assert c.agent_id == "A1004"
    assert c.started_at == datetime(2026, 11, 18, 10, 2, tzinfo=CST)
    assert (c.source_file, c.source_line) == ("call.json", 1)
    assert [(t.speaker, t.at_s, t.end_s) for t in c.turns] == [
        ("agent", 0.0, 3.2),
        ("customer", 3.9, 6.1),
        ("agent", 6.5, 9.0),
    ]
    assert [t.agent_id for t in c.turns] == ["A1004", None, "A1004"]


def test_asr_array_of_calls_with_vendor_spellings(tmp_path: Path) -> None:
    nested = {  # one vendor nests the list and writes keys in CamelCase
        "TaskId": 778899,
        "Result": {
            "Sentences": [
                {"BeginTime": 0, "EndTime": 1500, "ChannelId": 0, "Text": "您好"},
                {"BeginTime": 1600, "EndTime": 2000, "ChannelId": 1, "Text": "喂"},
            ]
        },
    }
    short_keys = {
        "staff_id": "S9",
        "segments": [{"bg": 100, "ed": 900, "spk": "1", "text": "在吗"}],
    }
    roles = {
        "utterances": [
            {"start_ms": 0, "end_ms": 10, "role": "客服", "text": "您好"},
            {"start_time": 20, "end_time": 30, "speaker_id": 1, "text": "嗯"},
        ]
    }
    path = tmp_path / "batch.json"
    path.write_text(
        "[\n"
        + ",\n".join(json.dumps(r, ensure_ascii=False) for r in (nested, short_keys, roles))
        + "\n]\n",
        "utf-8",
    )
    a, b, c = (only([x]) for x in read(path))
    assert (a.conversation_id, a.source_line) == ("778899", 2)
    assert [(t.speaker, t.at_s, t.end_s) for t in a.turns] == [
        ("agent", 0.0, 1.5),
        ("customer", 1.6, 2.0),
    ]
    # no id: named after the file and the call's position in the array
    assert (b.conversation_id, b.source_line, b.agent_id) == ("batch-2", 3, "S9")
    assert [(t.speaker, t.at_s, t.end_s) for t in b.turns] == [("customer", 0.1, 0.9)]
    assert c.conversation_id == "batch-3" and c.agent_id == UNKNOWN_AGENT
    assert [t.speaker for t in c.turns] == ["agent", "customer"]
    assert all(x.channel == "call" for x in (a, b, c))


BAD_SENTENCES: list[tuple[dict, str]] = [
    ({"end_time": 6100, "channel_id": 1, "text": "我的宽带断了"}, "sentence 2: no begin_time"),
    (sentence(3900, None, 1, "我的宽带断了"), "sentence 2: no end_time"),
    (sentence(-5, 6100, 1, "我的宽带断了"), "sentence 2: negative begin_time -5"),
    (sentence("soon", 6100, 1, "x"), "sentence 2: bad begin_time 'soon' (expected milliseconds)"),
    (
        sentence(3900, 3000, 1, "我的宽带断了"),
        "sentence 2: end_time 3000 is before begin_time 3900",
    ),
    (sentence(3900, 6100, 2, "我的宽带断了"), "sentence 2: unknown channel_id 2"),
    ({"begin_time": 3900, "end_time": 6100, "text": "x"}, "sentence 2: no channel_id"),
    (sentence(3900, 6100, 1, "  "), "sentence 2: no text"),
    (sentence(3900, 6100, 1, None), "sentence 2: no text"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_SENTENCES, ids=[r for _, r in BAD_SENTENCES])
def test_asr_bad_sentence_rejects_its_call(tmp_path: Path, bad: dict, reason: str) -> None:
    broken = asr_call("call-bad")
    broken["sentences"][1] = bad
    path = tmp_path / "three.json"
    path.write_text(
        "[\n"
        + json.dumps(asr_call("call-1"), ensure_ascii=False)
        + ",\n"
        + json.dumps(broken, ensure_ascii=False)
        + ",\n"
        + json.dumps(asr_call("call-3"), ensure_ascii=False)
        + "\n]",
        "utf-8",
    )
    first, rejected, third = read(path)
    assert isinstance(first, Conversation) and isinstance(third, Conversation)
    assert (first.conversation_id, third.conversation_id) == ("call-1", "call-3")
    assert isinstance(rejected, Rejected)
    assert (rejected.source_line, rejected.conversation_id) == (3, "call-bad")
    assert rejected.reason.startswith(reason), rejected.reason


def test_asr_call_without_sentences_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"call_id": "k", "sentences": []}), "utf-8")
    rejected = only_rejected(read(path))
    assert rejected.reason == "call has no sentences (sentences is empty)"


def test_asr_speaker_remapping(tmp_path: Path) -> None:
    path = tmp_path / "flipped.json"
    path.write_text(json.dumps(asr_call(), ensure_ascii=False), "utf-8")
    # A recording with the caller on channel 0: --speaker 0=customer --speaker 1=agent.
    c = only(read(path, parse_map_options([], ["0=customer", "1=agent"])))
    assert [t.speaker for t in c.turns] == ["customer", "agent", "customer"]
    assert [t.agent_id for t in c.turns] == [None, "A1004", None]

    # Channels other than 0 and 1 become known through the mapping (keys are strings).
    three = asr_call(sentences=[sentence(0, 10, 2, "您好"), sentence(20, 30, 7, "喂")])
    path.write_text(json.dumps(three, ensure_ascii=False), "utf-8")
    assert "unknown channel_id 2" in only_rejected(read(path)).reason
    mapping = ColumnMapping(speakers={"2": "agent", "7": "customer"})
    assert [t.speaker for t in only(read(path, mapping)).turns] == ["agent", "customer"]


def test_canonical_json_with_nested_result_key_stays_canonical(tmp_path: Path) -> None:
    record = {
        "conversation_id": "c-1",
        "turns": [{"speaker": "客户", "text": "在吗", "result": []}],
        "result": "ok",  # after turns: the first deciding key is turns
    }
    path = tmp_path / "canonical.json"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    assert detect_format(path).name == "json"  # type: ignore[union-attr]
    assert only(read(path)).conversation_id == "c-1"


# --- WebVTT and SRT ------------------------------------------------------------------

VTT = """WEBVTT
NOTE agent_id: A1005
NOTE conversation_id: call-vtt-1

NOTE
started_at: 2026-11-18T10:02:00+08:00

STYLE
::cue { color: white }

cue-1
00:00:00.000 --> 00:00:03.200 align:start
<v 客服>您好，这里是星联通信客服中心</v>

00:03.900 --> 00:06.100
<v.loud 客户>我的宽带断了，
从昨天晚上开始 &amp; 一直没好

00:00:06.500 --> 00:00:09.000
<v 坐席 A2001>您好，我是技术支持
"""

SRT = """1
00:00:00,000 --> 00:00:01,000
NOTE agent_id: A1005

2
00:00:01,000 --> 00:00:03,200
客服(A1005)：您好，这里是星联通信客服中心

3
00:00:03,900 --> 00:00:06,100
<i>客户: 我的宽带断了</i>
"""


def test_webvtt_good_file(tmp_path: Path) -> None:
    path = tmp_path / "call.vtt"
    path.write_text(VTT, "utf-8")
    c = only(read(path))
    assert (c.conversation_id, c.channel, c.agent_id) == ("call-vtt-1", "call", "A1005")
    assert c.started_at == datetime(2026, 11, 18, 10, 2, tzinfo=CST)
    assert [(t.speaker, t.at_s, t.end_s) for t in c.turns] == [
        ("agent", 0.0, 3.2),
        ("customer", 3.9, 6.1),
        ("agent", 6.5, 9.0),
    ]
    assert c.turns[0].text == "您好，这里是星联通信客服中心"
    assert c.turns[1].text == "我的宽带断了，\n从昨天晚上开始 & 一直没好"  # lines joined
    assert [t.agent_id for t in c.turns] == ["A1005", None, "A2001"]  # a transfer


def test_srt_good_file(tmp_path: Path) -> None:
    path = tmp_path / "call-42.srt"
    path.write_text(SRT, "utf-8")
    c = only(read(path))
    assert (c.conversation_id, c.channel, c.agent_id) == ("call-42", "call", "A1005")
    assert [(t.speaker, t.text, t.at_s, t.end_s) for t in c.turns] == [
        ("agent", "您好，这里是星联通信客服中心", 1.0, 3.2),
        ("customer", "我的宽带断了", 3.9, 6.1),
    ]


def test_one_cue_with_two_speakers_gives_two_turns(tmp_path: Path) -> None:
    path = tmp_path / "both.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\n客服：您好\n顾客：喂\n备注：信号差\n", "utf-8"
    )
    c = only(read(path))
    assert [(t.speaker, t.text, t.at_s) for t in c.turns] == [
        ("agent", "您好", 1.0),
        ("customer", "喂\n备注：信号差", 1.0),  # 备注 is no role: a continuation
    ]


BAD_SRT: list[tuple[str, str]] = [
    ("00:00:05,000 --> 00:00:07,000\n您好", "cue 2: no speaker: start the text with"),
    ("00:00:05,000 --> 00:00:07,000\n张三：您好", "cue 2: unknown speaker '张三'"),
    ("00:00:05,000 --> 00:00:07,000\n<v 张三>您好", "cue 2: unknown speaker '张三' in voice"),
    ("00:00:0x,000 --> 00:00:07,000\n客服：您好", "cue 2: bad timestamp line '00:00:0x,000"),
    ("00:00:05,000 -> 00:00:07,000\n客服：您好", "cue 2: no timing line"),
    ("00:00:75,000 --> 00:00:77,000\n客服：您好", "cue 2: bad timestamp line"),
    ("00:00:07,000 --> 00:00:05,000\n客服：您好", "cue 2: end 00:00:05,000 is before start"),
    ("00:00:05,000 --> 00:00:07,000", "cue 2: no text"),
]


@pytest.mark.parametrize(("cue", "reason"), BAD_SRT, ids=[r for _, r in BAD_SRT])
def test_srt_bad_cue_rejects_the_call_at_the_cue_line(
    tmp_path: Path, cue: str, reason: str
) -> None:
    path = tmp_path / "bad.srt"
    good = "1\n00:00:01,000 --> 00:00:03,000\n客服：您好\n\n"
    path.write_text(
        good + "2\n" + cue + "\n\n3\n00:00:09,000 --> 00:00:10,000\n客户：喂\n", "utf-8"
    )
    rejected = only_rejected(read(path))
    assert rejected.source_line == 5  # the line where cue 2 starts
    assert rejected.conversation_id == "bad"
    assert rejected.reason.startswith(reason), rejected.reason


def test_webvtt_bad_cue_and_missing_header(tmp_path: Path) -> None:
    path = tmp_path / "bad.vtt"
    path.write_text(VTT.replace("00:03.900 --> 00:06.100", "00:03.900 --> 00:02.100"), "utf-8")
    rejected = only_rejected(read(path))
    assert rejected.source_line == 15  # the cue's timing line (it has no identifier)
    assert rejected.reason == "cue 2: end 00:02.100 is before start 00:03.900"

    path.write_text(SRT, "utf-8")
    rejected = only_rejected(read(path))
    assert (rejected.source_line, rejected.reason) == (
        1,
        "not a WebVTT file: the first line must be WEBVTT",
    )


# --- Plain-text chat logs ------------------------------------------------------------

LAYOUT_ONE = """聊天记录导出 2026-11-21
=== 会话 c-0001 ===
2026-11-21 10:00:01 顾客: 在吗
[2026-11-21 10:00:15] 客服小美：您好，欢迎光临
请问有什么可以帮您？
2026-11-21 10:00:20 系统: 客服小美 已接入
=== 会话：c-0002 ===
2026-11-21 11:00:00 买家_李四: 发货了吗
2026-11-21 11:00:30 售后-王: 已经发货了
"""

LAYOUT_TWO = """客服小美 2026-11-21 10:00:01
您好，欢迎光临

顾客_张三 2026-11-21 10:00:15
在吗
我想问一下

[2026-11-21 10:00:40] 人工客服
在的
"""


def test_chatlog_one_line_per_message(tmp_path: Path) -> None:
    path = tmp_path / "shop.txt"
    path.write_text(LAYOUT_ONE, "utf-8")
    assert detect_format(path).name == "chat-log"  # type: ignore[union-attr]
    a, b = (only([x]) for x in read(path))
    assert (a.conversation_id, a.source_line, a.channel) == ("c-0001", 2, "chat")
    assert a.agent_id == "客服小美"  # the agent's name is its id
    assert [(t.speaker, t.at_s) for t in a.turns] == [
        ("customer", 0.0),
        ("agent", 14.0),
        ("system", 19.0),
    ]
    assert a.turns[1].text == "您好，欢迎光临\n请问有什么可以帮您？"  # continuation line
    assert a.started_at == datetime(2026, 11, 21, 10, 0, 1)
    assert (b.conversation_id, b.source_line, b.agent_id) == ("c-0002", 7, "售后-王")
    assert [t.speaker for t in b.turns] == ["customer", "agent"]


def test_chatlog_header_layout_without_separators(tmp_path: Path) -> None:
    path = tmp_path / "qq.log"
    path.write_text(LAYOUT_TWO, "utf-8")
    c = only(read(path))
    assert (c.conversation_id, c.source_line) == ("qq", 1)
    assert [(t.speaker, t.text, t.at_s) for t in c.turns] == [
        ("agent", "您好，欢迎光临", 0.0),
        ("customer", "在吗\n我想问一下", 14.0),
        ("agent", "在的", 39.0),
    ]
    assert [t.agent_id for t in c.turns] == ["客服小美", None, "人工客服"]


def test_chatlog_conversations_without_ids_are_numbered(tmp_path: Path) -> None:
    path = tmp_path / "day.txt"
    path.write_text(
        "2026-11-21 10:00:01 顾客: 在吗\n"
        "2026-11-21 10:00:05 客服A: 在\n"
        "----------\n"
        "2026-11-21 11:00:01 顾客: 你好\n"
        "----------\n",  # a closing separator opens no conversation
        "utf-8",
    )
    assert [(x.conversation_id, x.source_line) for x in read(path)] == [
        ("day-1", 1),
        ("day-2", 3),
    ]


def test_chatlog_agent_names_from_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text(
        "2026-11-21 10:00:01 小美: 您好\n"
        "2026-11-21 10:00:02 客服小王: 我是小王\n"  # default pattern no longer applies
        "2026-11-21 10:00:03 阿强(2号): 我是阿强\n"
        "2026-11-21 10:00:04 张三: 在吗\n"
        "2026-11-21 10:00:05 机器人: 自动回复\n",
        "utf-8",
    )
    yaml = tmp_path / "shop.yaml"
    yaml.write_text(
        "agents: [小美, '阿强\\(\\d+号\\)']\nagent_ids: {小美: A1003}\nspeakers: {张三: system}\n",
        "utf-8",
    )
    mapping = load_mapping(yaml)
    assert mapping.agents == ["小美", r"阿强\(\d+号\)"]
    assert mapping.agent_ids == {"小美": "A1003"}
    c = only(read(path, mapping))
    assert [t.speaker for t in c.turns] == ["agent", "customer", "agent", "system", "system"]
    assert [t.agent_id for t in c.turns] == ["A1003", None, "阿强(2号)", None, None]
    assert c.agent_id == "A1003"
    # a mapping file's agents survive --map / --speaker options on top
    merged = mapping.merged(parse_map_options([], ["0=customer"]))
    assert (merged.agents, merged.agent_ids) == (mapping.agents, mapping.agent_ids)


def test_load_mapping_rejects_bad_agent_settings(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("agents: {小美: 1}\n", "utf-8")
    with pytest.raises(ValueError, match="agents must be a list"):
        load_mapping(path)
    path.write_text("agent_ids: [小美]\n", "utf-8")
    with pytest.raises(ValueError, match="agent_ids must be a mapping"):
        load_mapping(path)


def test_chatlog_bad_message_rejects_only_its_conversation(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text(
        "=== c1 ===\n"
        "2026-11-21 10:00:01 顾客: 在吗\n"
        "=== c2 ===\n"
        "2026-11-21 10:00:01 顾客: 在吗\n"
        "2026-13-45 10:00:05 客服小美: 在\n"  # line 5: no such date
        "=== c3 ===\n"
        "2026-11-21 10:00:01 顾客:\n"  # line 7: a message without text
        "=== c4 ===\n"
        "只有一行字，没有时间和名字\n"  # line 9
        "=== c5 ===\n"
        "2026-11-21 10:00:01 客服: 您好\n",
        "utf-8",
    )
    items = read(path)
    good, rejected = split(items)
    assert [c.conversation_id for c in good] == ["c1", "c5"]
    assert [(r.conversation_id, r.source_line) for r in rejected] == [
        ("c2", 5),
        ("c3", 7),
        ("c4", 8),
    ]
    assert rejected[0].reason.startswith("bad timestamp '2026-13-45 10:00:05'")
    assert rejected[1].reason == "no text"
    assert rejected[2].reason.startswith("no messages in this conversation: no line looks like")
    assert [getattr(i, "conversation_id", None) for i in items] == ["c1", "c2", "c3", "c4", "c5"]


def test_gbk_chatlog(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(LAYOUT_ONE.replace("\n", "\r\n").encode("gbk"))
    a, b = (only([x]) for x in read(path))
    assert a.turns[1].text == "您好，欢迎光临\n请问有什么可以帮您？"  # no stray \r either
    assert b.agent_id == "售后-王"


def test_undecodable_chatlog_line_rejects_its_conversation(tmp_path: Path) -> None:
    path = tmp_path / "damaged.txt"
    path.write_bytes(
        "=== a ===\n2026-11-21 10:00:01 顾客: 在吗\n=== b ===\n".encode()
        + b"2026-11-21 10:00:01 \xff\xfe: x\n"
        + "=== c ===\n2026-11-21 10:00:01 顾客: 你好\n".encode()
    )
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Conversation", "Rejected", "Conversation"]
    assert items[1].source_line == 4 and "not valid utf-8" in items[1].reason


def test_traditional_text_passes_through_unchanged(tmp_path: Path) -> None:
    log = tmp_path / "tw.txt"
    log.write_text(
        "2026-11-21 10:00:01 顧客: 請問這個商品還有貨嗎？\n"
        "2026-11-21 10:00:09 客服小美: 您好，這款商品目前有現貨。\n",
        "utf-8",
    )
    c = only(read(log))
    assert [(t.speaker, t.text) for t in c.turns] == [
        ("customer", "請問這個商品還有貨嗎？"),
        ("agent", "您好，這款商品目前有現貨。"),
    ]
    vtt = tmp_path / "tw.vtt"
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v 客戶>寬頻斷線了\n", "utf-8")
    assert [(t.speaker, t.text) for t in only(read(vtt)).turns] == [("customer", "寬頻斷線了")]


def test_prose_txt_matches_no_format(tmp_path: Path) -> None:
    path = tmp_path / "essay.txt"
    path.write_text(
        "今天天气很好，我们去公园散步。\n"
        "The quick brown fox jumps over the lazy dog.\n"
        "备注：下周一开会，时间待定。\n",
        "utf-8",
    )
    rejected = only_rejected(read(path))
    assert (rejected.source_file, rejected.source_line) == ("essay.txt", 0)
    # the "matches no format" error says what a chat-log line looks like
    assert rejected.reason == NOT_A_CHAT_LOG
    assert rejected.reason.startswith("not a chat log: no line looks like '2026-11-21")


def test_tab_separated_txt_is_still_a_table(tmp_path: Path) -> None:
    path = tmp_path / "jd.txt"
    path.write_text("s1\tU1\t0\t0\t0\tnan\t在吗\ns1\tU1\t1\t0\t0\tnan\t您好\n", "utf-8")
    assert detect_format(path).name == "table-txt"  # type: ignore[union-attr]
    c = only(read(path, load_mapping(JD_EXAMPLE)))
    assert [t.speaker for t in c.turns] == ["customer", "agent"]


def test_comma_separated_txt_is_a_table_when_the_mapping_says_so(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("会话ID,角色,内容\nk1,客户,在吗\n", "utf-8")
    assert only_rejected(read(path)).reason == NOT_A_CHAT_LOG
    c = only(read(path, ColumnMapping(delimiter="comma")))
    assert (c.conversation_id, c.turns[0].text) == ("k1", "在吗")


@pytest.mark.parametrize("suffix", [".log", ".txt", ".vtt", ".srt", ".json"])
def test_empty_text_file_has_no_records(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_text("\n\n", "utf-8")
    assert read(path) == []


# --- Parquet -------------------------------------------------------------------------


def test_parquet_long_layout_with_pyarrow(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "conversation_id": ["q1", "q1", "q1", "q2"],
            "agent_id": [None, "A7", "A8", None],
            "speaker": ["customer", "agent", "agent", "客户"],
            "start": [0.0, 2.5, 10.0, 0.0],
            "end": [2.0, 5.0, 12.0, 1.0],
            "text": ["喂", "您好", "我是二线", "在吗"],
        }
    )
    path = tmp_path / "calls.parquet"
    pq.write_table(table, path)
    q1, q2 = (only([x]) for x in read(path))
    assert (q1.conversation_id, q1.channel, q1.agent_id, q1.source_line) == ("q1", "call", "A7", 2)
    assert [(t.speaker, t.at_s, t.end_s, t.agent_id) for t in q1.turns] == [
        ("customer", 0.0, 2.0, None),
        ("agent", 2.5, 5.0, "A7"),
        ("agent", 10.0, 12.0, "A8"),
    ]
    assert (q2.source_line, q2.agent_id) == (5, UNKNOWN_AGENT)


# --- Discovery and a folder of every format ------------------------------------------


def test_discover_picks_up_new_suffixes_and_skips_docs(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "calls").mkdir(parents=True)
    for rel in [
        "chat.log",
        "a.txt",
        "calls/x.vtt",
        "calls/y.srt",
        "calls/z.json",
        "README.md",
        "README.txt",
        "JDDC_readme.txt",
        "notes.txt",
        ".hidden.txt",
        "image.png",
    ]:
        (root / rel).write_text("", "utf-8")
    names = [name for _, name in discover([root])]
    assert names == [
        "in/a.txt",
        "in/calls/x.vtt",
        "in/calls/y.srt",
        "in/calls/z.json",
        "in/chat.log",
    ]
    # named explicitly, a doc-like file is read like any other
    assert [name for _, name in discover([root / "notes.txt"])] == ["notes.txt"]


def test_folder_of_every_format(tmp_path: Path) -> None:
    root = tmp_path / "batch"
    root.mkdir()
    (root / "a_canonical.jsonl").write_text(
        json.dumps({"conversation_id": "j1", "turns": [{"speaker": "客户", "text": "在吗"}]})
        + "\n{broken\n",
        "utf-8",
    )
    (root / "b_table.csv").write_text("会话ID,角色,内容\nt1,客户,在吗\nt2,店小二,在\n", "utf-8")
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table({"conversation_id": ["p1"], "speaker": ["agent"], "text": ["您好"]}),
        root / "c_table.parquet",
    )
    (root / "d_asr.json").write_text(
        json.dumps([asr_call("r1"), asr_call("r2", sentences=[sentence(5, 1, 0, "x")])]), "utf-8"
    )
    (root / "e_good.vtt").write_text(VTT, "utf-8")
    (root / "f_bad.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n你好\n", "utf-8")
    (root / "g_good.srt").write_text(SRT, "utf-8")
    (root / "h_chat.txt").write_bytes(LAYOUT_ONE.encode("gbk"))
    (root / "i_chat.log").write_text(LAYOUT_TWO, "utf-8")
    (root / "j_prose.txt").write_text("随便写的一段话，没有任何格式。\n", "utf-8")
    (root / "README.md").write_text("# 说明\n", "utf-8")

    good, rejected = split(list(read_inputs([root])))
    assert [(c.source_file, c.conversation_id) for c in good] == [
        ("batch/a_canonical.jsonl", "j1"),
        ("batch/b_table.csv", "t1"),
        ("batch/c_table.parquet", "p1"),
        ("batch/d_asr.json", "r1"),
        ("batch/e_good.vtt", "call-vtt-1"),
        ("batch/g_good.srt", "g_good"),
        ("batch/h_chat.txt", "c-0001"),
        ("batch/h_chat.txt", "c-0002"),
        ("batch/i_chat.log", "i_chat"),
    ]
    assert [(r.source_file, r.source_line, r.conversation_id) for r in rejected] == [
        ("batch/a_canonical.jsonl", 2, None),
        ("batch/b_table.csv", 3, "t2"),
        ("batch/d_asr.json", 1, "r2"),
        ("batch/f_bad.vtt", 3, "f_bad"),
        ("batch/j_prose.txt", 0, None),
    ]
    assert "sentence 1: end_time 1 is before begin_time 5" in rejected[2].reason
    assert "cue 1: no speaker" in rejected[3].reason
    assert rejected[4].reason == NOT_A_CHAT_LOG


# --- The real JD export through examples/jddc.yaml -----------------------------------


def test_example_mapping_loads() -> None:
    mapping = load_mapping(JD_EXAMPLE)
    assert mapping.columns == {"conversation_id": 0, "speaker": 2, "text": 6}
    assert mapping.speakers == {"0": "customer", "1": "agent"}
    assert (mapping.header, mapping.delimiter, mapping.channel) == (False, "\t", "chat")


@pytest.mark.skipif(
    not (REALDATA / "chat_sample_a.tsv").exists(),
    reason=f"real JD sample not available at {REALDATA} (it is never copied into the repo)",
)
def test_real_jd_export_with_example_mapping() -> None:
    items = list(read_inputs([REALDATA / "chat_sample_a.tsv"], load_mapping(JD_EXAMPLE)))
    good, rejected = split(items)
    assert rejected == []
    assert len(good) == 994
    assert all(c.channel == "chat" and c.agent_id == UNKNOWN_AGENT for c in good)
