"""The small transcript notation rule examples are written in (DESIGN.md, "Rule pack").

    # channel: call
    [00:03] 客户: 在吗
    [00:08-00:12] 客服(A1024): 您好，请问有什么可以帮您？

One turn per line; the time (`[mm:ss]`, `[hh:mm:ss]`, or `[start-end]` on calls) and the
agent id in brackets are optional; the colon may be full- or half-width. An example may
instead be one canonical JSON conversation.

A `>` before a turn pins it as a turn the rule must flag:

    客户: 能退款吗
    > 客服: 不可能的事
    客服: 请问还有其他问题吗？

A `violates` example with markers passes only when the rule's findings are at exactly
the marked turns (a finding about the whole conversation, with no turn, matches none);
without markers it passes when the rule fires at all. A `passes` example has no markers
(a pack problem, `marker_in_passes`). The marker is the first thing on its line, before
the time, so it cannot be read as transcript text: no speaker word starts with `>`, and a
`>` after the colon is text. It goes on a turn only, not on `# channel:`; a JSON example
has none. A one-line example that starts with it is quoted in YAML (`"> 客服: 不行"`),
where a bare `>` would start a folded block. Turns count from 0, as `turn_index` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from cs_qa.core.model import Conversation, Speaker, Turn

SPEAKER_WORDS: dict[str, Speaker] = {
    "客服": "agent",
    "坐席": "agent",
    "agent": "agent",
    "客户": "customer",
    "客戶": "customer",
    "顾客": "customer",
    "顧客": "customer",
    "customer": "customer",
    "系统": "system",
    "系統": "system",
    "system": "system",
}
EXAMPLE_AGENT = "A0000"
MARKER = ">"  # before a turn: the rule must flag this turn

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?"
_MARKER = rf"^\s*(?P<marker>{re.escape(MARKER)}\s*)?"
_LINE = re.compile(
    rf"{_MARKER}(?:\[(?P<start>{_TIME})(?:\s*-\s*(?P<end>{_TIME}))?\]\s*)?"
    r"(?P<speaker>[^\s(（:：\[]+)\s*(?:[(（](?P<agent>[^)）]*)[)）])?\s*[:：]\s?(?P<text>.*)$"
)
_CHANNEL = re.compile(rf"{_MARKER}#\s*channel\s*[:：]\s*(?P<channel>\w+)\s*$", re.IGNORECASE)


class NotationError(ValueError):
    """A problem in an example, with the 0-based line offset inside the example."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


@dataclass(frozen=True, slots=True)
class MarkedExample:
    """An example read: its conversation, the indexes of the turns marked with `>` (in
    order, each once), and the 0-based line offset of each marker inside the example."""

    conversation: Conversation
    marked: tuple[int, ...] = ()
    marker_offsets: tuple[int, ...] = ()


def parse_example(text: str, conversation_id: str = "example") -> Conversation:
    """Turn an example (notation or canonical JSON) into a `Conversation`; turn markers
    are read and left out (`read_example` gives them)."""
    return read_example(text, conversation_id).conversation


def read_example(text: str, conversation_id: str = "example") -> MarkedExample:
    """Read an example (notation or canonical JSON): its conversation and marked turns."""
    stripped = text.strip()
    if stripped.startswith("{"):
        # the line the JSON starts on, for the offset of its errors
        before = text[: len(text) - len(text.lstrip())]
        offset = len((before + "{").splitlines()) - 1
        return MarkedExample(_from_json(stripped, conversation_id, offset))
    channel = "chat"
    turns: list[Turn] = []
    offsets: list[int] = []  # the line of each turn
    marked: list[int] = []
    marker_offsets: list[int] = []
    for offset, raw in enumerate(text.splitlines()):
        if not raw.strip():
            continue
        header = _CHANNEL.match(raw)
        if header:
            if header["marker"] is not None:
                raise NotationError(f"{MARKER!r} marks a turn, not the channel line", offset)
            channel = header["channel"].lower()
            if channel not in ("chat", "call"):
                raise NotationError(f"channel must be chat or call, not {channel!r}", offset)
            continue
        m = _LINE.match(raw)
        if not m:
            raise NotationError(f"cannot read turn {raw.strip()!r}: expected '客服: text'", offset)
        speaker = SPEAKER_WORDS.get(m["speaker"].lower())
        if speaker is None:
            raise NotationError(
                f"unknown speaker {m['speaker']!r} (use 客服/坐席, 客户/顾客 or 系统)", offset
            )
        at_s = _seconds(m["start"]) if m["start"] else None
        end_s = _seconds(m["end"]) if m["end"] else None
        agent = (m["agent"] or "").strip() or None
        if speaker == "agent" and agent is None:
            agent = EXAMPLE_AGENT
        if m["marker"] is not None:
            marked.append(len(turns))
            marker_offsets.append(offset)
        turns.append(
            Turn(speaker, m["text"].strip(), at_s, end_s, agent if speaker == "agent" else None)
        )
        offsets.append(offset)
    if not turns:
        raise NotationError("example has no turns")
    timed = [t.at_s is not None for t in turns]
    if any(timed) and not all(timed):
        # reported on the first turn that differs from the first one
        odd = next(i for i, t in enumerate(timed) if t != timed[0])
        raise NotationError("give a time on every turn or on none", offsets[odd])
    first_agent = next((t.agent_id for t in turns if t.speaker == "agent"), EXAMPLE_AGENT)
    conversation = Conversation(
        conversation_id,
        channel,  # type: ignore[arg-type]
        first_agent or EXAMPLE_AGENT,
        turns,
    )
    return MarkedExample(conversation, tuple(marked), tuple(marker_offsets))


def _from_json(text: str, conversation_id: str, offset: int = 0) -> Conversation:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        # the offset of the line the error is on (lines as the notation counts them)
        at = offset + len((text[: exc.pos] + "x").splitlines()) - 1
        where = f"{exc.msg} (column {exc.colno})"
        raise NotationError(f"invalid JSON example: {where}", at) from exc
    # The canonical reader owns the JSON contract; examples use it as it is.
    from cs_qa.ingest.jsonl import conversation_from_record

    data.setdefault("conversation_id", conversation_id)
    result = conversation_from_record(data, "example", 1)
    if not isinstance(result, Conversation):
        raise NotationError(f"JSON example: {result.reason}", offset)
    return result
