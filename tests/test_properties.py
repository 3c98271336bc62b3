"""Property-based tests of every input reader, end to end through `score_inputs`.

Files are generated with valid conversations mixed with broken records (arbitrary bytes,
truncated JSON, wrong types, missing fields, unknown speakers, out-of-order and
mixed-format timestamps, empty texts, duplicate ids). Whatever the input, the run
finishes, `read == scored + rejected` (summary and manifest.json), every valid
conversation is scored and every broken one is listed in `errors` with its file, line
and a reason a person understands.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_qa.core.model import Conversation
from cs_qa.engine.run import RunSummary, score_inputs
from cs_qa.ingest import read_file
from cs_qa.ingest.encoding import binary_reason
from cs_qa.ingest.speakers import SPEAKER_ALIASES
from cs_qa.packs.loader import load_pack

PACK = load_pack(None)

# Each example scores a folder end to end: 40 per test in CI. `make fuzz` runs its
# profile's number (tests/conftest.py), which also decides randomisation and the
# example database.
FUZZING = settings.get_current_profile_name() == "fuzz"
SETTINGS = settings(
    max_examples=settings.default.max_examples if FUZZING else 40,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
    ],
)

AGENT_LABELS = sorted(k for k, v in SPEAKER_ALIASES.items() if v == "agent")
CUSTOMER_LABELS = sorted(k for k, v in SPEAKER_ALIASES.items() if v == "customer")
SYSTEM_LABELS = sorted(k for k, v in SPEAKER_ALIASES.items() if v == "system")
UNKNOWN_SPEAKERS = ["店小二", "外星人", "robot2", "张三", "0", "客服客服"]
# Text for line-based formats: no line breaks, separators or markup.
SAFE_ALPHABET = "您好在吗请问订单已发货退款谢谢满意抱歉稍等abcXYZ0123456789 ，。？！"
LINE_TEXT = st.text(alphabet=SAFE_ALPHABET, min_size=1, max_size=30).filter(str.strip)
ANY_TEXT = st.text(min_size=1, max_size=40).filter(str.strip)
# Reasons must read as sentences, not as a bare exception class or a stack trace.
BARE_EXCEPTION = re.compile(r"[\w.]*(Error|Exception)(\(.*\))?:?\s*", re.DOTALL)


# --- running and checking ------------------------------------------------------------


@dataclass
class Expect:
    """What a generated input must produce."""

    ok: set[str] = field(default_factory=set)  # conversation ids that must be scored
    bad: set[tuple[str, int]] = field(default_factory=set)  # (file, line) in errors
    dup: set[tuple[str, int]] = field(default_factory=set)  # duplicate-id errors
    bad_files: set[str] = field(default_factory=set)  # files with some error, line unknown
    not_text: set[str] = field(default_factory=set)  # files rejected whole, at line 0
    exact: bool = True  # errors are exactly bad | dup (plus anything in bad_files)

    def drop_file(self, name: str) -> None:
        """Forget what was expected of the records of `name` (it is rejected whole)."""
        self.ok = {cid for cid in self.ok if not cid.startswith(f"{Path(name).stem}-")}
        self.bad = {key for key in self.bad if key[0] != f"in/{name}"}
        self.dup = {key for key in self.dup if key[0] != f"in/{name}"}


@dataclass
class Outcome:
    summary: RunSummary
    conversations: pd.DataFrame
    errors: pd.DataFrame
    manifest: dict


def score(folder: Path, workers: int = 1) -> Outcome:
    out = folder.parent / "out"
    summary = score_inputs([folder], PACK, out, workers=workers)
    return Outcome(
        summary,
        pd.read_parquet(out / "conversations"),
        pd.read_parquet(out / "errors"),
        json.loads((out / "manifest.json").read_text(encoding="utf-8")),
    )


def check_accounting(result: Outcome, files: set[str], lines_from: int = 0) -> None:
    """The invariants that hold for any input at all."""
    s = result.summary
    assert s.read == s.scored + s.rejected
    counts = result.manifest["counts"]
    assert counts["read"] == counts["scored"] + counts["rejected"]
    assert (counts["read"], counts["scored"], counts["rejected"]) == (s.read, s.scored, s.rejected)
    assert len(result.conversations) == s.scored
    assert len(result.errors) == s.rejected
    assert result.conversations.conversation_id.is_unique
    for e in result.errors.itertuples():
        assert e.source_file in files, e
        assert e.source_line >= lines_from, e
        check_reason(e.reason)


def check_reason(reason: str) -> None:
    assert reason and reason.strip(), "empty reason"
    assert "Traceback" not in reason, reason
    assert not BARE_EXCEPTION.fullmatch(reason), reason
    assert len(reason) <= 1000, f"reason of {len(reason)} characters: {reason[:200]}…"


def check(result: Outcome, expect: Expect, files: set[str]) -> None:
    check_accounting(result, files)
    scored = set(result.conversations.conversation_id)
    assert scored == expect.ok
    where = {(e.source_file, e.source_line): e.reason for e in result.errors.itertuples()}
    assert len(where) == len(result.errors), "two errors at one line"
    for key in expect.bad:
        assert key in where, f"broken record at {key} not reported; errors: {where}"
        assert key[1] >= 1
    for key in expect.dup:
        assert "duplicate conversation_id" in where.get(key, ""), (key, where)
    for name in expect.bad_files:
        assert any(f == name for f, _ in where), f"nothing reported for {name}"
    for name in expect.not_text:
        assert [k for k in where if k[0] == name] == [(name, 0)], (name, where)
        assert where[name, 0].startswith("not a text file"), where[name, 0]
    if expect.exact:
        extra = {k for k in where if k not in expect.bad | expect.dup}
        extra = {k for k in extra if k[0] not in expect.not_text}
        extra = {k for k in extra if k[0] not in expect.bad_files}
        assert not extra, f"unexpected errors: { {k: where[k] for k in extra} }"


def fresh_dir() -> tempfile.TemporaryDirectory:
    # Hypothesis runs many examples in one test call: each gets its own directory.
    return tempfile.TemporaryDirectory(prefix="cs-qa-prop-")


def write_files(root: Path, files: dict[str, bytes]) -> tuple[Path, set[str]]:
    folder = root / "in"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder, {f"in/{name}" for name in files}


# --- canonical records -------------------------------------------------------------------

VALID = "valid"
BROKEN_KINDS = (
    "wrong_type_id",
    "wrong_type_turns",
    "wrong_type_turn",
    "wrong_type_text",
    "missing_id",
    "missing_turns",
    "missing_text",
    "missing_speaker",
    "unknown_speaker",
    "empty_text",
    "no_turns",
    "bad_timestamp",
    "mixed_ts_start",
    "end_before_start",
    "not_an_object",
)
LINE_BROKEN = ("truncated", "garbage")  # broken at the JSON level (JSON Lines only)


@st.composite
def timestamps(draw: st.DrawFn, n: int) -> list[str]:
    """`n` clock times, in any order, each in one of the formats exports use."""
    seconds = draw(st.lists(st.integers(0, 3600), min_size=n, max_size=n))
    out = []
    for s in seconds:
        h, m, sec = 9 + s // 3600, s // 60 % 60, s % 60
        fmt = draw(st.sampled_from(["iso", "iso_z", "naive", "loose", "frac"]))
        out.append(
            {
                "iso": f"2026-11-21T{h:02d}:{m:02d}:{sec:02d}+08:00",
                "iso_z": f"2026-11-21T{h - 8:02d}:{m:02d}:{sec:02d}Z",
                "naive": f"2026-11-21 {h:02d}:{m:02d}:{sec:02d}",
                "loose": f"2026/11/21 {h}:{m:02d}:{sec:02d}",
                "frac": f"2026-11-21T{h:02d}:{m:02d}:{sec:02d}.250+08:00",
            }[fmt]
        )
    return out


@st.composite
def valid_turns(draw: st.DrawFn, text: st.SearchStrategy[str] = ANY_TEXT) -> list[dict]:
    n = draw(st.integers(1, 6))
    labels = draw(
        st.lists(st.sampled_from(AGENT_LABELS + CUSTOMER_LABELS + SYSTEM_LABELS), min_size=n)
    )[:n]
    turns: list[dict] = [{"speaker": label, "text": draw(text)} for label in labels]
    timing = draw(st.sampled_from(["none", "ts", "start"]))
    if timing == "ts":
        for turn, ts in zip(turns, draw(timestamps(n)), strict=True):
            turn["ts"] = ts
    elif timing == "start":
        for turn in turns:
            start = draw(st.floats(0, 3600, allow_nan=False))
            turn["start"] = start
            if draw(st.booleans()):
                turn["end"] = start + draw(st.floats(0, 30, allow_nan=False))
    return turns


@st.composite
def canonical(draw: st.DrawFn, cid: str, kind: str) -> object:
    """A canonical conversation record of `kind` (valid, or one way of being broken)."""
    record: dict = {"conversation_id": cid, "agent_id": "A1", "turns": draw(valid_turns())}
    if draw(st.booleans()):
        record["channel"] = draw(st.sampled_from(["chat", "call", "电话", "在线"]))
    turns = record["turns"]
    i = draw(st.integers(0, len(turns) - 1))
    if kind == "wrong_type_id":
        record["conversation_id"] = draw(st.sampled_from([[cid], {"id": cid}, True]))
    elif kind == "wrong_type_turns":
        record["turns"] = draw(st.sampled_from(["hello", 3, {"speaker": "agent"}, True]))
    elif kind == "wrong_type_turn":
        turns[i] = draw(st.sampled_from(["您好", 1, None, ["agent", "您好"]]))
    elif kind == "wrong_type_text":
        turns[i]["text"] = draw(st.sampled_from([["您好"], {"t": "您好"}, True]))
    elif kind == "missing_id":
        del record["conversation_id"]
    elif kind == "missing_turns":
        del record["turns"]
    elif kind == "missing_text":
        del turns[i]["text"]
    elif kind == "missing_speaker":
        del turns[i]["speaker"]
    elif kind == "unknown_speaker":
        turns[i]["speaker"] = draw(st.sampled_from(UNKNOWN_SPEAKERS))
    elif kind == "empty_text":
        turns[i]["text"] = draw(st.sampled_from(["", " ", "\u3000", "\t\n"]))
    elif kind == "no_turns":
        record["turns"] = []
    elif kind == "bad_timestamp":
        for turn in turns:
            turn.pop("start", None)
            turn.pop("end", None)
        turns[i]["ts"] = draw(st.sampled_from(["2026-13-45 10:00:05", "yesterday", "12:00", 17]))
    elif kind == "mixed_ts_start":
        for turn in turns:
            turn.pop("start", None)
            turn.pop("end", None)
            turn["ts"] = "2026-11-21T09:00:00+08:00"
        turns.append({"speaker": "agent", "text": "好的", "start": 3.0})
    elif kind == "end_before_start":
        for turn in turns:
            turn.pop("ts", None)
        turns[i]["start"], turns[i]["end"] = 10.0, 5.0
    elif kind == "not_an_object":
        return draw(st.sampled_from([[record], "conversation", 42, None]))
    else:
        assert kind == VALID, kind
    return record


def dumps(record: object) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


@st.composite
def kinds(draw: st.DrawFn, broken: tuple[str, ...], max_size: int = 12) -> list[str]:
    weights = [VALID] * 4 + list(broken) + ["duplicate"]
    return draw(st.lists(st.sampled_from(weights), min_size=1, max_size=max_size))


@st.composite
def garbage_line(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes on one line that are neither blank nor valid JSON."""
    data = draw(st.binary(min_size=1, max_size=60)).replace(b"\n", b"")
    return b"\x00" + data  # a NUL byte is never valid JSON, nor blank


def starts_binary(lines: list[bytes]) -> bool:
    """The rule of cs_qa.ingest.encoding.binary_reason for these small files: a file is not
    text when its first non-blank line is binary (here: holds a NUL byte) and so are more
    than half of its non-blank lines. A file that starts as text keeps its good lines."""
    nonblank = [line for line in lines if line.strip()]
    binary = [line for line in nonblank if b"\x00" in line]
    return bool(nonblank) and b"\x00" in nonblank[0] and 2 * len(binary) > len(nonblank)


@st.composite
def jsonl_file(
    draw: st.DrawFn, name: str, expect: Expect, scored_ids: list[str], line_broken: bool = True
) -> bytes:
    """A JSON Lines body: one record per line, with blank lines here and there."""
    broken = BROKEN_KINDS + (LINE_BROKEN if line_broken else ())
    lines: list[bytes] = []
    known_ids = len(scored_ids)
    for n, kind in enumerate(draw(kinds(broken))):
        blank = draw(st.sampled_from([None, None, b"", b"   ", b"\t"]))
        if blank is not None:
            lines.append(blank)
        line_no = len(lines) + 1
        cid = f"{Path(name).stem}-{n}"
        if kind == "duplicate" and scored_ids:
            cid, kind = draw(st.sampled_from(scored_ids)), VALID
            expect.dup.add((f"in/{name}", line_no))
        elif kind in (VALID, "duplicate"):
            kind = VALID
            expect.ok.add(cid)
            scored_ids.append(cid)
        else:
            expect.bad.add((f"in/{name}", line_no))
        if kind == "truncated":
            full = dumps(draw(canonical(cid, VALID)))
            lines.append(full[: draw(st.integers(1, len(full) - 1))].replace(b"\n", b" "))
        elif kind == "garbage":
            lines.append(draw(garbage_line()))
        else:
            lines.append(dumps(draw(canonical(cid, kind))))
    if starts_binary(lines):
        # Junk from the first line on: one rejection of the file, none of its records read.
        expect.drop_file(name)
        expect.not_text.add(f"in/{name}")
        del scored_ids[known_ids:]
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    return ending.join(lines) + draw(st.sampled_from([b"", ending]))


# --- JSON Lines and .json ------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_jsonl_every_record_scored_or_reported(data):
    with fresh_dir() as tmp:
        expect, scored_ids, files = Expect(), [], {}
        for i in range(data.draw(st.integers(1, 3))):
            name = f"f{i}.jsonl"
            files[name] = data.draw(jsonl_file(name, expect, scored_ids))
        folder, names = write_files(Path(tmp), files)
        check(score(folder), expect, names)


@SETTINGS
@given(data=st.data())
def test_json_array_every_record_scored_or_reported(data):
    with fresh_dir() as tmp:
        expect, scored_ids = Expect(), []
        name = "calls.json"
        parts: list[str] = []
        line = 2  # "[" is line 1, one element per line
        for n, kind in enumerate(data.draw(kinds(BROKEN_KINDS))):
            cid = f"j-{n}"
            if kind == "duplicate" and scored_ids:
                cid, kind = data.draw(st.sampled_from(scored_ids)), VALID
                expect.dup.add((f"in/{name}", line))
            elif kind in (VALID, "duplicate"):
                kind = VALID
                expect.ok.add(cid)
                scored_ids.append(cid)
            else:
                expect.bad.add((f"in/{name}", line))
            text = json.dumps(data.draw(canonical(cid, kind)), ensure_ascii=False, indent=None)
            parts.append(text)
            line += 1
        body = "[\n" + ",\n".join(parts) + "\n]\n"
        if parts[-1].startswith("{") and data.draw(st.booleans()):
            # A truncated array: the element that is cut off is reported at its line
            # (the rest of the file is skipped with it); the elements before are read.
            last = (f"in/{name}", len(parts) + 1)
            cut = data.draw(st.integers(1, len(parts[-1]) - 1))
            body = "[\n" + "".join(p + ",\n" for p in parts[:-1]) + parts[-1][:cut]
            expect.ok.discard(f"j-{len(parts) - 1}")
            expect.dup.discard(last)
            expect.bad.add(last)
        folder, names = write_files(Path(tmp), {name: body.encode("utf-8")})
        check(score(folder), expect, names)


@SETTINGS
@given(data=st.data())
def test_json_lines_in_a_json_file(data):
    with fresh_dir() as tmp:
        expect, scored_ids = Expect(), []
        name = "lines.json"
        body = data.draw(jsonl_file(name, expect, scored_ids))
        records = [line for line in body.splitlines() if line.strip()]
        if len(records) == 1 and records[0].startswith(b"["):
            # One line holding an array is a JSON document, an array of conversations, not
            # JSON Lines whose only record is an array: its conversation is scored.
            (record,) = json.loads(records[0])
            expect.bad.clear()
            expect.ok.add(record["conversation_id"])
        folder, names = write_files(Path(tmp), {name: body})
        check(score(folder), expect, names)


def test_single_line_json_array_with_a_duplicate_id_keeps_counts(tmp_path):
    # Two records on one physical line: the duplicate is reported once, the first kept.
    folder = tmp_path / "in"
    folder.mkdir()
    record = {"conversation_id": "x", "turns": [{"speaker": "agent", "text": "您好"}]}
    (folder / "a.json").write_text(json.dumps([record, record]), encoding="utf-8")
    result = score(folder)
    check_accounting(result, {"in/a.json"})


# Inputs Hypothesis found (with a database, not derandomised), kept as plain tests.


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_found_a_file_of_nothing_but_junk_is_one_rejection(tmp_path, suffix):
    # A blank line, then a NUL-led junk line: reported at line 1 instead of line 2, because
    # the NUL bytes made charset-normalizer guess UTF-16, and the file was decoded whole
    # in it as one line of nonsense. Now the file is not text: one rejection, at line 0.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"f{suffix}").write_bytes(b"   \n\x00\x01\x00\x80")
    check(score(folder), Expect(not_text={f"in/f{suffix}"}), {f"in/f{suffix}"})


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_found_a_junk_line_after_ascii_records_keeps_them(tmp_path, suffix):
    # The same junk after a good record whose text is ASCII: no line votes UTF-8, so the
    # UTF-16 guess used to swallow the good record too.
    folder = tmp_path / "in"
    folder.mkdir()
    good = dumps({"conversation_id": "a-1", "turns": [{"speaker": "agent", "text": "hi"}]})
    (folder / f"f{suffix}").write_bytes(good + b"\n   \n\x00\x01\x00\x80")
    check(score(folder), Expect(ok={"a-1"}, bad={(f"in/f{suffix}", 3)}), {f"in/f{suffix}"})


def test_found_a_one_line_json_array_is_an_array_of_conversations(tmp_path):
    # The generator expected a .json file holding `[record]` on one line to be JSON Lines
    # with one bad record (an array); it is a JSON document, and its conversation is scored.
    folder = tmp_path / "in"
    folder.mkdir()
    record = {**GOOD_RECORD, "conversation_id": "one"}
    (folder / "lines.json").write_bytes(b"\n" + dumps([record]) + b"\n\n")
    check(score(folder), Expect(ok={"one"}), {"in/lines.json"})


def test_a_json_array_line_followed_by_records_is_json_lines(tmp_path):
    # `[record]` on line 1 and records below used to be read as the array alone: the
    # records after it were dropped without a word. The file is JSON Lines, and line 1 is
    # one bad record.
    folder = tmp_path / "in"
    folder.mkdir()
    first = {**GOOD_RECORD, "conversation_id": "in-array"}
    (folder / "lines.json").write_bytes(
        dumps([first]) + b"\n" + dumps({**GOOD_RECORD, "conversation_id": "after"}) + b"\n"
    )
    result = score(folder)
    check(result, Expect(ok={"after"}, bad={("in/lines.json", 1)}), {"in/lines.json"})
    assert "expected a JSON object, got an array" in result.errors.reason[0]


def test_content_after_a_json_array_is_reported(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    records = [{**GOOD_RECORD, "conversation_id": f"a-{i}"} for i in range(2)]
    body = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    (folder / "a.json").write_bytes(body + b"\n" + dumps(GOOD_RECORD) + b"\n")
    result = score(folder)
    last = body.count(b"\n") + 2
    check(result, Expect(ok={"a-0", "a-1"}, bad={("in/a.json", last)}), {"in/a.json"})
    assert "after the JSON array" in result.errors.reason[0]


# --- speech-recognition JSON ---------------------------------------------------------

ASR_BROKEN = (
    "unknown_channel",
    "end_before_begin",
    "negative_begin",
    "no_text",
    "no_sentences",
    "sentences_not_list",
    "missing_time",
    "sentence_not_object",
    "bad_time",
)


@st.composite
def asr_call(draw: st.DrawFn, cid: str | None, kind: str) -> dict:
    sentences = []
    for _ in range(draw(st.integers(1, 5))):
        begin = draw(st.integers(0, 600_000))
        end = begin + draw(st.integers(0, 10_000))
        style = draw(st.sampled_from(["snake", "camel", "bg", "str"]))
        channel = draw(st.sampled_from([0, 1, "0", "1", 0.0, "客服", "customer"]))
        text = draw(ANY_TEXT)
        if style == "snake":
            s = {"begin_time": begin, "end_time": end, "channel_id": channel, "text": text}
        elif style == "camel":
            s = {"BeginTime": begin, "EndTime": end, "ChannelId": channel, "Text": text}
        elif style == "bg":
            s = {"bg": begin, "ed": end, "spk": channel, "text": text}
        else:
            s = {"begin_time": str(begin), "end_time": str(end), "role": channel, "text": text}
        sentences.append(s)
    call: dict = {"agent_id": "A9", "sentences": sentences}
    if cid is not None:
        call["call_id"] = cid
    s = draw(st.sampled_from(sentences))
    keys = {k.lower().replace("_", ""): k for k in s}
    begin_key = keys.get("begintime") or keys.get("bg")
    end_key = keys.get("endtime") or keys.get("ed")
    speaker_key = keys.get("channelid") or keys.get("spk") or keys.get("role")
    if kind == "unknown_channel":
        s[speaker_key] = draw(st.sampled_from([2, "3", "外星人", True]))
    elif kind == "end_before_begin":
        s[begin_key], s[end_key] = 5000, 3000
    elif kind == "negative_begin":
        s[begin_key] = -5
    elif kind == "no_text":
        s[keys["text"]] = draw(st.sampled_from(["", "  ", None]))
    elif kind == "no_sentences":
        call["sentences"] = []
    elif kind == "sentences_not_list":
        call["sentences"] = draw(st.sampled_from(["none", 7, True]))
    elif kind == "missing_time":
        del s[end_key]
    elif kind == "sentence_not_object":
        sentences[0] = draw(st.sampled_from(["您好", [0, 1000], 3]))
    elif kind == "bad_time":
        s[begin_key] = draw(st.sampled_from(["1.2.3", "abc", [1], "NaN"]))
    else:
        assert kind == VALID, kind
    return call


@SETTINGS
@given(data=st.data())
def test_asr_json_every_call_scored_or_reported(data):
    with fresh_dir() as tmp:
        expect, scored_ids, files = Expect(), [], {}
        for i in range(data.draw(st.integers(1, 2))):
            name = f"asr{i}.json"
            layout = data.draw(st.sampled_from(["array", "lines"]))
            parts = []
            line = 2 if layout == "array" else 1
            file_kinds = data.draw(kinds(ASR_BROKEN, 8))
            for n, kind in enumerate(file_kinds):
                named = data.draw(st.booleans())
                # The fallback id of an unnamed call: STEM for a file of one object.
                single = layout == "lines" and len(file_kinds) == 1
                cid = f"asr{i}" if single else f"asr{i}-{n + 1}"
                if kind == "duplicate" and scored_ids:
                    cid, kind, named = data.draw(st.sampled_from(scored_ids)), VALID, True
                    expect.dup.add((f"in/{name}", line))
                elif kind in (VALID, "duplicate"):
                    kind = VALID
                    expect.ok.add(cid)
                    scored_ids.append(cid)
                else:
                    expect.bad.add((f"in/{name}", line))
                parts.append(json.dumps(data.draw(asr_call(cid if named else None, kind))))
                line += 1
            body = "[\n" + ",\n".join(parts) + "\n]\n" if layout == "array" else "\n".join(parts)
            files[name] = body.encode("utf-8")
        folder, names = write_files(Path(tmp), files)
        check(score(folder), expect, names)


# --- CSV, TSV, table .txt ------------------------------------------------------------

TABLE_BROKEN = (
    "unknown_speaker",
    "empty_text",
    "bad_timestamp",
    "short_row",
    "bad_quoting",
    "no_id_row",
    "undecodable",
)


@st.composite
def table_file(
    draw: st.DrawFn, name: str, delimiter: str, expect: Expect, scored_ids: list[str]
) -> bytes:
    """A long table: one message per row, the rows of the conversations interleaved."""
    header = ["会话编号", "客服工号", "发送方", "发送时间", "消息内容"]
    rows: list[tuple[str, list[str] | bytes, str | None]] = []  # (cid, row, broken kind)
    conversations = []
    for n, kind in enumerate(draw(kinds(TABLE_BROKEN, 8))):
        cid = f"{Path(name).stem}-{n}"
        if kind == "duplicate" and scored_ids:
            cid, kind = draw(st.sampled_from(scored_ids)), "dup"
        elif kind == "duplicate":
            kind = VALID
        n_turns = draw(st.integers(1, 4))
        stamps = draw(timestamps(n_turns)) if draw(st.booleans()) else [""] * n_turns
        own = []
        for t in range(n_turns):
            speaker = draw(st.sampled_from(AGENT_LABELS + CUSTOMER_LABELS))
            own.append([cid, "A2", speaker, stamps[t], draw(LINE_TEXT)])
        conversations.append((cid, kind, own))
    # Interleave the rows of the conversations, each conversation's own rows in order.
    order = [c for c, (_, _, own) in enumerate(conversations) for _ in own]
    order = draw(st.permutations(order))
    cursors = [0] * len(conversations)
    for c in order:
        cid, kind, own = conversations[c]
        rows.append((cid, own[cursors[c]], None))
        cursors[c] += 1
    # Break one row of each broken conversation (the first one, so that the rejection's
    # line is known: the reader reports the first bad row).
    broken_at: dict[str, int] = {}
    for cid, kind, _own in conversations:
        if kind in (VALID, "dup"):
            continue
        index = next(i for i, (c, _, _) in enumerate(rows) if c == cid)
        broken_at[cid] = index
        row = list(rows[index][1])  # type: ignore[arg-type]
        if kind == "unknown_speaker":
            row[2] = draw(st.sampled_from(UNKNOWN_SPEAKERS))
        elif kind == "empty_text":
            row[4] = draw(st.sampled_from(["", "  "]))
        elif kind == "bad_timestamp":
            row[3] = draw(st.sampled_from(["2026-13-45 10:00:05", "yesterday", "12点"]))
        elif kind == "short_row":
            row = row[:3]
        elif kind == "no_id_row":
            row[0] = ""
        rows[index] = (cid, row, kind)

    def encode(row: list[str], kind: str | None) -> bytes:
        if kind == "bad_quoting":
            cells = [*row[:4], f'"{row[4]}"x']
            return delimiter.join(cells).encode("utf-8")
        line = delimiter.join(row).encode("utf-8")
        if kind == "undecodable":
            line += b"\xff\xfe"
        return line

    lines = [delimiter.join(header).encode("utf-8")]
    lines += [encode(row, kind) for _, row, kind in rows]  # type: ignore[arg-type]
    for cid, kind, _own in conversations:
        if kind == VALID:
            expect.ok.add(cid)
            scored_ids.append(cid)
        elif kind == "dup":
            first_row = next(i for i, (c, _, _) in enumerate(rows) if c == cid)
            expect.dup.add((f"in/{name}", first_row + 2))
        elif kind == "no_id_row":
            # The row without an id is rejected on its own; the rest of its conversation
            # (if any) is still a valid conversation.
            expect.bad.add((f"in/{name}", broken_at[cid] + 2))
            if sum(1 for c, _, _ in rows if c == cid) > 1:
                expect.ok.add(cid)
                scored_ids.append(cid)
        else:
            expect.bad.add((f"in/{name}", broken_at[cid] + 2))
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt"])
@SETTINGS
@given(data=st.data())
def test_tables_every_conversation_scored_or_reported(suffix, data):
    delimiter = "," if suffix == ".csv" else "\t"
    with fresh_dir() as tmp:
        expect, scored_ids, files = Expect(), [], {}
        for i in range(data.draw(st.integers(1, 2))):
            name = f"t{i}{suffix}"
            files[name] = data.draw(table_file(name, delimiter, expect, scored_ids))
        folder, names = write_files(Path(tmp), files)
        check(score(folder), expect, names)


@SETTINGS
@given(data=st.data())
def test_parquet_every_conversation_scored_or_reported(data):
    with fresh_dir() as tmp:
        expect, scored_ids = Expect(), []
        rows = []
        for n, kind in enumerate(
            data.draw(kinds(("unknown_speaker", "empty_text", "bad_timestamp", "no_id_row"), 8))
        ):
            cid = f"p-{n}"
            if kind == "duplicate":
                kind = VALID  # one Parquet file groups every row of an id together
            own = []
            for _ in range(data.draw(st.integers(1, 3))):
                speaker = data.draw(st.sampled_from(AGENT_LABELS + CUSTOMER_LABELS))
                own.append([cid, speaker, data.draw(ANY_TEXT), "2026-11-21 10:00:00"])
            line = len(rows) + 2
            if kind == "unknown_speaker":
                own[0][1] = data.draw(st.sampled_from(UNKNOWN_SPEAKERS))
            elif kind == "empty_text":
                own[0][2] = None
            elif kind == "bad_timestamp":
                own[0][3] = "2026-13-45 10:00:05"
            elif kind == "no_id_row":
                own[0][0] = None
                if len(own) > 1:
                    expect.ok.add(cid)
            if kind == VALID:
                expect.ok.add(cid)
                scored_ids.append(cid)
            else:
                expect.bad.add(("in/p.parquet", line))
            rows.extend(own)
        folder = Path(tmp) / "in"
        folder.mkdir()
        frame = pd.DataFrame(rows, columns=["conversation_id", "speaker", "text", "ts"])
        frame.to_parquet(folder / "p.parquet")
        (folder / "broken.parquet").write_bytes(data.draw(st.binary(max_size=200)))
        expect.bad_files.add("in/broken.parquet")
        check(score(folder), expect, {"in/p.parquet", "in/broken.parquet"})


# --- chat logs -----------------------------------------------------------------------

CHATLOG_BROKEN = ("bad_timestamp", "no_text", "no_messages", "undecodable")


@st.composite
def chatlog_file(draw: st.DrawFn, name: str, expect: Expect, scored_ids: list[str]) -> bytes:
    layout = draw(st.sampled_from([1, 2]))
    lines: list[bytes] = []
    if draw(st.booleans()):
        lines.append("聊天记录导出 2026年11月".encode())  # the file's own header
    file_kinds = draw(kinds(CHATLOG_BROKEN, 6))
    for n, kind in enumerate(file_kinds):
        cid = f"{Path(name).stem}-c{n}"
        if kind == "duplicate" and scored_ids:
            cid, kind = draw(st.sampled_from(scored_ids)), "dup"
        elif kind == "duplicate":
            kind = VALID
        sep_line = len(lines) + 1
        lines.append(
            draw(st.sampled_from(["=== 会话 {} ===", "--- {} ---", "===会话：{}==="]))
            .format(cid)
            .encode()
        )
        messages = []
        for _ in range(draw(st.integers(1, 4))):
            who = draw(st.sampled_from(["客服小美", "售后-王", "顾客", "张三", "系统", "买家_1"]))
            ts = draw(timestamps(1))[0]
            ts = re.sub(r"(\+08:00|Z)$", "", ts).replace("T", " ")
            messages.append((who, ts, draw(LINE_TEXT)))
        bad_line = None
        for i, (who, ts, text) in enumerate(messages):
            if kind == "bad_timestamp" and i == len(messages) - 1:
                ts = "2026-13-45 10:00:05"
                bad_line = len(lines) + 1
            if kind == "no_text" and i == 0:
                text = ""
                bad_line = len(lines) + 1
            if kind == "no_messages":
                lines.append(f"{who}说{text}".encode())
                continue
            if layout == 1:
                colon = draw(st.sampled_from([": ", "：", ":"]))
                stamp = draw(st.sampled_from(["{}", "[{}]"])).format(ts)
                lines.append(f"{stamp} {who}{colon}{text}".encode())
            else:
                lines.append(f"{who} {ts}".encode())
                if kind == "no_text" and i == 0:
                    continue
                lines.append(text.encode())
            if kind == "undecodable" and i == 0:
                lines[-1] += b"\xff\xfe\xfd"
                bad_line = len(lines)
        if kind == VALID:
            expect.ok.add(cid)
            scored_ids.append(cid)
        elif kind == "dup":
            expect.dup.add((f"in/{name}", sep_line))
        elif kind == "no_messages":
            expect.bad.add((f"in/{name}", sep_line))
        else:
            expect.bad.add((f"in/{name}", bad_line))  # type: ignore[arg-type]
    if all(kind == "no_messages" for kind in file_kinds):
        # A file without a single message is not a chat log at all (one error at line 0):
        # give it one good conversation so that its sections are judged one by one.
        cid = f"{Path(name).stem}-extra"
        lines.append(f"=== {cid} ===".encode())
        lines.append(f"2026-11-21 10:00:00 客服: {draw(LINE_TEXT)}".encode())
        expect.ok.add(cid)
    return b"\n".join(lines) + b"\n"


@SETTINGS
@given(data=st.data())
def test_chat_logs_every_conversation_scored_or_reported(data):
    with fresh_dir() as tmp:
        expect, scored_ids, files = Expect(), [], {}
        for i in range(data.draw(st.integers(1, 2))):
            name = f"log{i}" + data.draw(st.sampled_from([".txt", ".log"]))
            files[name] = data.draw(chatlog_file(name, expect, scored_ids))
        folder, names = write_files(Path(tmp), files)
        check(score(folder), expect, names)


# --- subtitles -----------------------------------------------------------------------

SUBTITLE_BROKEN = (
    "no_speaker",
    "unknown_speaker",
    "bad_timing",
    "end_before_start",
    "no_text",
    "no_timing",
)


def cue_time(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


@st.composite
def subtitle_file(draw: st.DrawFn, vtt: bool, cid: str, kind: str) -> tuple[str, int | None]:
    """A subtitle file's text and the line of its first broken cue (None when valid)."""
    sep = "." if vtt else ","
    lines = ["WEBVTT", f"NOTE conversation_id: {cid}", ""] if vtt else []
    if not vtt:
        lines += ["1", f"00:00:00{sep}000 --> 00:00:00{sep}500", f"NOTE conversation_id: {cid}", ""]
    n = draw(st.integers(1, 5))
    broken = draw(st.integers(0, n - 1))
    bad_line = None
    for i in range(n):
        begin = draw(st.integers(0, 3_600_000))
        end = begin + draw(st.integers(0, 9000))
        speaker = draw(st.sampled_from(["客服", "客户", "坐席 A1005", "客服(A1)", "顾客"]))
        text = draw(LINE_TEXT).strip() or "好"
        if vtt and draw(st.booleans()):
            body = f"<v {speaker}>{text}"
        else:
            body = f"{speaker}{draw(st.sampled_from([':', '：']))}{text}"
        timing = f"{cue_time(begin, sep)} --> {cue_time(end, sep)}"
        block = [str(i + 2)] if (not vtt or draw(st.booleans())) else []
        if i == broken and kind != VALID:
            bad_line = len(lines) + 1
            if kind == "no_speaker":
                body = text
            elif kind == "unknown_speaker":
                body = f"外星人：{text}"
            elif kind == "bad_timing":
                timing = timing.replace(":", "x", 1)
            elif kind == "end_before_start":
                timing = f"{cue_time(end + 1000, sep)} --> {cue_time(end, sep)}"
            elif kind == "no_text":
                body = ""
            elif kind == "no_timing":
                timing = "about a second in"
        block += [timing] + ([body] if body else [])
        lines += [*block, ""]
    return "\n".join(lines), bad_line


@pytest.mark.parametrize("suffix", [".vtt", ".srt"])
@SETTINGS
@given(data=st.data())
def test_subtitles_every_call_scored_or_reported(suffix, data):
    with fresh_dir() as tmp:
        expect, files = Expect(), {}
        scored_ids: list[str] = []
        for i, kind in enumerate(data.draw(kinds((*SUBTITLE_BROKEN, "no_header"), 5))):
            name = f"call{i}{suffix}"
            cid = f"call-{i}"
            if kind == "duplicate" and scored_ids:
                cid, kind = data.draw(st.sampled_from(scored_ids)), "dup"
            elif kind == "duplicate":
                kind = VALID
            if kind == "no_header":
                text, bad = data.draw(subtitle_file(suffix == ".vtt", cid, VALID))
                if suffix == ".vtt":
                    text, bad = text.replace("WEBVTT", "WEBVTX", 1), 1
                else:
                    kind = VALID
            else:
                text, bad = data.draw(subtitle_file(suffix == ".vtt", cid, kind))
            files[name] = text.encode("utf-8")
            if kind == VALID:
                expect.ok.add(cid)
                scored_ids.append(cid)
            elif kind == "dup":
                expect.dup.add((f"in/{name}", 1))
            else:
                expect.bad.add((f"in/{name}", bad))
        folder, names = write_files(Path(tmp), files)
        check(score(folder), expect, names)


# --- text or binary ------------------------------------------------------------------

# Text as people write it: any character but control characters (and surrogates).
PRINTED = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\t\u3000"), max_size=80
)


@SETTINGS
@given(
    lines=st.lists(PRINTED, min_size=1, max_size=20),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_text_in_a_supported_encoding_is_never_binary(lines, encoding, ending):
    with fresh_dir() as tmp:
        path = Path(tmp) / "t.txt"
        path.write_bytes(ending.join(lines).encode(encoding))
        assert binary_reason(path) is None


# Junk after the good records: lines of binary data (led by a NUL byte; some of them
# valid GB18030 after it, which used to outvote the UTF-8 lines).
TAILS = st.lists(
    st.binary(max_size=40).map(lambda junk: b"\x00" + junk.replace(b"\n", b"")),
    min_size=1,
    max_size=12,
).map(b"\n".join)


@SETTINGS
@given(data=st.data(), tail=TAILS)
def test_good_records_then_any_bytes_keep_every_record(data, tail):
    """A file that starts as text is text: whatever junk follows, its good records are
    read, with their text as written (junk must not tip the file into another encoding).
    Text in another encoding after them is a mixed file, not junk: there the lines vote,
    weighed by their non-ASCII bytes."""
    with fresh_dir() as tmp:
        n = data.draw(st.integers(1, 5))
        records = [data.draw(canonical(f"g-{i}", VALID)) for i in range(n)]
        path = Path(tmp) / "t.jsonl"
        path.write_bytes(b"".join(dumps(r) + b"\n" for r in records) + tail)
        read = {
            c.conversation_id: c for c in read_file(path, "t.jsonl") if isinstance(c, Conversation)
        }
        for r in records:
            conversation = read[r["conversation_id"]]
            # (turns with clock times are put in time order)
            assert sorted(t.text for t in conversation.turns) == sorted(
                t["text"] for t in r["turns"]
            )


# --- anything at all ---------------------------------------------------------------

SUFFIXES = [".jsonl", ".json", ".csv", ".tsv", ".txt", ".log", ".vtt", ".srt", ".parquet"]


@SETTINGS
@given(
    files=st.lists(
        st.tuples(st.sampled_from(SUFFIXES), st.binary(max_size=400)), min_size=1, max_size=6
    )
)
def test_arbitrary_bytes_in_any_format(files):
    with fresh_dir() as tmp:
        folder, names = write_files(
            Path(tmp), {f"x{i}{suffix}": data for i, (suffix, data) in enumerate(files)}
        )
        check_accounting(score(folder), names)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A well-formed file of some format with a few bytes flipped, cut or inserted."""
    data = bytearray(draw(st.sampled_from(list(GOOD_FILES.values()))))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 20))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[at:]
    return bytes(data)


GOOD_RECORD = {
    "conversation_id": "m-1",
    "agent_id": "A1",
    "turns": [
        {"speaker": "customer", "text": "在吗", "ts": "2026-11-21T09:00:00+08:00"},
        {"speaker": "agent", "text": "您好，请问有什么可以帮您", "ts": "2026-11-21T09:00:05+08:00"},
    ],
}
GOOD_FILES = {
    ".jsonl": b"\n".join(dumps({**GOOD_RECORD, "conversation_id": f"m-{i}"}) for i in range(3)),
    ".json": json.dumps([GOOD_RECORD], ensure_ascii=False, indent=1).encode("utf-8"),
    ".csv": "会话编号,发送方,发送时间,消息内容\nm-1,顾客,2026-11-21 10:00:00,在吗\n"
    "m-1,客服,2026-11-21 10:00:04,您好\nm-2,顾客,2026-11-21 10:00:00,在吗\n".encode(),
    ".txt": "=== 会话 m-1 ===\n2026-11-21 10:00:01 客服小美: 您好\n2026-11-21 10:00:15 顾客: 在吗\n"
    "=== 会话 m-2 ===\n2026-11-21 10:00:01 顾客: 在吗\n".encode(),
    ".vtt": "WEBVTT\nNOTE agent_id: A1005\n\n00:00:00.000 --> 00:00:03.200\n<v 客服>您好\n\n"
    "00:00:03.900 --> 00:00:06.100\n<v 客户>我的宽带断了\n".encode(),
    ".srt": "1\n00:00:00,000 --> 00:00:03,200\n客服：您好\n\n2\n00:00:03,900 --> 00:00:06,100\n"
    "客户：我的宽带断了\n".encode(),
}


@SETTINGS
@given(files=st.lists(st.tuples(st.sampled_from(sorted(GOOD_FILES)), mutated()), max_size=5))
def test_damaged_files_in_any_format(files):
    with fresh_dir() as tmp:
        # Each mutated file is written under a suffix chosen independently of its content.
        folder, names = write_files(
            Path(tmp), {f"m{i}{suffix}": data for i, (suffix, data) in enumerate(files)}
        )
        check_accounting(score(folder), names)


@settings(SETTINGS, max_examples=settings.default.max_examples // 10 if FUZZING else 4)
@given(data=st.data())
def test_two_workers_same_invariants(data):
    with fresh_dir() as tmp:
        expect, scored_ids, files = Expect(), [], {}
        for i in range(3):
            name = f"f{i}.jsonl"
            files[name] = data.draw(jsonl_file(name, expect, scored_ids))
        files["t.csv"] = data.draw(table_file("t.csv", ",", expect, scored_ids))
        folder, names = write_files(Path(tmp), files)
        check(score(folder, workers=2), expect, names)


# --- deterministic edge cases ------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024


def test_ten_megabyte_single_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    long_text = "您好" * (TEN_MB // 6)  # 3 bytes a character in UTF-8
    big = dumps(
        {
            **GOOD_RECORD,
            "conversation_id": "big",
            "turns": [
                {"speaker": "customer", "text": long_text},
                {"speaker": "agent", "text": "您好"},
            ],
        }
    )
    assert len(big) > TEN_MB
    bad = b'{"conversation_id": "bad-big", "turns": [{"speaker": "customer", "text": "' + (
        b"x" * TEN_MB
    )  # unterminated
    wrong = dumps({"conversation_id": ["x" * TEN_MB], "turns": []})
    (folder / "big.jsonl").write_bytes(
        b"\n".join(
            [big, dumps(GOOD_RECORD), bad, wrong, dumps({**GOOD_RECORD, "conversation_id": "m-2"})]
        )
    )
    result = score(folder)
    check(
        result,
        Expect(ok={"big", "m-1", "m-2"}, bad={("in/big.jsonl", 3), ("in/big.jsonl", 4)}),
        {"in/big.jsonl"},
    )


def test_hundred_thousand_turns(tmp_path):
    # Clock times, a few out of order. (Start/end times would also run the interruption
    # check, which compares every agent turn with every customer turn: minutes at 100k.)
    folder = tmp_path / "in"
    folder.mkdir()
    base = datetime(2026, 11, 21, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    turns = [
        {
            "speaker": "customer" if i % 2 else "agent",
            "text": "请问订单发货了吗" if i % 2 else "您好，已发货",
            "ts": (base + timedelta(seconds=i if i % 1000 else i + 5)).isoformat(),
        }
        for i in range(100_000)
    ]
    (folder / "long.jsonl").write_bytes(
        dumps({"conversation_id": "long", "turns": turns}) + b"\n" + dumps(GOOD_RECORD)
    )
    result = score(folder)
    check(result, Expect(ok={"long", "m-1"}), {"in/long.jsonl"})
    assert result.conversations.set_index("conversation_id").n_turns["long"] == 100_000


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".txt", ".vtt", ".parquet"])
def test_random_binary_file(tmp_path, suffix):
    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random(20261121)
    (folder / f"noise{suffix}").write_bytes(bytes(rng.randrange(256) for _ in range(200_000)))
    (folder / "good.jsonl").write_bytes(dumps(GOOD_RECORD))
    result = score(folder)
    check_accounting(result, {f"in/noise{suffix}", "in/good.jsonl"})
    assert set(result.conversations.conversation_id) == {"m-1"}
    # One rejection of the whole file, not one per "line" of noise.
    assert [(e.source_file, e.source_line) for e in result.errors.itertuples()] == [
        (f"in/noise{suffix}", 0)
    ]


def test_a_junk_line_does_not_turn_a_utf8_file_into_gb18030(tmp_path):
    # b"\xb0\xa1" is GB18030 (and not UTF-8), and so is the UTF-8 of 您好: the junk line
    # used to tip the file into GB18030, scoring 鎮ㄥソ instead of 您好.
    folder = tmp_path / "in"
    folder.mkdir()
    record = {"conversation_id": "u-1", "turns": [{"speaker": "agent", "text": "您好"}]}
    (folder / "a.jsonl").write_bytes(dumps(record) + b"\n\x00\xb0\xa1\n")
    (folder / "b.txt").write_bytes(
        "=== c-1 ===\n2026-11-21 10:00:01 客服小美: 您好\n=== c-2 ===\n".encode()
        + b"\xb0\xa1\xb0\xa1\n"
        + "2026-11-21 10:00:01 客服小美: 您好\n".encode()
    )
    result = score(folder)
    check(
        result,
        Expect(ok={"u-1", "c-1"}, bad={("in/a.jsonl", 2), ("in/b.txt", 4)}),
        {"in/a.jsonl", "in/b.txt"},
    )
    turns = pd.read_parquet(folder.parent / "out" / "turns")
    assert set(turns.text) == {"您好"}


def test_folder_of_broken_files_next_to_good_ones(tmp_path):
    """Every good conversation is scored and every bad one reported, file by file."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    files = {f"good-{suffix[1:]}{suffix}": data for suffix, data in GOOD_FILES.items()}
    # The good files use overlapping ids; give each its own.
    for name in list(files):
        files[name] = files[name].replace(b"m-", name.split(".")[1].encode() + b"-")
    files.update(
        {
            "bad.jsonl": b'{"conversation_id": "b-1", "turns": [{"speaker": "\xe5\xa4\x96"\n'
            b"\xff\xfe\x00\x01\n"
            b'{"conversation_id": "b-2", "turns": "none"}\n'
            b'{"conversation_id": "b-3", "turns": [{"speaker": "\xe5\xa4\x96\xe6\x98\x9f", '
            b'"text": "hi"}]}\n',
            "bad.json": b'[{"conversation_id": "b-4", "turns": [',
            "bad.csv": b"a,b,c\n1,2,3\n",
            "bad.tsv": b"\xff\xfe\x00\x00garbage",
            "bad.txt": "只是一些文字，没有聊天记录\n".encode(),
            "bad.log": "=== 会话 b-5 ===\n2026-13-45 10:00:05 客服: 您好\n".encode(),
            "bad.vtt": b"00:00:00.000 --> 00:00:01.000\n<v \xe5\xae\xa2\xe6\x9c\x8d>hi\n",
            "bad.srt": "1\n00:00:05,000 --> 00:00:01,000\n客服：您好\n".encode(),
            "bad.parquet": b"PAR1 not really",
            "empty.jsonl": b"",
            "sub/more.jsonl": dumps({**GOOD_RECORD, "conversation_id": "sub-1"})
            + b"\n"
            + dumps({**GOOD_RECORD, "conversation_id": "jsonl-0"}),  # a duplicate
        }
    )
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = score(folder)
    names = {f"in/{n}" for n in files}
    check_accounting(result, names)
    good_ids = {
        "jsonl-0", "jsonl-1", "jsonl-2", "json-1", "csv-1", "csv-2", "txt-1", "txt-2",
        "good-vtt", "good-srt", "sub-1",
    }  # fmt: skip
    assert set(result.conversations.conversation_id) == good_ids
    reported = set(result.errors.source_file)
    bad_names = {f"in/{n}" for n in files if n.startswith("bad")} | {"in/sub/more.jsonl"}
    assert reported == bad_names
    errors = {(e.source_file, e.source_line) for e in result.errors.itertuples()}
    assert {("in/bad.jsonl", n) for n in (1, 2, 3, 4)} <= errors
    assert ("in/sub/more.jsonl", 2) in errors
    assert result.summary.read == len(good_ids) + len(result.errors)
