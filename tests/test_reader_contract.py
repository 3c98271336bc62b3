"""The reader contract, run over every entry of the reader registry (cs_qa.ingest.FORMATS).

Whatever its format, a reader: is chosen for its own files; turns a good file into
conversations that name their file and line; reads the same file the same way twice;
never raises, whatever the bytes (a truncated file, junk); makes a file that is not text
one rejection at line 0; finds no records in an empty text file. A format added to the
registry without an example here fails `test_every_format_has_an_example`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SAMPLE

from cs_qa.core.model import REASON_CODES, SPEAKERS, Conversation, Rejected
from cs_qa.ingest import FORMATS, Format, detect_format, read_file

DAY = SAMPLE / "chat_2026-11-16.jsonl"


def _records(n: int) -> list[dict]:
    return [json.loads(line) for line in DAY.read_text(encoding="utf-8").splitlines()[:n]]


def _parquet() -> bytes:
    rows = [
        (r["conversation_id"], t["speaker"], t["text"], r.get("agent_id"))
        for r in _records(3)
        for t in r["turns"]
    ]
    table = pa.table(
        {
            "conversation_id": [r[0] for r in rows],
            "speaker": [r[1] for r in rows],
            "text": [r[2] for r in rows],
            "agent_id": [r[3] for r in rows],
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _first(folder: str, suffix: str) -> bytes:
    return sorted((SAMPLE / folder).glob(f"*{suffix}"))[0].read_bytes()


# format name -> (file suffix, the bytes of a good file)
EXAMPLES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "jsonl": (
        ".jsonl",
        lambda: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records(3)).encode(),
    ),
    "asr-json": (".json", lambda: _first("asr", ".json")),
    "json": (".json", lambda: json.dumps(_records(3), ensure_ascii=False).encode()),
    "table": (".csv", lambda: (SAMPLE / "shop_b_export.csv").read_bytes()),
    "parquet": (".parquet", _parquet),
    "chat-log": (".txt", lambda: _first("chatlogs", ".txt")),
    "table-txt": (
        ".txt",
        lambda: "conversation_id\tspeaker\ttext\nt1\tcustomer\t在吗\nt1\tagent\t您好\n".encode(),
    ),
    "webvtt": (".vtt", lambda: _first("subtitles", ".vtt")),
    "srt": (".srt", lambda: _first("subtitles", ".srt")),
}
JUNK = bytes(range(256)) * 64  # NUL and every control byte: not text in any encoding

FORMAT_IDS = [f.name for f in FORMATS]


def _write(tmp_path: Path, fmt: Format, content: bytes) -> Path:
    suffix, _ = EXAMPLES[fmt.name]
    path = tmp_path / f"{fmt.name}{suffix}"
    path.write_bytes(content)
    return path


def test_every_format_has_an_example():
    assert set(EXAMPLES) == set(FORMAT_IDS)


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_a_good_file_is_read_as_conversations_that_name_their_line(tmp_path, fmt):
    path = _write(tmp_path, fmt, EXAMPLES[fmt.name][1]())
    assert detect_format(path) == fmt
    items = list(read_file(path, path.name))
    conversations = [i for i in items if isinstance(i, Conversation)]
    assert conversations and len(conversations) == len(items), items
    for conv in conversations:
        assert conv.conversation_id and conv.turns
        assert conv.source_file == path.name and conv.source_line >= 1
        assert {t.speaker for t in conv.turns} <= set(SPEAKERS)
    assert list(read_file(path, path.name)) == items  # the same file, the same records


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_a_truncated_file_never_raises(tmp_path, fmt):
    good = EXAMPLES[fmt.name][1]()
    for cut in (1, len(good) // 3, len(good) // 2, len(good) - 1):
        path = _write(tmp_path, fmt, good[:cut])
        for item in read_file(path, path.name):
            assert isinstance(item, Conversation | Rejected)
            if isinstance(item, Rejected):
                assert item.source_file == path.name and item.reason
                assert item.code in REASON_CODES


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_a_file_that_is_not_text_is_one_rejection(tmp_path, fmt):
    path = _write(tmp_path, fmt, JUNK)
    items = list(read_file(path, path.name))
    assert len(items) == 1 and isinstance(items[0], Rejected), items
    assert (items[0].source_file, items[0].source_line) == (path.name, 0)
    # a text format's reader never sees it; Parquet's own reader finds it unreadable
    assert items[0].code == ("binary_file" if fmt.text else "unreadable_file"), items[0].reason


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.name != "parquet"], ids=lambda f: f.name)
def test_an_empty_text_file_has_no_records(tmp_path, fmt):
    path = _write(tmp_path, fmt, b"\n  \n")
    assert list(read_file(path, path.name)) == []
