"""Reader of plain-text chat-log exports (.txt, .log): what shop back-ends and IM clients
write when asked for "聊天记录".

Two layouts, chosen per file by which one more lines fit (docs/formats.md):

1. one line per message: `2026-11-21 10:00:01 客服小美: 您好` (optionally `[time]`, `：`);
2. a header line `客服小美 2026-11-21 10:00:01` (or time first) followed by the message.

Lines of `===` or `---` separate conversations. Names decide speakers: agents by a name
pattern (or the mapping's `agents:`), 系统 as system, everyone else the customer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cs_qa.core.model import Conversation, ReasonCode, Rejected
from cs_qa.ingest.convert import RawTurn, RecordError, build_conversation
from cs_qa.ingest.encoding import (
    FileSample,
    describe_decode_error,
    file_encoding,
    nul_reason,
    raw_lines,
)
from cs_qa.ingest.mapping import ColumnMapping
from cs_qa.ingest.speakers import SPEAKER_ALIASES

NOT_A_CHAT_LOG = (
    "not a chat log: no line looks like '2026-11-21 10:00:01 客服小美: text' "
    "or a 'name time' header"
)

# Date and clock time as exports write them: 2026-11-21 10:00:01, 2026/11/21 9:00,
# 2026.11.21 10:00:01.250 (parse_timestamp reads all of these).
_TS = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
# A sender name: no tabs (so a tab-separated table never looks like a chat log) and no
# colons (the colon ends the name in layout 1); at most 40 characters.
_NAME = r"[^\s:：\[\]](?:[^\t:：]{0,38}[^\s:：])?"
_GAP = r"[ \u3000]"  # spaces only, not tabs

_LINE = re.compile(
    rf"[ \t]*(?:\[{_GAP}*(?P<ts>{_TS}){_GAP}*\]{_GAP}*|(?P<ts2>{_TS}){_GAP}+)"
    rf"(?P<name>{_NAME}){_GAP}*[:：]{_GAP}?(?P<text>.*)"
)
_HEADER = re.compile(
    rf"[ \t]*(?:(?P<name>{_NAME}){_GAP}+(?:\[(?P<ts>{_TS})\]|(?P<ts2>{_TS}))"
    rf"|(?:\[(?P<ts3>{_TS})\]|(?P<ts4>{_TS})){_GAP}+(?P<name2>{_NAME}))[ \t]*"
)
_SEPARATOR = re.compile(r"[ \t]*(?:={3,}|-{3,})[ \t]*(?P<label>.*?)[ \t]*(?:={3,}|-{3,})?[ \t]*")

# Default agent names: shop and call-centre role prefixes (客服小美, 售后-王, 人工客服 …).
_DEFAULT_AGENT = re.compile(r"(?:客服|坐席|座席|售后|售後|售前|店长|店長|小二|人工)")
_SYSTEM_NAMES = frozenset({"系统", "系统消息", "系統", "系統消息"}) | frozenset(
    label for label, speaker in SPEAKER_ALIASES.items() if speaker == "system"
)


# Why a line is not text (bad bytes, binary data): its code and reason.
LineError = tuple[ReasonCode, str]


@dataclass(slots=True)
class _Message:
    line: int
    name: str
    ts: str
    parts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Section:
    """The lines between two separators: one conversation (or the file's preamble)."""

    separator_line: int | None = None
    label_id: str | None = None
    # line, text, and why the line is not text (code, reason) when it is not
    lines: list[tuple[int, str, LineError | None]] = field(default_factory=list)


def _header_parts(m: re.Match[str]) -> tuple[str, str]:
    name = m.group("name") or m.group("name2")
    ts = m.group("ts") or m.group("ts2") or m.group("ts3") or m.group("ts4")
    return name.strip(), ts


def looks_like_message(line: str) -> bool:
    """True when a line fits layout 1 or is a layout-2 header."""
    return bool(_LINE.fullmatch(line) or _HEADER.fullmatch(line))


def sniff(sample: FileSample, mapping: ColumnMapping | None = None) -> bool:
    """True when some line of the sample fits one of the chat-log layouts."""
    return any(looks_like_message(line) for line in sample.lines)


def sniff_table(sample: FileSample, mapping: ColumnMapping | None = None) -> bool:
    """A .txt whose first line has a tab (or the mapping's delimiter) is a table, as JD's
    chat export is. Asked only after `sniff` found no chat-log line."""
    delimiter = (mapping.delimiter if mapping else None) or "\t"
    return bool(sample.lines) and delimiter in sample.lines[0]


class _Speakers:
    """Who a sender name is: the mapping's speakers, system names, the agent pattern."""

    def __init__(self, mapping: ColumnMapping | None) -> None:
        self.overrides = mapping.speakers if mapping else {}
        self.agent_ids = mapping.agent_ids if mapping else {}
        entries = mapping.agents if mapping else []
        self.names = set(entries)
        self.patterns: list[re.Pattern[str]] = []
        for entry in entries:
            try:
                self.patterns.append(re.compile(entry))
            except re.error:
                pass  # not a valid pattern, so it can only be a plain name
        self.custom = bool(entries)

    def is_agent(self, name: str) -> bool:
        if not self.custom:
            return _DEFAULT_AGENT.match(name) is not None
        return name in self.names or any(p.fullmatch(name) for p in self.patterns)

    def __call__(self, name: str) -> tuple[str, str | None]:
        """(speaker, agent id) of a sender name."""
        speaker = self.overrides.get(name.lower())
        if speaker is None:
            if name.lower() in _SYSTEM_NAMES:
                speaker = "system"
            elif self.is_agent(name):
                speaker = "agent"
            else:
                speaker = "customer"
        if speaker != "agent":
            return speaker, None
        return speaker, self.agent_ids.get(name, name)


def _label_id(label: str) -> str | None:
    # "会话 c-0001", "会话：c-0001", "c-0001": the last word is the id.
    words = [w for w in re.split(r"[\s:：]+", label) if w]
    return words[-1] if words else None


def _sections(lines: Sequence[tuple[int, str, LineError | None]]) -> list[_Section]:
    sections = [_Section()]
    for line_no, text, error in lines:
        m = _SEPARATOR.fullmatch(text)
        if m is not None:
            sections.append(_Section(line_no, _label_id(m.group("label"))))
        else:
            sections[-1].lines.append((line_no, text, error))
    return sections


def _messages(
    section: _Section, layout: int
) -> tuple[list[_Message], int, tuple[int, LineError] | None]:
    """The messages of a section, the number of lines before the first one, and the
    first line that is not text (line, (code, reason)) if any."""
    messages: list[_Message] = []
    preamble = 0
    error: tuple[int, LineError] | None = None
    for line_no, text, line_error in section.lines:
        if line_error is not None and error is None:
            error = (line_no, line_error)
        if layout == 1:
            m = _LINE.fullmatch(text)
            if m is not None:
                ts = m.group("ts") or m.group("ts2")
                messages.append(_Message(line_no, m.group("name").strip(), ts, [m.group("text")]))
                continue
        else:
            m = _HEADER.fullmatch(text)
            if m is not None:
                messages.append(_Message(line_no, *_header_parts(m)))
                continue
        if messages:
            messages[-1].parts.append(text)  # a continuation of the previous message
        elif text.strip():
            preamble += 1
    return messages, preamble, error


def _layout(texts: Sequence[str]) -> int | None:
    """1 or 2, whichever layout more lines fit (1 on a tie); None when no line fits."""
    one = sum(1 for t in texts if _LINE.fullmatch(t))
    two = sum(1 for t in texts if _HEADER.fullmatch(t))
    if not one and not two:
        return None
    return 1 if one >= two else 2


def _decoded(path: Path, mapping: ColumnMapping | None) -> list[tuple[int, str, LineError | None]]:
    encoding = file_encoding(path, mapping.encoding if mapping else None)
    lines, encoding = raw_lines(path, encoding)
    out: list[tuple[int, str, LineError | None]] = []
    for line_no, raw in lines:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            # Keep the line (replaced) so the rest of its conversation still parses; the
            # conversation is rejected at this line.
            error: LineError | None = ("encoding", describe_decode_error(exc, encoding))
            text = raw.decode(encoding, errors="replace")
        else:
            # Junk that happens to decode would otherwise be read as more of a message.
            nul = nul_reason(raw)
            error = None if nul is None else ("binary_line", nul)
        if line_no == 1:
            text = text.lstrip("\ufeff")
        out.append((line_no, text.rstrip("\r\n"), error))
    return out


def read_chatlog(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read a plain-text chat log. A file where no line fits either layout is one
    `Rejected(name, 0, NOT_A_CHAT_LOG)`; an empty file has no records."""
    lines = _decoded(path, mapping)
    if not any(text.strip() for _, text, _ in lines):
        return
    layout = _layout([text for _, text, _ in lines])
    if layout is None:
        yield Rejected(name, 0, NOT_A_CHAT_LOG, code="wrong_format")
        return

    parsed = []
    for index, section in enumerate(_sections(lines)):
        messages, preamble, error = _messages(section, layout)
        has_text = any(text.strip() for _, text, _ in section.lines)
        if index == 0 and not messages:
            continue  # the file's own header lines (title, export date) before a separator
        if not has_text and section.label_id is None:
            continue  # a closing separator, or two separators in a row
        parsed.append((section, messages, preamble, error))

    speakers = _Speakers(mapping)
    stem = Path(name).stem
    for n, (section, messages, preamble, error) in enumerate(parsed, 1):
        cid = section.label_id or (stem if len(parsed) == 1 else f"{stem}-{n}")
        first = section.separator_line or (messages[0].line if messages else 1)
        if error is not None:
            line, (code, reason) = error
            yield Rejected(name, line, reason, cid, code=code)
            continue
        if not messages:
            reason = "no messages in this conversation: " + NOT_A_CHAT_LOG.split(": ", 1)[1]
            yield Rejected(name, first, reason, cid, code="no_turns")
            continue
        turns = []
        for message in messages:
            speaker, agent_id = speakers(message.name)
            text = "\n".join(message.parts).strip()
            turns.append(RawTurn(speaker, text, ts=message.ts, agent_id=agent_id))
        try:
            conversation = build_conversation(
                cid,
                turns,
                default_channel=(mapping.channel if mapping else None) or "chat",
                source_file=name,
                source_line=first,
            )
        except RecordError as exc:
            line = messages[exc.turn_index].line if exc.turn_index is not None else first
            yield Rejected(name, line, exc.reason, cid, code=exc.code)
            continue
        if preamble:
            conversation.notes.append(
                f"{preamble} line(s) before the first message ignored (no sender and time)"
            )
        yield conversation
