"""Reader of WebVTT and SRT subtitles with speaker tags: one call per file.

Some speech-recognition tools export a call as subtitles. Each cue is a turn: its times
become `start`/`end`, its speaker comes from a WebVTT voice tag (`<v 客服>`), a bracketed
tag (`[坐席]`, `【客户】`) or a role prefix (`客服：`), optionally with the agent's id
(`客服(A1005)`). `NOTE key: value` lines carry the call's agent_id, conversation_id and
started_at (docs/formats.md).

Speech-recognition output also brackets sound annotations (`[笑声]`, `[音乐]`), so a
bracketed tag is a speaker only when it names one; a cue holding nothing but such
annotations is not a turn.

The whole file is one call, so the first bad cue rejects it, naming the cue's line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cs_qa.core.model import Conversation, ReasonCode, Rejected
from cs_qa.ingest.convert import (
    RawTurn,
    RecordError,
    build_conversation,
    parse_timestamp,
    shown,
)
from cs_qa.ingest.encoding import describe_decode_error, read_whole
from cs_qa.ingest.mapping import ColumnMapping
from cs_qa.ingest.speakers import resolve_speaker

# [hours:]minutes:seconds, then "." (WebVTT) or "," (SRT) and milliseconds. Both formats
# accept both separators and optional hours: tools mix them up, and the value is the same.
_TIME = re.compile(r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})")
_TIMING = re.compile(r"(?P<start>\S+)[ \t]+-->[ \t]+(?P<end>\S+)(?:[ \t].*)?")
_NOTE = re.compile(r"NOTE(?:[ \t]+(?P<rest>.*))?")
_META = re.compile(r"(?P<key>agent_id|conversation_id|started_at)[ \t]*[:：][ \t]*(?P<value>\S.*)")
# <v NAME>, <v.class NAME> at the start of a line.
_VOICE = re.compile(r"<v(?:\.[^\s>]*)*(?:[ \t]+(?P<name>[^>]*))?>")
_PREFIX = re.compile(r"(?P<name>[^:：<>]{1,40}?)[ \t]*[:：][ \t]*(?P<text>.*)")
# [NAME], 【NAME】, ［NAME］, (NAME) or （NAME） at the start of a line, NAME possibly holding
# an id in brackets ([坐席(A1024)]), then an optional colon. The brackets must pair up.
_BRACKETS = {"[": "]", "【": "】", "［": "］", "(": ")", "（": "）"}
_PLAIN = r"[^\[\]【】［］()（）]"
_GROUP = rf"[\[【［(（]{_PLAIN}*[\]】］)）]"
_TAG = re.compile(
    rf"(?P<open>[\[【［(（])[ \t]*(?P<name>{_PLAIN}+(?:{_GROUP}{_PLAIN}*)?)(?P<close>[\]】］)）])"
    r"[ \t]*(?:[:：][ \t]*)?"
)
# A line of bracketed annotations only: [笑声], [音乐] [噪音].
_ANNOTATIONS = re.compile(rf"(?:[ \t]*{_GROUP})+[ \t]*")
# A role word, then optionally an id in brackets or after a space: 客服(A1005), 坐席 A1005.
_NAME = re.compile(
    r"(?P<role>[^\s(（\[【]+)[ \t]*"
    r"(?:[(（\[【][ \t]*(?P<id>[^)）\]】]*?)[ \t]*[)）\]】]|[ \t]+(?P<id2>\S+))?"
)
# Markup inside cue text that is not part of what was said; voice tags are read first.
_FORMAT_TAGS = re.compile(r"</?(?:c|i|b|u|lang|ruby|rt|font)\b[^>]*>|<\d[\d:.]*>", re.IGNORECASE)
_VOICE_END = re.compile(r"</v>", re.IGNORECASE)


@dataclass(slots=True)
class _Call:
    meta: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (line, value)
    turns: list[RawTurn] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # line of each turn's cue
    annotation_cues: list[str] = field(default_factory=list)  # [音乐] cues: not turns


class CueError(Exception):
    """A cue that cannot be read: the line of the cue and why (in words and as a code)."""

    def __init__(self, line: int, reason: str, *, code: ReasonCode) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
        self.code: ReasonCode = code


def _seconds(text: str) -> float | None:
    m = _TIME.fullmatch(text)
    if m is None:
        return None
    hours, minutes, seconds, millis = m.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _parse_name(name: str, mapping: ColumnMapping | None) -> tuple[str, str | None] | None:
    """(speaker, agent id) for a voice or prefix name, None when it names no role."""
    name = name.strip()
    overrides = mapping.speakers if mapping else None
    whole = resolve_speaker(name, overrides)
    if whole is not None:
        return whole, None
    m = _NAME.fullmatch(name)
    if m is None:
        return None
    speaker = resolve_speaker(m.group("role"), overrides)
    if speaker is None:
        return None
    return speaker, (m.group("id") or m.group("id2") or None)


def _speaker_tag(
    text: str, mapping: ColumnMapping | None
) -> tuple[re.Match[str] | None, tuple[str, str | None] | None]:
    """The bracketed tag opening `text` (None when there is none) and the speaker it
    names (None when it names none)."""
    tag = _TAG.match(text)
    if tag is None or _BRACKETS[tag.group("open")] != tag.group("close"):
        return None, None
    return tag, _parse_name(tag.group("name"), mapping)


def _unknown_tag(where: str, tag: re.Match[str]) -> str:
    name = tag.group("name").strip()
    return (
        f"{where}: unknown speaker {shown(name)} in bracket tag "
        f"{shown(tag.string[tag.start() : tag.end('close')])} (expected a role word such as "
        f"客服, 坐席, 客户 or 顾客, or --speaker {name}=agent|customer|system)"
    )


def _read_note(lines: list[tuple[int, str]], call: _Call) -> None:
    """Collect `key: value` metadata from a NOTE block (the text after NOTE and the lines
    below it); other comment text is ignored."""
    for line_no, text in lines:
        note = _NOTE.fullmatch(text.strip())
        body = (note.group("rest") or "") if note else text
        m = _META.fullmatch(body.strip())
        if m is not None:
            call.meta.setdefault(m.group("key"), (line_no, m.group("value").strip()))


def _cue(
    number: int,
    block: list[tuple[int, str]],
    call: _Call,
    mapping: ColumnMapping | None,
    example: str,
) -> None:
    """Add the turns of one cue block to `call`; raises CueError."""
    first = block[0][0]
    where = f"cue {number}"
    timing_at = next((i for i, (_, text) in enumerate(block[:2]) if "-->" in text), None)
    if timing_at is None:
        raise CueError(
            first,
            f"{where}: no timing line (expected a line like {example}), got {shown(block[0][1])}",
            code="missing_time",
        )
    timing = block[timing_at][1].strip()
    m = _TIMING.fullmatch(timing)
    if m is None:
        raise CueError(
            first,
            f"{where}: bad timestamp line {shown(timing)} (expected {example})",
            code="bad_timestamp",
        )
    start, end = _seconds(m.group("start")), _seconds(m.group("end"))
    if start is None or end is None:
        raise CueError(
            first,
            f"{where}: bad timestamp line {shown(timing)} (expected {example})",
            code="bad_timestamp",
        )
    if end < start:
        raise CueError(
            first,
            f"{where}: end {m.group('end')} is before start {m.group('start')}",
            code="end_before_start",
        )
    # Italics and colours around a prefix (<i>客户: …</i>) must not hide the speaker.
    text_lines = [_FORMAT_TAGS.sub("", text) for _, text in block[timing_at + 1 :]]
    if not text_lines:
        raise CueError(first, f"{where}: no text", code="empty_text")
    if all(_NOTE.fullmatch(t.strip()) for t in text_lines):
        # SRT has no comments: a cue holding only NOTE lines carries the call's metadata.
        _read_note(block[timing_at + 1 :], call)
        return

    # Each line may open with its own speaker (two speakers in one cue become two turns
    # with the cue's times); a line without one continues the current speaker.
    segments: list[tuple[str, str | None, list[str]]] = []
    unknown: re.Match[str] | None = None  # the tag of a skipped annotation line
    for text in text_lines:
        voice = _VOICE.match(text)
        if voice is not None:
            name = voice.group("name") or ""
            who = _parse_name(name, mapping)
            if who is None:
                raise CueError(
                    first,
                    f"{where}: unknown speaker {shown(name.strip())} in voice tag",
                    code="unknown_speaker",
                )
            segments.append((*who, [text[voice.end() :]]))
            continue
        stripped = text.strip()
        tag, who = _speaker_tag(stripped, mapping)
        if who is not None:
            segments.append((*who, [stripped[tag.end() :]]))  # type: ignore[union-attr]
            continue
        prefix = _PREFIX.fullmatch(stripped)
        who = _parse_name(prefix.group("name"), mapping) if prefix else None
        if who is not None:
            segments.append((*who, [prefix.group("text")]))  # type: ignore[union-attr]
        elif segments:
            segments[-1][2].append(text)
        elif _ANNOTATIONS.fullmatch(stripped):
            # [音乐] before anyone speaks in this cue: no one's words. Unless words follow
            # without a speaker: then it was a tag on its own line ([张三] / 您好).
            if tag is not None and unknown is None:
                unknown = tag
            continue
        elif tag is not None or unknown is not None:
            raise CueError(
                first,
                _unknown_tag(where, tag or unknown),  # type: ignore[arg-type]
                code="unknown_speaker",
            )
        elif prefix is not None:
            raise CueError(
                first,
                f"{where}: unknown speaker {shown(prefix.group('name').strip())} "
                "(expected a role word such as 客服, 坐席, 客户 or 顾客)",
                code="unknown_speaker",
            )
        else:
            raise CueError(
                first,
                f"{where}: no speaker: start the text with a voice tag <v 客服>, "
                f"a bracketed tag [客服] or a role prefix 客服： (got {shown(text.strip())})",
                code="no_speaker",
            )
    if not segments:
        call.annotation_cues.append(text_lines[0].strip())  # [音乐]: nobody spoke
        return
    for speaker, agent_id, parts in segments:
        text = html.unescape(_VOICE_END.sub("", "\n".join(parts))).strip()
        call.turns.append(RawTurn(speaker, text, start=start, end=end, agent_id=agent_id))
        call.lines.append(first)


def _blocks(lines: list[str]) -> Iterator[list[tuple[int, str]]]:
    """Runs of non-blank lines with their 1-based line numbers."""
    block: list[tuple[int, str]] = []
    for line_no, text in enumerate(lines, 1):
        if text.strip():
            block.append((line_no, text))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _decode(path: Path, name: str, mapping: ColumnMapping | None) -> list[str] | Rejected:
    data, encoding = read_whole(path, mapping.encoding if mapping else None)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        # Name the first damaged line; the call cannot be read without it.
        for line_no, raw in enumerate(data.split(b"\n"), 1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError as exc:
                return Rejected(
                    name, line_no, describe_decode_error(exc, encoding), code="encoding"
                )
        raise
    return [line.rstrip("\r") for line in text.lstrip("\ufeff").split("\n")]


def _read(
    path: Path, name: str, mapping: ColumnMapping | None, vtt: bool
) -> Iterator[Conversation | Rejected]:
    lines = _decode(path, name, mapping)
    if isinstance(lines, Rejected):
        yield lines
        return
    example = "00:00:01.000 --> 00:00:03.200" if vtt else "00:00:01,000 --> 00:00:03,200"
    blocks = list(_blocks(lines))
    if not blocks:
        return  # an empty file has no records, as with every other text format
    if vtt:
        if not blocks or not re.fullmatch(r"WEBVTT(?:[ \t].*)?", blocks[0][0][1]):
            yield Rejected(
                name, 1, "not a WebVTT file: the first line must be WEBVTT", code="wrong_format"
            )
            return
    call = _Call()
    stem = Path(name).stem
    number = 0
    try:
        for index, block in enumerate(blocks):
            head = block[0][1].strip()
            if vtt and index == 0:
                _read_note(block[1:], call)  # NOTE lines right under WEBVTT
            elif _NOTE.fullmatch(head):
                _read_note(block, call)
            elif vtt and head in ("STYLE", "REGION"):
                continue
            else:
                number += 1
                _cue(number, block, call, mapping, example)
    except CueError as exc:
        cid = call.meta.get("conversation_id", (0, stem))[1]
        yield Rejected(name, exc.line, exc.reason, cid, code=exc.code)
        return

    cid = call.meta.get("conversation_id", (0, stem))[1]
    if not call.turns:
        yield Rejected(name, 1, "no cues with text in the file", cid, code="no_turns")
        return
    started_at = None
    if "started_at" in call.meta:
        line, value = call.meta["started_at"]
        try:
            started_at = parse_timestamp(value, "started_at")
        except RecordError as exc:
            yield Rejected(name, line, exc.reason, cid, code=exc.code)  # at the NOTE line
            return
    try:
        conversation = build_conversation(
            cid,
            call.turns,
            channel="call",
            agent_id=call.meta.get("agent_id", (0, None))[1],
            started_at=started_at,
            source_file=name,
            source_line=1,
        )
    except RecordError as exc:
        line = call.lines[exc.turn_index] if exc.turn_index is not None else 1
        yield Rejected(name, line, exc.reason, cid, code=exc.code)
        return
    if call.annotation_cues:
        conversation.notes.append(
            f"{len(call.annotation_cues)} cue(s) holding only bracketed annotations "
            f"such as {call.annotation_cues[0]} not read as turns"
        )
    yield conversation


def read_vtt(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read a WebVTT file as one call."""
    yield from _read(path, name, mapping, vtt=True)


def read_srt(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read an SRT file as one call."""
    yield from _read(path, name, mapping, vtt=False)
