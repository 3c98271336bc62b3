"""Reader of long tables (CSV, TSV, Parquet): one message per row, grouped by conversation.

Headers are recognised in English and Chinese; a `ColumnMapping` overrides them or maps
columns by position for exports without a header row. A bad row rejects its whole
conversation (with that row's line); a missing required column rejects the file.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from cs_qa.core.model import Conversation, ReasonCode, Rejected
from cs_qa.ingest.convert import RawTurn, RecordError, build_conversation, clean_id, is_blank
from cs_qa.ingest.encoding import describe_decode_error, file_encoding, nul_reason, raw_lines
from cs_qa.ingest.mapping import FIELDS, ColumnMapping

REQUIRED: tuple[str, ...] = ("conversation_id", "speaker", "text")

# Why a row cannot be read at all (bad bytes, broken quoting): its code and reason.
RowError = tuple[ReasonCode, str]

# Long messages (pasted logs, merged turns) exceed csv's default 128 KiB field limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _norm_header(name: object) -> str:
    # "Conversation ID", "conversation_id" and "会话ID" all compare equal to their alias.
    text = str(name).strip().lstrip("\ufeff").lower()
    for a, b in (("（", "("), ("）", ")"), (" ", ""), ("_", ""), ("-", ""), ("\u3000", "")):
        text = text.replace(a, b)
    return text


# Header names per field, whitespace-separated; compared after _norm_header.
_ALIASES: dict[str, str] = {
    "conversation_id": """
        conversation_id conversation session_id session dialog_id dialogue_id chat_id call_id
        会话ID 会话编号 会话号 对话ID 对话编号 工单号 工单编号 通话ID 通话编号
        會話ID 會話編號 對話ID 對話編號
    """,
    "agent_id": """
        agent_id agent staff_id waiter_id operator_id
        客服ID 客服工号 工号 坐席 坐席工号 坐席ID 座席 座席工号 客服 客服账号
        客服工號 工號 坐席工號 客服帳號
    """,
    "speaker": """
        speaker role sender sender_type speaker_role
        角色 发送方 发送者 说话人 发言人 发送人 發送方 發送者 說話人 發言人
    """,
    "ts": """
        ts time timestamp datetime send_time sent_at created_at msg_time message_time
        时间 发送时间 消息时间 时间戳 時間 發送時間 消息時間
    """,
    "start": """
        start start_s start(s) start_sec
        开始 开始时间(秒) 开始(秒) 起始(秒) 開始 開始時間(秒) 開始(秒)
    """,
    "end": "end end_s end(s) end_sec 结束 结束(秒) 结束时间(秒) 結束 結束(秒) 結束時間(秒)",
    "text": """
        text content message msg body utterance transcript
        内容 消息内容 文本 消息 聊天内容 对话内容 內容 訊息內容 訊息 對話內容
    """,
    "channel": "channel 渠道 通道 渠道类型 渠道類型",
    "started_at": "started_at session_start 会话开始时间 會話開始時間",
}

HEADER_ALIASES: dict[str, str] = {
    _norm_header(alias): f for f, aliases in _ALIASES.items() for alias in aliases.split()
}


class FileError(Exception):
    """The whole file cannot be read as a table (reason for a line-1 rejection): a column
    it needs is missing."""

    code: ReasonCode = "missing_column"


def _cut(text: str, limit: int = 300) -> str:
    # A header line of megabytes (a file that is not a table) must not become the reason.
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def resolve_columns(
    header: Sequence[object] | None, n_columns: int, mapping: ColumnMapping | None
) -> dict[str, int]:
    """Column index of each canonical field present: explicit mapping first, then the
    header names. Raises FileError naming what is missing."""
    shown = (
        _cut(", ".join(str(h) for h in header))
        if header is not None
        else f"no header row, {n_columns} columns"
    )
    norm = [_norm_header(h) for h in header] if header is not None else []
    found: dict[str, int] = {}
    explicit = mapping.columns if mapping else {}
    for f, column in explicit.items():
        if isinstance(column, int):
            if column >= n_columns:
                raise FileError(
                    f"column {column} for {f!r} is out of range (the file has {n_columns} "
                    f"columns, numbered from 0)"
                )
            found[f] = column
        else:
            try:
                found[f] = norm.index(_norm_header(column))
            except ValueError:
                raise FileError(f"no column {column!r} for {f!r} (headers: {shown})") from None
    taken = set(found.values())
    for index, name in enumerate(norm):
        alias = HEADER_ALIASES.get(name)
        if alias is not None and alias not in found and index not in taken:
            found[alias] = index
            taken.add(index)
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        fields = " or ".join(repr(f) for f in missing)
        hint = " ".join(f"--map {f}=COLUMN" for f in missing)
        raise FileError(f"no column for {fields} (headers: {shown}); give {hint}")
    return found


@dataclass(slots=True)
class _Group:
    first_line: int
    lines: list[int] = field(default_factory=list)
    turns: list[RawTurn] = field(default_factory=list)
    channel: object = None
    started_at: object = None
    any_agent_id: str | None = None
    error: tuple[int, RowError] | None = None


def _cell(row: Sequence[object], index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _group_rows(
    name: str,
    columns: dict[str, int],
    rows: Iterable[tuple[int, Sequence[object], RowError | None]],
    mapping: ColumnMapping | None,
) -> Iterator[Conversation | Rejected]:
    """Group rows by conversation (first-appearance order) and build each conversation."""
    c = {f: columns.get(f) for f in FIELDS}
    groups: dict[str, _Group] = {}
    stray: list[Rejected] = []  # rows that belong to no conversation
    for line, row, row_error in rows:
        try:
            cid = clean_id(_cell(row, c["conversation_id"]), "conversation_id")
        except RecordError as exc:
            code, reason = row_error or (exc.code, exc.reason)
            stray.append(Rejected(name, line, reason, code=code))
            continue
        if cid is None:
            code, reason = row_error or ("missing_field", "row has no conversation_id")
            stray.append(Rejected(name, line, reason, code=code))
            continue
        group = groups.get(cid)
        if group is None:
            group = groups[cid] = _Group(line)
        if group.error is not None:
            continue
        if row_error is not None:
            group.error = (line, row_error)
            continue
        agent = _cell(row, c["agent_id"])
        group.lines.append(line)
        group.turns.append(
            RawTurn(
                _cell(row, c["speaker"]),
                _cell(row, c["text"]),
                _cell(row, c["ts"]),
                _cell(row, c["start"]),
                _cell(row, c["end"]),
                agent,
            )
        )
        # Conversation-level columns repeat on every row; the first value counts.
        if group.channel is None and not is_blank(value := _cell(row, c["channel"])):
            group.channel = value
        if group.started_at is None and not is_blank(value := _cell(row, c["started_at"])):
            group.started_at = value
        if group.any_agent_id is None and not is_blank(agent):
            try:
                group.any_agent_id = clean_id(agent, "agent_id")
            except RecordError as exc:
                group.error = (line, (exc.code, exc.reason))

    # Rejections of rows without an id are merged in line order with the conversations.
    pending = iter(stray)
    next_stray = next(pending, None)
    for cid, group in groups.items():
        while next_stray is not None and next_stray.source_line < group.first_line:
            yield next_stray
            next_stray = next(pending, None)
        yield _build(name, cid, group, mapping)
    while next_stray is not None:
        yield next_stray
        next_stray = next(pending, None)


def _build(
    name: str, cid: str, group: _Group, mapping: ColumnMapping | None
) -> Conversation | Rejected:
    if group.error is not None:
        line, (code, reason) = group.error
        return Rejected(name, line, reason, cid, code=code)
    try:
        return build_conversation(
            cid,
            group.turns,
            channel=group.channel,
            started_at=group.started_at,
            speakers=mapping.speakers if mapping else None,
            default_channel=mapping.channel if mapping else None,
            # A session-level agent column filled only on customer rows still names the agent.
            fallback_agent_id=group.any_agent_id,
            source_file=name,
            source_line=group.first_line,
        )
    except RecordError as exc:
        line = group.lines[exc.turn_index] if exc.turn_index is not None else group.first_line
        return Rejected(name, line, exc.reason, cid, code=exc.code)


def _delimiter(path: Path, mapping: ColumnMapping | None, first_line: str) -> str:
    if mapping is not None and mapping.delimiter:
        return mapping.delimiter
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return ","
    if suffix == ".tsv":
        return "\t"
    # Other suffixes (a .txt export named explicitly): tab if the first line has one.
    return "\t" if "\t" in first_line else ","


def _lenient_row(lines: list[str], delimiter: str) -> list[str]:
    """The cells of a row the strict reader refused, as well as they can be read."""
    try:
        return next(csv.reader(lines, delimiter=delimiter), [])
    except csv.Error:
        # A carriage return inside a line (junk, or an old Mac line break in a message)
        # fails even this; the cells of the first line still name the conversation.
        return lines[0].rstrip("\r\n").replace("\r", " ").split(delimiter) if lines else []


def read_delimited(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read a CSV or TSV long table."""
    encoding = file_encoding(path, mapping.encoding if mapping else None)
    lines, encoding = raw_lines(path, encoding)
    bad: dict[int, RowError] = {}
    current: list[str] = []  # the physical lines of the row being parsed

    def text_lines() -> Iterator[str]:
        for line_no, raw in lines:
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                # Keep going with a replaced line; the row that contains it is rejected.
                bad[line_no] = ("encoding", describe_decode_error(exc, encoding))
                text = raw.decode(encoding, errors="replace")
            else:
                if (reason := nul_reason(raw)) is not None:
                    bad[line_no] = ("binary_line", reason)
            current.append(text)
            yield text

    source = text_lines()
    head = next(source, None)
    if head is None:
        return  # an empty file has no records
    delimiter = _delimiter(path, mapping, head)
    # strict: broken quoting is an error, not a field silently swallowing the next rows.
    reader = csv.reader(chain([head], source), delimiter=delimiter, strict=True)

    def records() -> Iterator[tuple[int, list[str], RowError | None]]:
        previous = 0
        while True:
            error: RowError | None = None
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # Read the same lines leniently to learn which conversation the row belongs
                # to, so that the conversation is rejected rather than scored without it.
                row = _lenient_row(current, delimiter)
                quoting = f"bad CSV quoting: {exc}"
                if reader.line_num > previous + 1:
                    quoting += f" (lines {previous + 1}-{reader.line_num} read as one row)"
                error = ("bad_quoting", quoting)
            # line_num is the last physical line read: a row with quoted newlines spans
            # several, and its own line is the first of them.
            start, previous = previous + 1, reader.line_num
            current.clear()
            if not any(cell.strip() for cell in row):
                continue
            if bad:
                # A line that is not text explains a quoting error too: say that first.
                error = next((bad[n] for n in range(start, previous + 1) if n in bad), error)
            yield start, row, error

    rows = records()
    first = next(rows, None)
    if first is None:
        return
    positional = mapping is not None and mapping.positional
    has_header = not positional if mapping is None or mapping.header is None else mapping.header
    try:
        if has_header:
            line, header, error = first
            if error is not None:
                yield Rejected(name, line, f"header: {error[1]}", code=error[0])
                return
            columns = resolve_columns(header, len(header), mapping)
            data_rows: Iterator[tuple[int, list[str], RowError | None]] = rows
        else:
            columns = resolve_columns(None, len(first[1]), mapping)
            data_rows = chain([first], rows)
    except FileError as exc:
        yield Rejected(name, 1, str(exc), code=exc.code)
        return
    yield from _group_rows(name, columns, data_rows, mapping)


def read_parquet(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read a Parquet long table. Lines are numbered as in a CSV export of the same table
    (the header is line 1, the first row line 2)."""
    # imported here: JSONL-only runs do not pay for it
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        try:
            columns = resolve_columns(schema.names, len(schema.names), mapping)
        except FileError as exc:
            yield Rejected(name, 1, str(exc), code=exc.code)
            return
        wanted = sorted(set(columns.values()))
        table = pq.read_table(path, columns=[schema.names[i] for i in wanted])
    except OSError:
        raise  # read_file says why the file cannot be read
    except pa.ArrowException as exc:
        # A damaged (or not a) Parquet file: unreadable, as a file the system cannot read.
        reason = f"cannot read file: {type(exc).__name__}: {exc}"
        yield Rejected(name, 0, reason, code="unreadable_file")
        return
    data = [table.column(i).to_pylist() for i in range(len(wanted))]
    # Re-number the fields to the positions of the columns actually read.
    local = {f: wanted.index(index) for f, index in columns.items()}
    rows = ((n + 2, row, None) for n, row in enumerate(zip(*data, strict=True)))
    yield from _group_rows(name, local, rows, mapping)
