"""Files that are not text, and text files that turn to junk part way.

A binary file under a text suffix (an image, an archive, noise renamed .jsonl) is one
rejection naming the file, at line 0, whatever its reader; a file that starts as text
keeps its good records, and its junk lines are errors at their own lines. The rule is
`cs_qa.ingest.encoding.binary_reason`.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import zipfile
from pathlib import Path

import pytest

from cs_qa.core.model import Conversation, Rejected
from cs_qa.ingest import ColumnMapping, read_file
from cs_qa.ingest.encoding import binary_reason
from cs_qa.ingest.jsonl import read_jsonl_range

TEXT_SUFFIXES = [".jsonl", ".json", ".csv", ".tsv", ".txt", ".log", ".vtt", ".srt"]
NOISE = random.Random(20261203).randbytes(4096)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("chats.jsonl", '{"conversation_id": "c-1"}\n' * 50)
    return buffer.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    b"\x1f\xf3\xffa\x00\x00\x00\x0bIDATx\x9cc`\x18\x05\x00\x00\x10\x00\x01\x00\x00\x00\x00IEND"
)
BINARIES = {
    "noise": NOISE,
    "png": PNG,
    "gzip": gzip.compress(b'{"conversation_id": "c-1"}\n' * 50, mtime=0),
    "zip": _zip(),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 /Filter /FlateDecode >>\nstream\n"
    + NOISE[:300]
    + b"\nendstream\nendobj\n",
    "nul-only": b"\x00" * 2048,
    "bom-junk": b"\xff\xfe\x00\x00garbage",  # a UTF-32 byte-order mark, then no UTF-32
}

RECORD = {
    "conversation_id": "c-1",
    "agent_id": "A1",
    "turns": [
        {"speaker": "customer", "text": "在吗", "ts": "2026-11-21T09:00:00+08:00"},
        {"speaker": "agent", "text": "您好", "ts": "2026-11-21T09:00:05+08:00"},
    ],
}


def record(cid: str) -> bytes:
    return json.dumps({**RECORD, "conversation_id": cid}, ensure_ascii=False).encode("utf-8")


def read(path: Path, mapping: ColumnMapping | None = None) -> list[Conversation | Rejected]:
    return list(read_file(path, path.name, mapping))


def junk_lines(data: bytes, after: int) -> set[int]:
    """The non-blank lines of `data` after line `after`."""
    return {n for n, line in enumerate(data.split(b"\n"), 1) if n > after and line.strip()}


@pytest.mark.parametrize("kind", sorted(BINARIES))
@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
def test_a_binary_file_is_one_rejection_naming_it(tmp_path: Path, suffix: str, kind: str) -> None:
    path = tmp_path / f"{kind}{suffix}"
    path.write_bytes(BINARIES[kind])
    (only,) = read(path)
    assert isinstance(only, Rejected)
    assert (only.source_file, only.source_line) == (path.name, 0)
    assert only.reason.startswith("not a text file"), only.reason


def test_the_reason_says_what_the_file_is(tmp_path: Path) -> None:
    path = tmp_path / "call.jsonl"
    path.write_bytes(PNG)
    assert binary_reason(path) == "not a text file: it starts like a PNG image"
    path.write_bytes(NOISE)
    reason = binary_reason(path)
    assert reason is not None and "lines are binary data" in reason and "GB18030" in reason


def test_a_large_binary_jsonl_split_between_workers_is_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(NOISE * 4)
    size = path.stat().st_size
    first = list(read_jsonl_range(path, "big.jsonl", None, 0, size // 2, 1))
    rest = list(read_jsonl_range(path, "big.jsonl", None, size // 2, size, 40))
    assert [(r.source_line, r.reason[:15]) for r in first] == [(0, "not a text file")]
    assert rest == []


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".jsonl", "\n".join(json.dumps({**RECORD, "conversation_id": "会话一"}, ensure_ascii=False)
                             for _ in range(1))),
        (".csv", "会话编号,发送方,发送时间,消息内容\nc-1,顾客,2026-11-21 10:00:00,在吗\n"
                 "c-1,客服,2026-11-21 10:00:04,您好，请问有什么可以帮您\n"),
        (".txt", "=== 会话 c-1 ===\n2026-11-21 10:00:01 客服小美: 您好\n"
                 "2026-11-21 10:00:15 顾客: 在吗\n"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_text_in_every_supported_encoding_is_text(
    tmp_path: Path, suffix: str, text: str, encoding: str
) -> None:
    path = tmp_path / f"chats{suffix}"
    path.write_bytes(text.encode(encoding))
    assert binary_reason(path) is None
    items = read(path)
    assert items and all(isinstance(i, Conversation) for i in items), items


def test_a_table_with_a_control_byte_delimiter_is_text(tmp_path: Path) -> None:
    # Hive exports separate fields with \x01; the mapping names it.
    path = tmp_path / "hive.txt"
    rows = ["会话编号\x01发送方\x01消息内容", "c-1\x01顾客\x01在吗", "c-1\x01客服\x01您好"]
    path.write_bytes("\n".join(rows).encode("utf-8"))
    (c,) = read(path, ColumnMapping(delimiter="\x01"))
    assert isinstance(c, Conversation) and c.turns[1].text == "您好"


def test_jsonl_that_turns_to_junk_keeps_its_good_lines(tmp_path: Path) -> None:
    path = tmp_path / "half.jsonl"
    data = b"\n".join([record("c-1"), record("c-2"), record("c-3")]) + b"\n" + NOISE
    path.write_bytes(data)
    items = read(path)
    good = [i for i in items if isinstance(i, Conversation)]
    assert [c.conversation_id for c in good] == ["c-1", "c-2", "c-3"]
    assert good[0].turns[1].text == "您好"  # still read as UTF-8
    assert {r.source_line for r in items if isinstance(r, Rejected)} == junk_lines(data, 3)


def test_jsonl_whose_first_line_is_damaged_is_still_text(tmp_path: Path) -> None:
    # One junk line first, then mostly good records: not a binary file.
    path = tmp_path / "first.jsonl"
    path.write_bytes(b"\x00\x01\x02junk\n" + b"\n".join(record(f"c-{i}") for i in range(3)))
    items = read(path)
    assert [(i.source_line if isinstance(i, Rejected) else i.conversation_id) for i in items] == [
        1,
        "c-0",
        "c-1",
        "c-2",
    ]


def test_a_json_array_that_turns_to_junk_keeps_its_elements(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    body = json.dumps(
        [{**RECORD, "conversation_id": f"c-{i}"} for i in range(3)], ensure_ascii=False, indent=1
    ).encode("utf-8")
    path.write_bytes(body + b"\n" + NOISE[:500])
    items = read(path)
    assert [i.conversation_id for i in items if isinstance(i, Conversation)] == [
        "c-0",
        "c-1",
        "c-2",
    ]
    (error,) = [i for i in items if isinstance(i, Rejected)]
    assert error.source_line == body.count(b"\n") + 2
    assert "after the JSON array" in error.reason


def test_undecodable_bytes_inside_a_json_array_reject_only_their_element(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    lines = [b"["] + [record(f"c-{i}") + b"," for i in range(3)] + [record("c-3"), b"]"]
    lines[2] = lines[2].replace("您好".encode(), b"\xff\xfe")  # c-1, on line 3
    path.write_bytes(b"\n".join(lines))
    items = read(path)
    assert [i.conversation_id for i in items if isinstance(i, Conversation)] == [
        "c-0",
        "c-2",
        "c-3",
    ]
    (error,) = [i for i in items if isinstance(i, Rejected)]
    assert error.source_line == 3 and "not valid utf-8: bytes ff fe" in error.reason


def test_a_table_that_turns_to_junk_keeps_its_good_conversations(tmp_path: Path) -> None:
    path = tmp_path / "half.csv"
    head = (
        "会话编号,发送方,发送时间,消息内容\nc-1,顾客,2026-11-21 10:00:00,在吗\n"
        "c-1,客服,2026-11-21 10:00:04,您好\nc-2,顾客,2026-11-21 10:00:00,在吗\n"
    ).encode()
    path.write_bytes(head + NOISE)
    items = read(path)
    assert [i.conversation_id for i in items if isinstance(i, Conversation)] == ["c-1", "c-2"]
    errors = [i for i in items if isinstance(i, Rejected)]
    assert errors and all(e.source_line > 4 for e in errors)


def test_a_chat_log_that_turns_to_junk_keeps_its_good_conversations(tmp_path: Path) -> None:
    path = tmp_path / "half.log"
    head = (
        "=== 会话 c-1 ===\n2026-11-21 10:00:01 客服小美: 您好\n2026-11-21 10:00:15 顾客: 在吗\n"
        "=== 会话 c-2 ===\n2026-11-21 10:00:01 顾客: 在吗\n"
    ).encode()
    # Junk that decodes (NUL bytes are ASCII) would otherwise become more of c-2's message.
    path.write_bytes(head + b"\x00\x00\x00abc\x00\n")
    items = read(path)
    assert isinstance(items[0], Conversation) and items[0].conversation_id == "c-1"
    assert isinstance(items[1], Rejected)
    assert (items[1].conversation_id, items[1].source_line) == ("c-2", 6)
    assert "NUL" in items[1].reason


def test_junk_lines_do_not_outvote_a_utf8_line(tmp_path: Path) -> None:
    # b"\x00\xb0\xa1" decodes as GB18030 and not as UTF-8: two such lines used to outvote
    # the one UTF-8 record, which was then scored as 鎮ㄥソ instead of 您好.
    path = tmp_path / "a.jsonl"
    path.write_bytes(record("c-1") + b"\n\x00\xb0\xa1\n\x00\xb0\xa1\n")
    c, *errors = read(path)
    assert isinstance(c, Conversation) and c.turns[1].text == "您好"
    assert [e.source_line for e in errors if isinstance(e, Rejected)] == [2, 3]


def test_short_gb18030_junk_does_not_outvote_a_utf8_line(tmp_path: Path) -> None:
    # Found by the property test of good records followed by junk: b"\x81@" is one
    # GB18030 character, and two such lines outvoted a record whose UTF-8 text has six
    # non-ASCII bytes. Lines now weigh what they hold.
    path = tmp_path / "a.jsonl"
    path.write_bytes(record("c-1") + b"\n\x81@\n\x81@")
    c, *errors = read(path)
    assert isinstance(c, Conversation) and c.turns[1].text == "您好"
    assert [e.source_line for e in errors if isinstance(e, Rejected)] == [2, 3]
