"""Readers: canonical JSON Lines, long tables, encodings, mappings and file discovery."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cs_qa.core.model import UNKNOWN_AGENT, Conversation, Rejected
from cs_qa.ingest import (
    ColumnMapping,
    conversation_from_record,
    discover,
    load_mapping,
    normalize_speaker,
    parse_map_options,
    read_file,
    read_inputs,
)
from cs_qa.ingest.encoding import detect_encoding

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "jddc2019"

JD_MAPPING = ["conversation_id=0", "speaker=2", "text=6"]
JD_SPEAKERS = ["0=customer", "1=agent"]


def conv(cid: str = "c-1", **extra: object) -> dict:
    record: dict = {
        "conversation_id": cid,
        "channel": "chat",
        "agent_id": "A1024",
        "turns": [
            {"speaker": "customer", "text": "在吗", "ts": "2026-11-21T09:00:03+08:00"},
            {"speaker": "agent", "text": "您好，很高兴为您服务", "ts": "2026-11-21T09:00:15+08:00"},
        ],
    }
    record.update(extra)
    return record


def line(record: object) -> str:
    return json.dumps(record, ensure_ascii=False)


def read(path: Path, mapping: ColumnMapping | None = None) -> list[Conversation | Rejected]:
    return list(read_file(path, path.name, mapping))


def split(items: list[Conversation | Rejected]) -> tuple[list[Conversation], list[Rejected]]:
    return (
        [i for i in items if isinstance(i, Conversation)],
        [i for i in items if isinstance(i, Rejected)],
    )


# --- JSON Lines ----------------------------------------------------------------------


def test_jsonl_good_file(tmp_path: Path) -> None:
    path = tmp_path / "day1.jsonl"
    path.write_text(line(conv("c-1")) + "\n" + line(conv("c-2", agent_id="A2")) + "\n", "utf-8")
    first, second = read(path)
    assert isinstance(first, Conversation) and isinstance(second, Conversation)
    assert first.conversation_id == "c-1"
    assert first.channel == "chat"
    assert first.agent_id == "A1024"
    assert first.source_file == "day1.jsonl"
    assert (first.source_line, second.source_line) == (1, 2)
    assert first.started_at == datetime(2026, 11, 21, 9, 0, 3, tzinfo=timezone(timedelta(hours=8)))
    assert [t.speaker for t in first.turns] == ["customer", "agent"]
    assert [t.at_s for t in first.turns] == [0.0, 12.0]
    assert [t.agent_id for t in first.turns] == [None, "A1024"]
    assert first.timed and first.notes == []
    assert second.agent_id == "A2"


BAD_LINES: list[tuple[str, str]] = [
    ('{"conversation_id": "x", "turns": [', "invalid JSON: unexpected end of data at column"),
    ("[1, 2]", "expected a JSON object, got an array"),
    (line({"turns": []}), "missing conversation_id"),
    (line({"conversation_id": "x"}), "missing turns"),
    (line({"conversation_id": "x", "turns": "hi"}), "turns must be a list, got a string"),
    (line({"conversation_id": "x", "turns": []}), "conversation has no turns"),
    (line(conv(turns=[{"speaker": "agent", "text": "好"}, "oops"])), "turn 2: expected an object"),
    (line(conv(turns=[{"speaker": "agent", "text": ""}])), "turn 1: no text"),
    (line(conv(turns=[{"speaker": "agent"}])), "turn 1: no text"),
    (line(conv(turns=[{"text": "好"}])), "turn 1: no speaker"),
    (
        line(
            conv(
                turns=[{"speaker": "客户", "text": "在"}] * 2
                + [{"speaker": "店小二", "text": "在"}]
            )
        ),
        "turn 3: unknown speaker '店小二'",
    ),
    (
        line(conv(turns=[{"speaker": "agent", "text": "好", "ts": "yesterday"}])),
        "turn 1: bad timestamp",
    ),
    (line(conv(channel="fax")), "unknown channel 'fax'"),
    (
        line(
            conv(
                turns=[
                    {"speaker": "customer", "text": "喂", "ts": "2026-11-21T09:00:03"},
                    {"speaker": "agent", "text": "您好", "start": 3},
                ]
            )
        ),
        "turn 2: uses start but earlier turns use ts",
    ),
    (
        line(conv(turns=[{"speaker": "agent", "text": "您好", "start": 5, "end": 2}])),
        "turn 1: end 2 is before start 5",
    ),
    (
        line(conv(turns=[{"speaker": "agent", "text": "您好", "start": "abc"}])),
        "turn 1: bad start 'abc'",
    ),
    (line(conv(started_at="soon")), "bad started_at 'soon'"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_LINES, ids=[r for _, r in BAD_LINES])
def test_jsonl_bad_line_is_rejected_with_its_line_number(
    tmp_path: Path, bad: str, reason: str
) -> None:
    path = tmp_path / "mixed.jsonl"
    # good, blank, bad, good: the blank line still counts as a physical line
    path.write_text("\n".join([line(conv("c-1")), "", bad, line(conv("c-4"))]) + "\n", "utf-8")
    items = read(path)
    good, rejected = split(items)
    assert [c.conversation_id for c in good] == ["c-1", "c-4"]
    assert [c.source_line for c in good] == [1, 4]
    assert len(rejected) == 1
    assert rejected[0].source_line == 3
    assert rejected[0].source_file == "mixed.jsonl"
    assert reason in rejected[0].reason
    assert items.index(rejected[0]) == 1  # in file order


def test_rejection_names_the_conversation_when_known(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(line(conv("c-9", channel="fax")) + "\n" + line({"turns": []}) + "\n", "utf-8")
    first, second = read(path)
    assert isinstance(first, Rejected) and first.conversation_id == "c-9"
    assert isinstance(second, Rejected) and second.conversation_id is None


def test_undecodable_jsonl_line_rejects_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    bad = line(conv("c-2")).encode("utf-8").replace("您好".encode(), b"\xff\xfe")
    path.write_bytes(b"\n".join([line(conv("c-1")).encode(), bad, line(conv("c-3")).encode()]))
    good, rejected = split(read(path))
    assert [c.conversation_id for c in good] == ["c-1", "c-3"]
    assert good[0].turns[1].text == "您好，很高兴为您服务"  # the file was not read as GBK
    assert [(r.source_line, "not valid utf-8" in r.reason) for r in rejected] == [(2, True)]


def test_jsonl_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(("\n".join([line(conv("c-1")), line(conv("c-2"))]) + "\n").encode("utf-8-sig"))
    good, rejected = split(read(path))
    assert rejected == []
    assert [c.conversation_id for c in good] == ["c-1", "c-2"]


def test_gbk_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "gbk.jsonl"
    path.write_bytes((line(conv("会话一")) + "\n").encode("gb18030"))
    (c,) = read(path)
    assert isinstance(c, Conversation)
    assert c.conversation_id == "会话一"
    assert c.turns[0].text == "在吗"


def test_call_turns_with_start_and_end(tmp_path: Path) -> None:
    record = {
        "conversation_id": "call-1",
        "agent_id": "A7",
        "turns": [
            {"speaker": "坐席", "text": "您好，这里是客户服务中心", "start": 0.5, "end": 3.2},
            {"speaker": "来电人", "text": "我的快递丢了", "start": "4", "end": "6.5"},
            {"speaker": "坐席", "text": "请您稍等", "start": 7},
        ],
    }
    path = tmp_path / "calls.jsonl"
    path.write_text(line(record) + "\n", "utf-8")
    (c,) = read(path)
    assert isinstance(c, Conversation)
    assert c.channel == "call"  # start/end without a channel means speech recognition
    assert c.started_at is None
    assert [(t.speaker, t.at_s, t.end_s) for t in c.turns] == [
        ("agent", 0.5, 3.2),
        ("customer", 4.0, 6.5),
        ("agent", 7.0, None),
    ]


def test_channel_aliases_and_mapping_default() -> None:
    call = conversation_from_record(conv(channel="电话"), "x", 1)
    assert isinstance(call, Conversation) and call.channel == "call"
    record = conv()
    del record["channel"]
    plain = conversation_from_record(record, "x", 1)
    mapped = conversation_from_record(record, "x", 1, ColumnMapping(channel="call"))
    assert isinstance(plain, Conversation) and plain.channel == "chat"
    assert isinstance(mapped, Conversation) and mapped.channel == "call"


def test_transfer_attributes_turns_to_the_agent_who_spoke() -> None:
    record = conv(
        agent_id="A1",
        turns=[
            {"speaker": "customer", "text": "我要退款"},
            {"speaker": "agent", "text": "您好"},
            {"speaker": "agent", "text": "我帮您转接售后", "agent_id": "A1"},
            {"speaker": "agent", "text": "您好，我是售后", "agent_id": "A2"},
            {"speaker": "customer", "text": "好", "agent_id": "A2"},
        ],
    )
    c = conversation_from_record(record, "x", 1)
    assert isinstance(c, Conversation)
    assert c.agent_id == "A1"
    assert [t.agent_id for t in c.turns] == [None, "A1", "A1", "A2", None]


def test_agent_comes_from_first_agent_turn_or_is_unknown() -> None:
    record = conv(
        turns=[
            {"speaker": "customer", "text": "在吗"},
            {"speaker": "agent", "text": "在的", "agent_id": 1024},
            {"speaker": "agent", "text": "请问有什么可以帮您"},
        ]
    )
    del record["agent_id"]
    c = conversation_from_record(record, "x", 1)
    assert isinstance(c, Conversation)
    assert c.agent_id == "1024"
    assert [t.agent_id for t in c.turns] == [None, "1024", "1024"]

    for turn in record["turns"]:
        turn.pop("agent_id", None)
    anonymous = conversation_from_record(record, "x", 1)
    assert isinstance(anonymous, Conversation)
    assert anonymous.agent_id == UNKNOWN_AGENT
    assert [t.agent_id for t in anonymous.turns] == [None, UNKNOWN_AGENT, UNKNOWN_AGENT]


def test_traditional_text_and_labels_pass_through_unchanged() -> None:
    record = conv(
        turns=[
            {"speaker": "顧客", "text": "請問這個商品還有貨嗎？"},
            {"speaker": "客服", "text": "您好，這款商品目前有現貨。"},
        ]
    )
    c = conversation_from_record(record, "x", 1)
    assert isinstance(c, Conversation)
    assert [t.speaker for t in c.turns] == ["customer", "agent"]
    assert [t.text for t in c.turns] == ["請問這個商品還有貨嗎？", "您好，這款商品目前有現貨。"]
    assert c.timed is False and all(t.at_s is None for t in c.turns)


def test_time_formats_started_at_and_resorting() -> None:
    record = conv(
        started_at="2026-11-21 09:00:00",
        turns=[
            {"speaker": "customer", "text": "在吗", "ts": "2026-11-21 09:00:03.5"},
            {"speaker": "agent", "text": "您好", "ts": "2026/11/21 9:00:20"},
            {"speaker": "customer", "text": "我先说", "ts": "2026-11-21T09:00:10"},
        ],
    )
    c = conversation_from_record(record, "x", 1)
    assert isinstance(c, Conversation)
    assert c.started_at == datetime(2026, 11, 21, 9, 0, 0)
    assert [(t.text, t.at_s) for t in c.turns] == [("在吗", 3.5), ("我先说", 10.0), ("您好", 20.0)]
    assert c.notes == ["turns re-sorted by time"]


def test_naive_times_take_the_offset_of_started_at() -> None:
    record = conv(
        started_at="2026-11-21T09:00:00+08:00",
        turns=[{"speaker": "customer", "text": "在吗", "ts": "2026-11-21 09:00:05"}],
    )
    c = conversation_from_record(record, "x", 1)
    assert isinstance(c, Conversation)
    assert c.turns[0].at_s == 5.0
    assert c.notes == ["times without UTC offset read as +0800"]


def test_speaker_labels() -> None:
    assert normalize_speaker(" 客服 ") == "agent"
    assert normalize_speaker("Customer") == "customer"
    assert normalize_speaker("智能客服") == "system"
    assert normalize_speaker("买家") == "customer"
    assert normalize_speaker("seller") == "agent"
    assert normalize_speaker("店小二") is None


def test_json_array_and_single_object(tmp_path: Path) -> None:
    array = tmp_path / "batch.json"
    array.write_text(
        "[\n" + line(conv("c-1")) + ",\n\n" + line(conv("c-2", channel="fax")) + "\n]\n", "utf-8"
    )
    first, second = read(array)
    assert isinstance(first, Conversation) and first.source_line == 2
    assert isinstance(second, Rejected) and second.source_line == 4

    single = tmp_path / "one.json"
    single.write_text(json.dumps(conv("c-9"), ensure_ascii=False, indent=2), "utf-8")
    (c,) = read(single)
    assert isinstance(c, Conversation) and c.conversation_id == "c-9"

    lines = tmp_path / "lines.json"
    lines.write_text(line(conv("c-1")) + "\n" + line(conv("c-2")) + "\n", "utf-8")
    assert [x.conversation_id for x in read(lines)] == ["c-1", "c-2"]


def test_broken_json_array_stops_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[\n" + line(conv("c-1")) + ",\n{oops}\n]", "utf-8")
    first, second = read(path)
    assert isinstance(first, Conversation)
    assert isinstance(second, Rejected)
    assert second.source_line == 3 and "rest of file skipped" in second.reason


# --- Long tables ---------------------------------------------------------------------


def test_gbk_csv_with_chinese_headers(tmp_path: Path) -> None:
    rows = [
        "会话ID,客服工号,角色,发送时间,内容",
        "s1,,顾客,2026-11-21 09:00:03,在吗",
        "s1,A1024,客服,2026-11-21 09:00:15,您好，很高兴为您服务",
        "s2,,买家,2026-11-21 10:00:00,发货了吗",
        "s2,B7,人工客服,2026-11-21 10:00:30,已经发货了",
    ]
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gb18030"))
    first, second = read(path)
    assert isinstance(first, Conversation) and isinstance(second, Conversation)
    assert first.conversation_id == "s1" and first.agent_id == "A1024"
    assert first.turns[1].text == "您好，很高兴为您服务"
    assert [t.at_s for t in first.turns] == [0.0, 12.0]
    assert first.started_at == datetime(2026, 11, 21, 9, 0, 3)
    assert (first.source_line, second.source_line) == (2, 4)
    assert second.agent_id == "B7" and second.channel == "chat"


def test_csv_with_bom_and_english_headers(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    text = "Session_ID,Role,Content,Agent_ID\nk1,customer,hi,\nk1,agent,hello,A9\n"
    path.write_bytes(text.encode("utf-8-sig"))
    (c,) = read(path)
    assert isinstance(c, Conversation)
    assert c.conversation_id == "k1" and c.agent_id == "A9"
    assert [t.text for t in c.turns] == ["hi", "hello"]


def test_csv_bad_row_rejects_only_its_conversation(tmp_path: Path) -> None:
    path = tmp_path / "three.csv"
    path.write_text(
        "conversation_id,speaker,text\n"
        'a,customer,"第一行\n第二行"\n'  # a quoted newline: this row spans lines 2-3
        "b,customer,在吗\n"  # line 4
        "a,agent,您好\n"  # line 5
        "b,店小二,在\n"  # line 6: rejects b
        "c,customer,你好\n"  # line 7
        "b,agent,您好\n",  # line 8: b stays rejected
        "utf-8",
    )
    items = read(path)
    good, rejected = split(items)
    assert [(c.conversation_id, c.source_line, len(c.turns)) for c in good] == [
        ("a", 2, 2),
        ("c", 7, 1),
    ]
    assert good[0].turns[0].text == "第一行\n第二行"
    assert [(r.conversation_id, r.source_line, r.reason) for r in rejected] == [
        ("b", 6, "unknown speaker '店小二'")
    ]
    assert [getattr(i, "conversation_id", None) for i in items] == ["a", "b", "c"]


def test_csv_row_without_conversation_id_and_bad_time(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "conversation_id,speaker,text,ts\n"
        "a,customer,在吗,2026-11-21 09:00:00\n"
        ",agent,孤儿行,2026-11-21 09:00:01\n"
        "b,customer,在吗,not a time\n",
        "utf-8",
    )
    items = read(path)
    assert isinstance(items[0], Conversation)
    assert isinstance(items[1], Rejected) and items[1].source_line == 3
    assert items[1].reason == "row has no conversation_id"
    assert isinstance(items[2], Rejected) and items[2].source_line == 4
    assert items[2].reason.startswith("bad timestamp 'not a time'")


def test_csv_broken_quoting_rejects_its_conversation(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text(
        "conversation_id,speaker,text\n"
        'a,customer,他说"好"吗\n'  # a quote inside an unquoted field is fine
        'b,customer,"x"y\n'  # text after a closing quote
        "b,agent,ok\n"
        'c,customer,"never closed\n'
        "d,agent,hi\n",
        "utf-8",
    )
    a, b, c = read(path)
    assert isinstance(a, Conversation) and a.turns[0].text == '他说"好"吗'
    assert isinstance(b, Rejected) and (b.conversation_id, b.source_line) == ("b", 3)
    assert b.reason.startswith("bad CSV quoting")
    assert isinstance(c, Rejected) and (c.conversation_id, c.source_line) == ("c", 5)
    assert "lines 5-6 read as one row" in c.reason


def test_csv_session_level_agent_column(tmp_path: Path) -> None:
    # Some exports fill the agent column once per session, on whatever row comes first.
    path = tmp_path / "session_agent.csv"
    path.write_text("会话ID,坐席,角色,内容\ns1,A5,顾客,在吗\ns1,,客服,您好\n", "utf-8")
    (c,) = read(path)
    assert isinstance(c, Conversation)
    assert c.agent_id == "A5"
    assert [t.agent_id for t in c.turns] == [None, "A5"]


def test_csv_missing_required_column_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nospeaker.csv"
    path.write_text("会话ID,内容\ns1,在吗\n", "utf-8")
    (rejected,) = read(path)
    assert isinstance(rejected, Rejected)
    assert rejected.source_line == 1
    assert rejected.reason == (
        "no column for 'speaker' (headers: 会话ID, 内容); give --map speaker=COLUMN"
    )


def test_explicit_mapping_wins_over_auto_detection(tmp_path: Path) -> None:
    path = tmp_path / "two_texts.csv"
    path.write_text(
        "会话编号,发送方,内容,原文,渠道\ns1,访客,[表情],在吗,电话\ns1,Bot,自动回复,您好,电话\n",
        "utf-8",
    )
    mapping = parse_map_options(["text=原文"], ["bot=agent"])
    (c,) = read(path, mapping)
    assert isinstance(c, Conversation)
    assert [t.text for t in c.turns] == ["在吗", "您好"]
    assert [t.speaker for t in c.turns] == ["customer", "agent"]  # mapping beats bot=system
    assert c.channel == "call"


@pytest.mark.parametrize("suffix", [".tsv", ".txt"])  # JD ships it as .txt: tab is sniffed
def test_tsv_without_header_by_position(tmp_path: Path, suffix: str) -> None:
    # Shaped like the JD export: session, customer, waiter_send, transfer, repeat, sku, content
    rows = [
        "s-a\tU1\t0\t0\t0\tnan\t人工客服 你好",
        "s-a\tU1\t1\t0\t0\tnan\t有什么问题我可以帮您处理或解决呢?",
        "s-b\tU2\t0\t0\t0\t123\t[订单x]什么时候到",
        "s-a\tU1\t0\t0\t0\tnan\t好的 谢谢",
        "s-b\tU2\t1\t0\t0\t123\t还请您稍等，正在为您查询~",
    ]
    path = tmp_path / f"jd{suffix}"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    mapping = parse_map_options(JD_MAPPING, JD_SPEAKERS)
    a, b = read(path, mapping)
    assert isinstance(a, Conversation) and isinstance(b, Conversation)
    assert (a.conversation_id, a.source_line, b.source_line) == ("s-a", 1, 3)
    assert [t.speaker for t in a.turns] == ["customer", "agent", "customer"]
    assert a.turns[2].text == "好的 谢谢"
    assert a.agent_id == UNKNOWN_AGENT and a.channel == "chat"


def test_position_out_of_range_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "short.tsv"
    path.write_text("s\t0\thi\n", "utf-8")
    (rejected,) = read(path, parse_map_options(JD_MAPPING, JD_SPEAKERS))
    assert isinstance(rejected, Rejected)
    assert rejected.source_line == 1 and "column 6 for 'text' is out of range" in rejected.reason


def test_undecodable_csv_row_rejects_its_conversation(tmp_path: Path) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes(
        "conversation_id,speaker,text\na,customer,在吗\n".encode()
        + b"b,customer,\xff\xfe\n"
        + "b,agent,您好\nc,agent,您好\n".encode()
    )
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Conversation", "Rejected", "Conversation"]
    assert items[1].source_line == 3 and "not valid utf-8" in items[1].reason


def test_csv_call_table_with_start_end(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "通话ID,说话人,开始(秒),结束(秒),文本\nk,坐席,0,2.5,您好\nk,来电人,3,4,喂\n",
        "utf-8",
    )
    (c,) = read(path)
    assert isinstance(c, Conversation)
    assert c.channel == "call"
    assert [(t.at_s, t.end_s) for t in c.turns] == [(0.0, 2.5), (3.0, 4.0)]


def test_parquet_table(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "会话ID": ["p1", "p1", "p2"],
            "角色": ["顾客", "客服", "用户"],
            "内容": ["在吗", "您好", "发货"],
            "工号": [None, 1024, None],
        }
    )
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    first, second = read(path)
    assert isinstance(first, Conversation) and isinstance(second, Conversation)
    assert first.agent_id == "1024"  # not "1024.0" from a float column
    assert (first.source_line, second.source_line) == (2, 4)
    assert second.agent_id == UNKNOWN_AGENT


@pytest.mark.skipif(
    not (REALDATA / "chat_sample_a.tsv").exists(),
    reason=f"real JD sample not available at {REALDATA} (it is never copied into the repo)",
)
def test_real_jd_export() -> None:
    mapping = parse_map_options(JD_MAPPING, JD_SPEAKERS)
    good, rejected = split(list(read_file(REALDATA / "chat_sample_a.tsv", "jd.tsv", mapping)))
    assert rejected == []
    assert len(good) == 994
    assert sum(len(c.turns) for c in good) == 12136


# --- Encoding ------------------------------------------------------------------------


def test_detect_encoding() -> None:
    text = "会话ID,角色,内容\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(text.encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    # one damaged line does not turn a UTF-8 file into GB18030
    damaged = (text * 5).encode("utf-8") + b"\xff\n" + (text * 5).encode("utf-8")
    assert detect_encoding(damaged) == "utf-8"


def test_mapping_encoding_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "big5.csv"
    path.write_bytes("會話ID,角色,內容\nt1,顧客,請問\n".encode("big5"))
    (c,) = read(path, ColumnMapping(encoding="big5"))
    assert isinstance(c, Conversation) and c.turns[0].text == "請問"


# --- Mapping options -----------------------------------------------------------------


def test_parse_map_options() -> None:
    mapping = parse_map_options(
        ["text=内容", "speaker=2", "Agent_ID=客服"], ["0=customer", "1=客服"]
    )
    assert mapping.columns == {"text": "内容", "speaker": 2, "agent_id": "客服"}
    assert mapping.speakers == {"0": "customer", "1": "agent"}
    assert mapping.positional is False
    assert parse_map_options(JD_MAPPING).positional is True


@pytest.mark.parametrize(
    ("pairs", "speakers", "message"),
    [
        (["text"], [], "expected NAME=VALUE"),
        (["text="], [], "expected NAME=VALUE"),
        (["body=内容"], [], "unknown field 'body'"),
        (["text=内容", "text=消息"], [], "mapped twice"),
        ([], ["0=店小二"], "is not agent, customer or system"),
        ([], ["0"], "expected NAME=VALUE"),
    ],
)
def test_parse_map_options_errors(pairs: list[str], speakers: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_map_options(pairs, speakers)


def test_column_mapping_validates_values() -> None:
    with pytest.raises(ValueError, match="delimiter"):
        ColumnMapping(delimiter="::")
    with pytest.raises(ValueError, match="channel"):
        ColumnMapping(channel="fax")
    with pytest.raises(ValueError, match="encoding"):
        ColumnMapping(encoding="klingon")
    assert ColumnMapping(delimiter="tab").delimiter == "\t"
    assert ColumnMapping(delimiter="\\t").delimiter == "\t"
    assert ColumnMapping(channel="语音").channel == "call"


def test_load_mapping(tmp_path: Path) -> None:
    path = tmp_path / "jd.yaml"
    path.write_text(
        "columns: {conversation_id: 0, speaker: 2, text: 6}\n"
        "speakers: {0: customer, 1: agent}\n"
        "header: no\n"
        "delimiter: tab\n"
        "channel: chat\n"
        "encoding: utf-8\n",
        "utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.columns == {"conversation_id": 0, "speaker": 2, "text": 6}
    assert mapping.speakers == {"0": "customer", "1": "agent"}
    assert (mapping.header, mapping.delimiter, mapping.channel) == (False, "\t", "chat")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("columns: {text: 内容}\nheaders: true\n", "unknown key 'headers'"),
        ("columns: {body: 内容}\n", "unknown field 'body'"),
        ("columns: [text]\n", "columns must be a mapping"),
        ("speakers: {0: 店小二}\n", "expected agent, customer or system"),
        ("header: maybe\n", "header must be true or false"),
        ("columns: {text: [\n", "not valid YAML"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_load_mapping_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, "utf-8")
    with pytest.raises(ValueError, match=message) as info:
        load_mapping(path)
    assert str(path) in str(info.value)


def test_cli_options_override_a_mapping_file() -> None:
    base = ColumnMapping(
        columns={"conversation_id": 0, "text": 6}, speakers={"1": "agent"}, delimiter="tab"
    )
    merged = base.merged(parse_map_options(["text=5"], ["1=system", "0=customer"]))
    assert merged.columns == {"conversation_id": 0, "text": 5}
    assert merged.speakers == {"1": "system", "0": "customer"}
    assert merged.delimiter == "\t" and merged.positional


def test_load_mapping_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="mapping file not found"):
        load_mapping(tmp_path / "nope.yaml")


# --- Discovery and dispatch ----------------------------------------------------------


def test_discover_display_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "sample_transcripts"
    (root / "b").mkdir(parents=True)
    (root / ".hidden").mkdir()
    for rel in [
        "day2.jsonl",
        "day1.jsonl",
        "b/calls.csv",
        "b/x.parquet",
        "notes.txt",
        ".secret.jsonl",
        ".hidden/z.jsonl",
        "day3.TSV",
    ]:
        (root / rel).write_text("", "utf-8")
    single = tmp_path / "elsewhere" / "a.csv"
    single.parent.mkdir()
    single.write_text("", "utf-8")
    monkeypatch.chdir(tmp_path)
    found = discover([Path("sample_transcripts"), single, Path("sample_transcripts/day1.jsonl")])
    assert [name for _, name in found] == [
        "sample_transcripts/b/calls.csv",
        "sample_transcripts/b/x.parquet",
        "sample_transcripts/day1.jsonl",
        "sample_transcripts/day2.jsonl",
        "sample_transcripts/day3.TSV",
        "a.csv",
    ]
    assert found[0][0] == Path("sample_transcripts/b/calls.csv")
    monkeypatch.chdir(root / "b")
    (_, first_name), *_ = discover([Path("..")])
    assert first_name == "sample_transcripts/b/calls.csv"


def test_discover_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"input not found: .*missing\.jsonl"):
        discover([tmp_path / "missing.jsonl"])
    with pytest.raises(FileNotFoundError):
        read_inputs([tmp_path / "missing.jsonl"])  # raises at once, not on first use


def test_read_file_never_raises(tmp_path: Path) -> None:
    garbage = tmp_path / "x.parquet"
    garbage.write_bytes(b"not parquet at all")
    notes = tmp_path / "notes.md"
    notes.write_text("# notes", "utf-8")
    for path in (garbage, notes, tmp_path / "gone.jsonl"):
        (rejected,) = read(path)
        assert isinstance(rejected, Rejected) and rejected.source_line == 0
        assert rejected.reason
    assert "unsupported file type '.md'" in read(notes)[0].reason  # type: ignore[union-attr]


def test_read_inputs_in_order(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.jsonl").write_text(line(conv("b")) + "\n", "utf-8")
    (tmp_path / "in" / "a.csv").write_text("会话ID,角色,内容\na,客户,在吗\n", "utf-8")
    items = list(read_inputs([tmp_path / "in"]))
    assert [(i.source_file, i.conversation_id) for i in items] == [
        ("in/a.csv", "a"),
        ("in/b.jsonl", "b"),
    ]


def test_jsonl_key_mapping() -> None:
    record = {"conversation_id": "m", "turns": [{"role": "顾客", "content": "在吗"}]}
    c = conversation_from_record(
        record, "x", 1, parse_map_options(["speaker=role", "text=content"])
    )
    assert isinstance(c, Conversation) and c.turns[0].text == "在吗"
