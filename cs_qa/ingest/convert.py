"""From raw values (a JSON object or the rows of a table) to a validated `Conversation`.

Both readers hand the same `RawTurn` records to `build_conversation`, so the canonical
contract (speakers, timing, agent attribution, channel) is enforced in one place. A
problem raises `RecordError`, which names the offending turn so that the JSON reader can
say "turn 3: ..." and the table reader can point at that row's line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from cs_qa.core.model import UNKNOWN_AGENT, Conversation, ReasonCode, Turn
from cs_qa.ingest.mapping import normalize_channel
from cs_qa.ingest.speakers import resolve_speaker


class RecordError(ValueError):
    """A record that cannot be scored, why (in words and as a `ReasonCode`); `turn_index`
    (0-based) names the turn at fault."""

    def __init__(self, reason: str, turn_index: int | None = None, *, code: ReasonCode) -> None:
        super().__init__(reason)
        self.reason = reason
        self.turn_index = turn_index
        self.code: ReasonCode = code


class RawTurn(NamedTuple):
    """One turn's values as found in the input, not yet validated (a tuple: one is made
    for every input turn)."""

    speaker: object
    text: object
    ts: object = None
    start: object = None
    end: object = None
    agent_id: object = None


def is_blank(value: object) -> bool:
    """None, an empty or all-space string, or NaN (how pandas and Parquet say 'empty')."""
    if value.__class__ is str:  # the common case first: called for every field of every turn
        return not value or value.isspace()
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def shown(value: object, limit: int = 80) -> str:
    """`value` quoted for a reason, cut short: a 10 MB cell must not become a 10 MB reason."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def clean_id(value: object, what: str, turn_index: int | None = None) -> str | None:
    """An identifier as a trimmed string, None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(
            f"{what} must be a string, got {shown(value)}", turn_index, code="wrong_type"
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id column read as float (pandas) must not become "1024.0"
    return str(value).strip()


# Excel and many Chinese exports write 2026/11/21 9:00:03 (slashes, no zero padding).
_LOOSE_TS = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d+)?)?)?"
)


def parse_timestamp(
    value: object, what: str = "timestamp", turn_index: int | None = None
) -> datetime:
    """An ISO 8601 datetime (a space instead of T, offset and fractions optional)."""
    if value.__class__ is str:
        try:
            return datetime.fromisoformat(value)  # the common case: already clean ISO 8601
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
        m = _LOOSE_TS.fullmatch(text)
        if m:
            year, month, day, hour, minute, second, frac = m.groups()
            try:
                return datetime(
                    int(year),
                    int(month),
                    int(day),
                    int(hour or 0),
                    int(minute or 0),
                    int(second or 0),
                    round(float(frac or 0) * 1_000_000),
                )
            except ValueError:
                pass
    raise RecordError(
        f"bad {what} {shown(value)} (expected ISO 8601 like 2026-11-21T09:00:03+08:00)",
        turn_index,
        code="bad_timestamp",
    )


def parse_seconds(value: object, what: str, turn_index: int | None = None) -> float | None:
    """Seconds as a number, a numeric string or [h:]mm:ss; None when blank."""
    if is_blank(value):
        return None
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if ":" in text:
                parts = [float(p) for p in text.split(":")]
                if len(parts) <= 3:
                    seconds = 0.0
                    for part in parts:
                        seconds = seconds * 60 + part
            else:
                seconds = float(text)
        except ValueError:
            seconds = None
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        raise RecordError(
            f"bad {what} {shown(value)} (expected seconds, e.g. 12.5)",
            turn_index,
            code="bad_timestamp",
        )
    return seconds


def _text(value: object, turn_index: int) -> str:
    if is_blank(value):
        raise RecordError("no text", turn_index, code="empty_text")
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a message that is just a number ("1", an order quantity)
    raise RecordError(f"text must be a string, got {shown(value)}", turn_index, code="wrong_type")


def build_conversation(
    conversation_id: str,
    raw_turns: Sequence[RawTurn],
    *,
    channel: object = None,
    agent_id: object = None,
    started_at: object = None,
    speakers: Mapping[str, str] | None = None,
    default_channel: str | None = None,
    fallback_agent_id: str | None = None,
    source_file: str = "",
    source_line: int = 0,
) -> Conversation:
    """Validate raw values and build a `Conversation` (DESIGN.md, "Canonical transcript").

    `speakers` are explicit speaker values that win over the built-in labels;
    `default_channel` applies when the record names none; `fallback_agent_id` is used
    when neither the record nor any agent turn names an agent.
    """
    if not raw_turns:
        raise RecordError("conversation has no turns", code="no_turns")
    conversation_agent = clean_id(agent_id, "agent_id")
    started = None if is_blank(started_at) else parse_timestamp(started_at, "started_at")

    turns: list[Turn] = []
    stamps: list[datetime | None] = []
    mode: str | None = None  # "ts" or "start": one conversation uses one kind of time
    # The `is None` tests below only skip calls on the common path (a field absent);
    # every present value still goes through the same validation.
    for i, (said_by, text, ts, start, end, agent) in enumerate(raw_turns):
        speaker = resolve_speaker(said_by, speakers)
        if speaker is None:
            if is_blank(said_by):
                raise RecordError("no speaker", i, code="no_speaker")
            raise RecordError(
                f"unknown speaker {shown(str(said_by).strip())}", i, code="unknown_speaker"
            )
        if text.__class__ is not str or not text or text.isspace():
            text = _text(text, i)
        has_ts = ts is not None and not is_blank(ts)
        has_start = start is not None and not is_blank(start)
        if has_ts or has_start:
            if has_ts and has_start:
                raise RecordError(
                    "has both ts and start; give one kind of time", i, code="mixed_times"
                )
            kind = "ts" if has_ts else "start"
            if mode is not None and kind != mode:
                raise RecordError(
                    f"uses {kind} but earlier turns use {mode} (mixed time formats)",
                    i,
                    code="mixed_times",
                )
            mode = kind
        at_s = parse_seconds(start, "start", i) if has_start else None
        end_s = parse_seconds(end, "end", i) if end is not None else None
        if end_s is not None:
            if at_s is None:
                raise RecordError("end without start", i, code="missing_time")
            if end_s < at_s:
                raise RecordError(
                    f"end {end_s:g} is before start {at_s:g}", i, code="end_before_start"
                )
        stamps.append(parse_timestamp(ts, "timestamp", i) if has_ts else None)
        own_agent = (
            clean_id(agent, "agent_id", i) if agent is not None and speaker == "agent" else None
        )
        turns.append(Turn(speaker, text, at_s, end_s, own_agent))  # type: ignore[arg-type]

    notes: list[str] = []
    if mode == "ts":
        started = _apply_timestamps(turns, stamps, started, notes)

    times = [t.at_s for t in turns]
    if None not in times and times != sorted(times):  # type: ignore[type-var]
        turns.sort(key=lambda t: t.at_s)  # type: ignore[arg-type,return-value]  # stable
        notes.append("turns re-sorted by time")

    resolved_agent = (
        conversation_agent
        or next((t.agent_id for t in turns if t.speaker == "agent" and t.agent_id), None)
        or fallback_agent_id
        or UNKNOWN_AGENT
    )
    for turn in turns:
        if turn.speaker == "agent" and turn.agent_id is None:
            turn.agent_id = resolved_agent

    if not is_blank(channel):
        resolved_channel = normalize_channel(channel)
        if resolved_channel is None:
            raise RecordError(
                f"unknown channel {shown(str(channel).strip())} (expected chat or call)",
                code="unknown_channel",
            )
    elif default_channel:
        resolved_channel = default_channel
    else:
        # Speech-recognition output has start/end seconds and no clock times.
        resolved_channel = "call" if mode == "start" else "chat"

    return Conversation(
        conversation_id=conversation_id,
        channel=resolved_channel,  # type: ignore[arg-type]
        agent_id=resolved_agent,
        turns=turns,
        started_at=started,
        source_file=source_file,
        source_line=source_line,
        notes=notes,
    )


def _apply_timestamps(
    turns: list[Turn], stamps: list[datetime | None], started: datetime | None, notes: list[str]
) -> datetime:
    """Set `at_s` from clock times; returns the conversation start."""
    present = [s for s in (started, *stamps) if s is not None]
    aware = [s for s in present if s.utcoffset() is not None]
    if aware and len(aware) < len(present):
        # Some exports give the offset on started_at only: read the rest in that offset
        # rather than refuse the conversation (naive and aware times cannot be subtracted).
        tz = aware[0].tzinfo
        stamps = [s.replace(tzinfo=tz) if s is not None and s.tzinfo is None else s for s in stamps]
        if started is not None and started.tzinfo is None:
            started = started.replace(tzinfo=tz)
        notes.append(f"times without UTC offset read as {aware[0].strftime('%z')}")
    # Without started_at the conversation starts at its earliest turn, which is the
    # first turn once out-of-order turns are re-sorted.
    base = started if started is not None else min(s for s in stamps if s is not None)
    for turn, stamp in zip(turns, stamps, strict=True):
        if stamp is not None:
            turn.at_s = (stamp - base).total_seconds()
    return base
