"""Reader of the canonical format: JSON Lines, one conversation per line (and .json files).

Every bad line becomes a `Rejected` with its 1-based physical line number; the good lines
around it still come through.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson

from cs_qa.core.model import Conversation, ReasonCode, Rejected
from cs_qa.ingest.convert import RawTurn, RecordError, build_conversation, clean_id
from cs_qa.ingest.encoding import (
    ESCAPED,
    binary_reason,
    describe_decode_error,
    describe_escaped,
    file_encoding,
    raw_lines,
    read_whole,
)
from cs_qa.ingest.mapping import ColumnMapping

_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _key(mapping: ColumnMapping | None, field: str) -> str:
    # A mapping may rename JSON keys too (e.g. text=content); positions mean nothing here.
    if mapping is not None:
        column = mapping.columns.get(field)
        if isinstance(column, str):
            return column
    return field


def conversation_from_record(
    data: object, name: str, line_no: int, mapping: ColumnMapping | None = None
) -> Conversation | Rejected:
    """Build a conversation from one parsed JSON record, or say why it cannot be scored."""
    if not isinstance(data, dict):
        return Rejected(
            name, line_no, f"expected a JSON object, got {_json_type(data)}", code="wrong_type"
        )
    try:
        cid = clean_id(data.get(_key(mapping, "conversation_id")), "conversation_id")
    except RecordError as exc:
        return Rejected(name, line_no, exc.reason, code=exc.code)
    if cid is None:
        return Rejected(name, line_no, "missing conversation_id", code="missing_field")
    turns = data.get("turns")
    if turns is None:
        return Rejected(name, line_no, "missing turns", cid, code="missing_field")
    if not isinstance(turns, list):
        return Rejected(
            name, line_no, f"turns must be a list, got {_json_type(turns)}", cid, code="wrong_type"
        )

    k_speaker, k_text, k_ts = (_key(mapping, f) for f in ("speaker", "text", "ts"))
    k_start, k_end, k_agent = (_key(mapping, f) for f in ("start", "end", "agent_id"))
    raw_turns: list[RawTurn] = []
    for i, turn in enumerate(turns, 1):
        if not isinstance(turn, dict):
            return Rejected(
                name,
                line_no,
                f"turn {i}: expected an object, got {_json_type(turn)}",
                cid,
                code="wrong_type",
            )
        raw_turns.append(
            RawTurn(
                turn.get(k_speaker),
                turn.get(k_text),
                turn.get(k_ts),
                turn.get(k_start),
                turn.get(k_end),
                turn.get(k_agent),
            )
        )
    try:
        return build_conversation(
            cid,
            raw_turns,
            channel=data.get(_key(mapping, "channel")),
            agent_id=data.get(k_agent),
            started_at=data.get(_key(mapping, "started_at")),
            speakers=mapping.speakers if mapping else None,
            default_channel=mapping.channel if mapping else None,
            source_file=name,
            source_line=line_no,
        )
    except RecordError as exc:
        where = f"turn {exc.turn_index + 1}: " if exc.turn_index is not None else ""
        return Rejected(name, line_no, where + exc.reason, cid, code=exc.code)


# Turns one parsed JSON record into a result. Arguments: the record, the line where it
# starts, and its 1-based position in the file (0 when the file is a single object).
RecordConverter = Callable[[object, int, int], Conversation | Rejected]


def _invalid_json(exc: orjson.JSONDecodeError) -> str:
    return f"invalid JSON: {exc.msg} at column {exc.colno}"


def _read_lines(
    lines: Iterable[tuple[int, bytes]], encoding: str, name: str, convert: RecordConverter
) -> Iterator[Conversation | Rejected]:
    index = 0
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
    for line_no, raw in lines:
        if not raw.strip():
            continue  # blank lines (and a trailing newline) are not records
        index += 1
        if utf8:
            # orjson reads UTF-8 bytes itself; a line it refuses (bad UTF-8, a BOM, bad
            # JSON) goes the checked way below for a precise reason.
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass
            else:
                yield convert(data, line_no, index)
                continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            yield Rejected(name, line_no, describe_decode_error(exc, encoding), code="encoding")
            continue
        if text.startswith("\ufeff"):
            text = text[1:]  # a BOM left inside concatenated files
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield Rejected(name, line_no, _invalid_json(exc), code="bad_json")
            continue
        yield convert(data, line_no, index)


def read_jsonl(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read a JSON Lines file, one conversation per line."""
    encoding = file_encoding(path, mapping.encoding if mapping else None)
    lines, encoding = raw_lines(path, encoding)
    yield from _read_lines(lines, encoding, name, _canonical(name, mapping))


def _canonical(name: str, mapping: ColumnMapping | None) -> RecordConverter:
    return lambda data, line_no, _index: conversation_from_record(data, name, line_no, mapping)


def read_json(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read a .json file: an array of conversations, a single conversation, or JSON Lines."""
    yield from read_json_records(path, name, mapping, _canonical(name, mapping))


def read_json_records(
    path: Path, name: str, mapping: ColumnMapping | None, convert: RecordConverter
) -> Iterator[Conversation | Rejected]:
    """Walk a .json file (one object, an array of objects, or JSON Lines) and hand each
    record to `convert` with the line where it starts. Shared by the canonical and the
    speech-recognition readers.

    A file whose first line is a whole JSON value with more lines after it is JSON Lines,
    even when that first value is an array (which is then one bad record); an array that
    spans lines, or a file of one line, is an array of records."""
    data, encoding = read_whole(path, mapping.encoding if mapping else None)
    damaged = None  # the encoding, when some bytes do not decode in it
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
            text = None  # no line breaks to go by: the line reader says what is wrong
        else:
            # Bad bytes stay in the text as escapes, so that an array keeps the records
            # around them and each record that holds some is rejected at its line.
            text = data.decode(encoding, errors="surrogateescape")
            damaged = encoding
    if text is not None:
        body = text.lstrip("\ufeff \t\r\n")
        first_line = text.count("\n", 0, len(text) - len(body)) + 1
        if body.startswith("[") and not _first_line_then_more(body):
            yield from _read_array(text, name, convert, damaged)
            return
    if text is not None and damaged is None:
        if body.startswith("{"):
            try:
                record = orjson.loads(body)
            except orjson.JSONDecodeError:
                record = None  # several lines of records: JSON Lines
            if record is not None:
                yield convert(record, first_line, 0)
                return
        # Split on "\n" only, as the file reader does: str.splitlines would also split on
        # U+2028 and friends, which JSON strings may contain.
        yield from _read_lines(
            enumerate(text.encode("utf-8").split(b"\n"), 1), "utf-8", name, convert
        )
        return
    # Damaged JSON Lines: line by line from the bytes, so that each bad line is named.
    lines, encoding = raw_lines(path, encoding)
    yield from _read_lines(lines, encoding, name, convert)


def _first_line_then_more(body: str) -> bool:
    first, _, rest = body.partition("\n")
    if not rest.strip():
        return False
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return True


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n\ufeff":
        pos += 1
    return pos


def _read_array(
    text: str, name: str, convert: RecordConverter, damaged: str | None = None
) -> Iterator[Conversation | Rejected]:
    # The stdlib decoder can resume at an offset, which gives each element's line number;
    # orjson can only parse the whole array. `damaged` is the encoding when undecodable
    # bytes are in `text` as surrogate escapes: an element holding one is rejected.
    decoder = json.JSONDecoder()
    line, counted = 1, 0

    def line_at(pos: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, pos)
        counted = pos
        return line

    pos = _skip_ws(text, 0) + 1  # past "["
    pos = _skip_ws(text, pos)
    if pos < len(text) and text[pos] == "]":
        yield from _after_array(text, pos, name, line_at)
        return
    index = 0
    while True:
        try:
            record, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg} at column {exc.colno}"
            code: ReasonCode = "bad_json"
            if damaged and exc.pos < len(text) and ESCAPED.match(text, exc.pos):
                reason, code = describe_escaped(text, exc.pos, damaged), "encoding"
            yield Rejected(name, exc.lineno, reason + "; rest of file skipped", code=code)
            return
        index += 1
        bad = ESCAPED.search(text, pos, end) if damaged else None
        if damaged and bad is not None:
            yield Rejected(
                name,
                line_at(bad.start()),
                describe_escaped(text, bad.start(), damaged),
                code="encoding",
            )
        else:
            yield convert(record, line_at(pos), index)
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            yield from _after_array(text, pos, name, line_at)
            return
        where = line_at(min(pos, len(text)))
        yield Rejected(
            name,
            where,
            "invalid JSON: expected ',' or ']' in the array; rest of file skipped",
            code="bad_json",
        )
        return


def _after_array(
    text: str, close: int, name: str, line_at: Callable[[int], int]
) -> Iterator[Rejected]:
    # Whatever follows the closing bracket would otherwise be dropped without a word.
    pos = _skip_ws(text, close + 1)
    if pos < len(text):
        yield Rejected(
            name,
            line_at(pos),
            "unexpected content after the JSON array; rest of file skipped",
            code="bad_json",
        )


def read_jsonl_range(
    path: Path,
    name: str,
    mapping: ColumnMapping | None,
    start: int,
    end: int,
    first_line: int,
) -> Iterator[Conversation | Rejected]:
    """The lines of a JSON Lines file between byte offsets `start` and `end` (both on
    line boundaries), numbered from `first_line`: how a large file is split between
    workers while reporting true line numbers. A file that is not text is one rejection,
    given by the range that starts the file (`read_file` does the same for whole files)."""
    reason = binary_reason(path, mapping.encoding if mapping else None)
    if reason is not None:
        if start == 0:
            yield Rejected(name, 0, reason, code="binary_file")
        return
    encoding = file_encoding(path, mapping.encoding if mapping else None)

    def lines() -> Iterator[tuple[int, bytes]]:
        with path.open("rb") as f:
            f.seek(start)
            line_no = first_line
            position = start
            while position < end:
                raw = f.readline()
                if not raw:
                    return
                yield line_no, raw
                position += len(raw)
                line_no += 1

    yield from _read_lines(lines(), encoding, name, _canonical(name, mapping))
