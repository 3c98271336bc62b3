"""Reason codes of rejected records (cs_qa.core.model.ReasonCode): every code is
documented in docs/formats.md and given somewhere, and bad inputs of every format get
the code of what is wrong with them, in the reader and in the `errors` table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cs_qa.core.model import REASON_CODES, Rejected
from cs_qa.engine.run import score_inputs
from cs_qa.ingest import read_file
from cs_qa.packs.loader import load_pack

ROOT = Path(__file__).resolve().parent.parent
FORMATS_DOC = ROOT / "docs" / "formats.md"


def _documented_codes() -> list[str]:
    text = FORMATS_DOC.read_text(encoding="utf-8")
    section = text.split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def test_every_code_is_documented_once_and_the_table_lists_no_other() -> None:
    documented = _documented_codes()
    assert len(documented) == len(set(documented))
    assert sorted(documented) == sorted(REASON_CODES)


def test_every_code_given_in_the_source_is_known_and_every_code_is_given() -> None:
    # mypy checks every code given against ReasonCode; this also finds a code no one gives.
    given: set[str] = set()
    literals: set[str] = set()
    for path in (ROOT / "cs_qa").rglob("*.py"):
        if path.relative_to(ROOT).as_posix() == "cs_qa/core/model.py":
            continue
        text = path.read_text(encoding="utf-8")
        given.update(re.findall(r"""\bcode=["']([a-z_]+)["']""", text))
        literals.update(re.findall(r"""["']([a-z_]+)["']""", text))
    assert given, "no code=... found: the pattern is out of date"
    assert given <= set(REASON_CODES), given - set(REASON_CODES)
    assert set(REASON_CODES) <= literals, set(REASON_CODES) - literals


GOOD_TURNS = [
    {"speaker": "customer", "text": "在吗", "ts": "2026-11-21T09:00:00+08:00"},
    {"speaker": "agent", "text": "您好", "ts": "2026-11-21T09:00:05+08:00"},
]


def _line(**fields: object) -> str:
    record = {"conversation_id": "c1", "turns": GOOD_TURNS, **fields}
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)


def _turn(**fields: object) -> str:
    turn = {"speaker": "agent", "text": "您好", **fields}
    return _line(turns=[{k: v for k, v in turn.items() if v is not None}])


# (file name, content, expected (line, code) of every rejection)
CASES: list[tuple[str, str | bytes, list[tuple[int, str]]]] = [
    ("a.md", "# notes", [(0, "unsupported_file")]),
    ("a.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), [(0, "binary_file")]),
    ("a.jsonl", "{broken json\n", [(1, "bad_json")]),
    ("a.jsonl", "[1, 2]\n", [(1, "wrong_type")]),
    ("a.jsonl", _line(turns="hello") + "\n", [(1, "wrong_type")]),
    ("a.jsonl", _line(conversation_id=[1]) + "\n", [(1, "wrong_type")]),
    ("a.jsonl", json.dumps({"turns": GOOD_TURNS}) + "\n", [(1, "missing_field")]),
    ("a.jsonl", json.dumps({"conversation_id": "c1"}) + "\n", [(1, "missing_field")]),
    ("a.jsonl", _line(turns=[]) + "\n", [(1, "no_turns")]),
    ("a.jsonl", _turn(speaker="店小二") + "\n", [(1, "unknown_speaker")]),
    ("a.jsonl", _turn(speaker="") + "\n", [(1, "no_speaker")]),
    ("a.jsonl", _turn(text=" ") + "\n", [(1, "empty_text")]),
    ("a.jsonl", _turn(ts="not a time") + "\n", [(1, "bad_timestamp")]),
    ("a.jsonl", _turn(start="x") + "\n", [(1, "bad_timestamp")]),
    ("a.jsonl", _turn(end=3) + "\n", [(1, "missing_time")]),
    ("a.jsonl", _turn(start=5, end=3) + "\n", [(1, "end_before_start")]),
    ("a.jsonl", _turn(start=5, ts="2026-11-21T09:00:00") + "\n", [(1, "mixed_times")]),
    ("a.jsonl", _line(channel="email") + "\n", [(1, "unknown_channel")]),
    ("a.csv", "会话编号,发送方\nk-1,顾客\n", [(1, "missing_column")]),
    (
        "a.csv",
        '会话编号,发送方,消息内容\nk-1,顾客,"在吗\nk-1,客服,您好\n',
        [(2, "bad_quoting")],
    ),
    ("a.csv", "会话编号,发送方,消息内容\nk-1,顾客,在\x00吗\nk-2,顾客,在吗\n", [(2, "binary_line")]),
    ("a.csv", "会话编号,发送方,消息内容\n,顾客,在吗\n", [(2, "missing_field")]),
    ("a.txt", "hello\nworld\n", [(0, "wrong_format")]),
    ("a.vtt", "00:00:00.000 --> 00:00:01.000\n<v 客服>您好\n", [(1, "wrong_format")]),
    ("a.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n张三：您好\n", [(3, "unknown_speaker")]),
    ("a.srt", "1\n00:00:0x,000 --> 00:00:01,000\n客服：您好\n", [(1, "bad_timestamp")]),
    ("a.srt", "1\n客服：您好\n", [(1, "missing_time")]),
    (
        "a.json",
        json.dumps({"call_id": "x", "sentences": [{"begin_time": 0, "end_time": 5, "text": "喂"}]}),
        [(1, "no_speaker")],
    ),
    ("a.json", json.dumps({"call_id": "x", "sentences": []}), [(1, "no_turns")]),
]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    CASES,
    ids=[f"{i}-{c[2][0][1] if c[2] else 'none'}" for i, c in enumerate(CASES)],
)
def test_bad_inputs_get_the_code_of_what_is_wrong(
    tmp_path: Path, name: str, content: str | bytes, expected: list[tuple[int, str]]
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    rejected = [item for item in read_file(path, name) if isinstance(item, Rejected)]
    assert [(r.source_line, r.code) for r in rejected] == expected, [r.reason for r in rejected]


def test_an_undecodable_line_is_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes((_line() + "\n").encode() + b'{"conversation_id": "\xff\xfe"}\n')
    rejected = [item for item in read_file(path, path.name) if isinstance(item, Rejected)]
    assert [(r.source_line, r.code) for r in rejected] == [(2, "encoding")]


def test_the_errors_table_stores_each_code_beside_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [_line(), "{broken json", _turn(speaker="店小二"), _line()]  # the last: a repeat
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "b.csv").write_text("会话编号,发送方\nk-1,顾客\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = score_inputs([folder], load_pack(None), out)
    errors = pd.read_parquet(out / "errors")
    assert list(errors.columns) == [
        "source_file",
        "source_line",
        "conversation_id",
        "reason",
        "reason_code",
    ]
    assert list(zip(errors.source_file, errors.source_line, errors.reason_code, strict=True)) == [
        ("in/a.jsonl", 2, "bad_json"),
        ("in/a.jsonl", 3, "unknown_speaker"),
        ("in/a.jsonl", 4, "duplicate_id"),
        ("in/b.csv", 1, "missing_column"),
    ]
    assert errors.reason.iloc[2].startswith("duplicate conversation_id 'c1'")
    # the terminal's sample of rejections carries the codes too
    assert [r.code for r in summary.errors] == list(errors.reason_code)
