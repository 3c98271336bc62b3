"""Reader of speech-recognition (ASR) JSON: one call per object, sentences with times.

Speech-recognition services return one object per call with a list of sentences, each
with begin/end times in milliseconds, a channel (or speaker) and the recognised text
(docs/formats.md). A .json file whose records carry such a sentence list is read here;
every other .json file is canonical. Key spellings vary by vendor (`begin_time`,
`BeginTime`, `bg` …), so keys are compared without case and underscores.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from cs_qa.core.model import Conversation, Rejected
from cs_qa.ingest.convert import (
    RawTurn,
    RecordError,
    build_conversation,
    clean_id,
    is_blank,
    shown,
)
from cs_qa.ingest.encoding import FileSample
from cs_qa.ingest.jsonl import conversation_from_record, read_json_records
from cs_qa.ingest.mapping import ColumnMapping
from cs_qa.ingest.speakers import resolve_speaker

# Spellings as documented; compared after _norm_key.
SENTENCE_KEYS: tuple[str, ...] = ("sentences", "segments", "utterances", "result")
_ID_KEYS = ("call_id", "conversation_id", "id", "task_id")
_AGENT_KEYS = ("agent_id", "agent", "staff_id", "工号")
_SPEAKER_KEYS = ("channel_id", "channel", "speaker_id", "spk", "role")
_TIME_KEYS = (
    ("begin_time", "end_time"),
    ("bg", "ed"),
    ("start_ms", "end_ms"),
    ("start_time", "end_time"),
)
# A common dual-channel recording layout: the agent on channel 0, the caller on 1.
DEFAULT_SPEAKERS: dict[str, str] = {"0": "agent", "1": "customer"}


def _norm_key(key: object) -> str:
    return str(key).strip().lower().replace("_", "")


_SENTENCE_NORM = frozenset(_norm_key(k) for k in SENTENCE_KEYS)

# Strings (with escapes) and brackets: enough to follow the nesting of a JSON text.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"\s*(:)?|[\[\]{}]')


def sniff(sample: FileSample, mapping: ColumnMapping | None = None) -> bool:
    """True when the first record of the .json sample that has either a sentence list key
    or `turns` has the sentence list: the file holds speech-recognition results.

    Records are the root object, the objects of a root array, or JSON Lines objects; only
    their own keys count, not keys nested deeper (a turn may well have a `result`)."""
    depth = 0
    record_depth = 1
    for m in _JSON_TOKEN.finditer(sample.text):
        token = m.group(0)
        if token in "[{":
            if depth == 0:
                record_depth = 2 if token == "[" else 1
            depth += 1
        elif token in "]}":
            depth -= 1
        elif m.group(1) and depth == record_depth:
            key = _norm_key(token[1 : token.rindex('"')])
            if key in _SENTENCE_NORM:
                return True
            if key == "turns":
                return False
    return False


def _lookup(record: Mapping[str, object], keys: tuple[str, ...]) -> tuple[str, object] | None:
    """The first of `keys` present in `record` (by normalised key): (key as written, value)."""
    normalised = {_norm_key(k): k for k in record}
    for key in keys:
        original = normalised.get(_norm_key(key))
        if original is not None:
            return original, record[original]
    return None


def _sentences(record: Mapping[str, object]) -> tuple[str, object] | None:
    found = _lookup(record, SENTENCE_KEYS)
    if found is not None and isinstance(found[1], dict):
        # Some services nest the list one level: {"Result": {"Sentences": [...]}}.
        inner = _lookup(found[1], SENTENCE_KEYS)
        if inner is not None:
            return inner
    return found


def _millis(value: object, key: str, index: int) -> float:
    """A sentence time in milliseconds; raises RecordError naming the sentence."""
    if is_blank(value):
        raise RecordError(f"sentence {index}: no {key}", code="missing_time")
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise RecordError(
            f"sentence {index}: bad {key} {shown(value)} (expected milliseconds)",
            code="bad_timestamp",
        )
    if number < 0:
        raise RecordError(f"sentence {index}: negative {key} {shown(value)}", code="bad_timestamp")
    return number


def _speaker_table(mapping: ColumnMapping | None) -> dict[str, str]:
    # The mapping's values win one by one (keys are compared as trimmed lower-case strings).
    return {**DEFAULT_SPEAKERS, **(mapping.speakers if mapping else {})}


def _turn(sentence: object, index: int, speakers: Mapping[str, str]) -> RawTurn:
    if not isinstance(sentence, dict):
        kind = "an array" if isinstance(sentence, list) else type(sentence).__name__
        raise RecordError(f"sentence {index}: expected an object, got {kind}", code="wrong_type")
    text_found = _lookup(sentence, ("text",))
    text = text_found[1] if text_found else None
    if is_blank(text):
        raise RecordError(f"sentence {index}: no text", code="empty_text")
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = str(text)  # a sentence that is just a number ("一" recognised as 1)
    if not isinstance(text, str):
        raise RecordError(
            f"sentence {index}: text must be a string, got {shown(text)}", code="wrong_type"
        )

    begin_key, end_key = next(
        (pair for pair in _TIME_KEYS if _lookup(sentence, (pair[0],)) is not None),
        _TIME_KEYS[0],
    )
    begin_found = _lookup(sentence, (begin_key,))
    end_found = _lookup(sentence, (end_key,))
    begin = _millis(begin_found[1] if begin_found else None, begin_key, index)
    end = _millis(end_found[1] if end_found else None, end_key, index)
    if end < begin:
        raise RecordError(
            f"sentence {index}: {end_key} {end:g} is before {begin_key} {begin:g}",
            code="end_before_start",
        )

    speaker_found = _lookup(sentence, _SPEAKER_KEYS)
    if speaker_found is None or is_blank(speaker_found[1]):
        raise RecordError(
            f"sentence {index}: no channel_id (or channel, speaker_id, spk, role)",
            code="no_speaker",
        )
    key, raw = speaker_found
    speaker = resolve_speaker(raw, speakers)
    if speaker is None:
        known = ", ".join(f"{k}={v}" for k, v in speakers.items())
        raise RecordError(
            f"sentence {index}: unknown {key} {shown(raw)} (known: {known}; "
            f"add --speaker {shown(raw, 40)}=agent|customer or a role word)",
            code="unknown_speaker",
        )
    return RawTurn(speaker, text, start=begin / 1000, end=end / 1000)


def call_from_record(
    data: object,
    name: str,
    line_no: int,
    mapping: ColumnMapping | None = None,
    fallback_id: str = "",
) -> Conversation | Rejected:
    """Build a call from one speech-recognition object, or say why it cannot be scored.

    An object without a sentence list but with `turns` is a canonical conversation (a
    file may mix both); `fallback_id` is the id of a call that names none."""
    if not isinstance(data, dict):
        return conversation_from_record(data, name, line_no, mapping)  # says what it got
    found = _sentences(data)
    if found is None and "turns" in data:
        return conversation_from_record(data, name, line_no, mapping)
    try:
        id_found = _lookup(data, _ID_KEYS)
        cid = clean_id(id_found[1], id_found[0]) if id_found else None
    except RecordError as exc:
        return Rejected(name, line_no, exc.reason, code=exc.code)
    cid = cid or fallback_id
    if found is None:
        return Rejected(
            name,
            line_no,
            f"no sentence list (expected one of {', '.join(SENTENCE_KEYS)})",
            cid,
            code="missing_field",
        )
    key, sentences = found
    if not isinstance(sentences, list):
        return Rejected(name, line_no, f"{key} must be a list of sentences", cid, code="wrong_type")
    if not sentences:
        return Rejected(
            name, line_no, f"call has no sentences ({key} is empty)", cid, code="no_turns"
        )

    speakers = _speaker_table(mapping)
    agent = _lookup(data, _AGENT_KEYS)
    started = _lookup(data, ("started_at",))
    try:
        turns = [_turn(s, i, speakers) for i, s in enumerate(sentences, 1)]
        return build_conversation(
            cid,
            turns,
            channel="call",
            agent_id=agent[1] if agent else None,
            started_at=started[1] if started else None,
            source_file=name,
            source_line=line_no,
        )
    except RecordError as exc:
        # build_conversation counts turns from 0; a turn is a sentence here.
        where = f"sentence {exc.turn_index + 1}: " if exc.turn_index is not None else ""
        return Rejected(name, line_no, where + exc.reason, cid, code=exc.code)


def read_asr(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read a speech-recognition .json file: one call, an array of calls or JSON Lines.

    A call without an id is named after the file: `STEM` for a single object, `STEM-N`
    for the N-th record of an array or of JSON Lines."""
    stem = Path(name).stem

    def convert(data: object, line_no: int, index: int) -> Conversation | Rejected:
        fallback = stem if index == 0 else f"{stem}-{index}"
        return call_from_record(data, name, line_no, mapping, fallback)

    yield from read_json_records(path, name, mapping, convert)
