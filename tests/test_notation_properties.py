"""Properties of the example notation (cs_qa/packs/notation.py): any text either becomes a
conversation or is refused with a `NotationError` that says what is wrong and on which
line of the example; well-formed examples read back exactly what was written, and the
turns marked `>` are read as marked without changing the conversation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_qa.core.model import Conversation
from cs_qa.packs.notation import (
    EXAMPLE_AGENT,
    MARKER,
    SPEAKER_WORDS,
    NotationError,
    parse_example,
    read_example,
)

# 200 examples in CI; `make fuzz` runs its profile's number (tests/conftest.py), which
# also decides randomisation and the example database.
FUZZING = settings.get_current_profile_name() == "fuzz"
PROPS = settings(max_examples=settings.default.max_examples if FUZZING else 200)

# Characters the notation gives a meaning to, mixed into arbitrary text so that the
# generator reaches the parser's branches rather than only "cannot read turn".
SPECIAL = st.sampled_from(
    [*SPEAKER_WORDS, ":", "：", "(", ")", "（", "）", "[", "]", "-", "#", "channel", "call",
     "chat", " ", "\n", "\r\n", "\t", "{", "}", "00:03", "1:02:03", "12:5", "\u3000", '"',
     MARKER, "> "]
)  # fmt: skip
NOISY = st.lists(st.one_of(SPECIAL, st.text(max_size=5)), max_size=30).map("".join)


def _check_refusal(text: str, exc: NotationError) -> None:
    message = str(exc)
    assert message.strip(), "an empty message tells the rule owner nothing"
    assert isinstance(exc.offset, int)
    lines = text.splitlines() or [""]
    assert 0 <= exc.offset < len(lines), (exc.offset, len(lines), message)


def _parse_or_refuse(text: str) -> Conversation | None:
    try:
        read = read_example(text)
    except NotationError as exc:  # any other exception type fails the test
        _check_refusal(text, exc)
        return None
    conversation = read.conversation
    assert isinstance(conversation, Conversation)
    # marked turns are turns, each once and in order, each with the line of its marker
    assert list(read.marked) == sorted(set(read.marked))
    assert all(0 <= i < len(conversation.turns) for i in read.marked)
    assert len(read.marker_offsets) == len(read.marked)
    lines = text.splitlines()
    assert all(lines[o].lstrip().startswith(MARKER) for o in read.marker_offsets)
    assert conversation.turns, "a conversation without turns must be refused"
    assert conversation.channel in ("chat", "call")
    return conversation


@PROPS
@given(st.text())
def test_arbitrary_text_parses_or_is_refused_with_a_reason(text):
    _parse_or_refuse(text)


@PROPS
@given(NOISY)
def test_notation_like_text_parses_or_is_refused_with_a_reason(text):
    _parse_or_refuse(text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
TURN_JSON = st.fixed_dictionaries(
    {},
    optional={
        "speaker": st.sampled_from(["agent", "customer", "system", "客服", "bot"]) | JSON_VALUES,
        "text": st.text(max_size=10) | JSON_VALUES,
        "ts": st.floats(allow_nan=False, allow_infinity=False) | JSON_VALUES,
        "start": st.floats(allow_nan=False, allow_infinity=False) | JSON_VALUES,
        "end": st.floats(allow_nan=False, allow_infinity=False) | JSON_VALUES,
        "agent_id": st.text(max_size=6) | JSON_VALUES,
    },
)
RECORD_JSON = st.fixed_dictionaries(
    {},
    optional={
        "conversation_id": st.text(max_size=6) | JSON_VALUES,
        "channel": st.sampled_from(["chat", "call", "phone"]) | JSON_VALUES,
        "agent_id": st.text(max_size=6) | JSON_VALUES,
        "started_at": st.sampled_from(["2026-01-05T09:00:00+08:00", "yesterday"]) | JSON_VALUES,
        "turns": st.lists(TURN_JSON, max_size=4) | JSON_VALUES,
    },
)


@PROPS
@given(RECORD_JSON, st.sampled_from(["", "\n", "  \n\n"]))
def test_json_examples_parse_or_are_refused_with_a_reason(record, before):
    text = before + json.dumps(record, ensure_ascii=False)
    _parse_or_refuse(text)


@PROPS
@given(st.sampled_from(["", "\n", " \n\t"]), st.text())
def test_text_that_starts_like_json_parses_or_is_refused_with_a_reason(before, rest):
    _parse_or_refuse(before + "{" + rest)


@PROPS
@given(st.integers(0, 3), st.integers(0, 3), st.sampled_from(["", "  ", "\t"]))
def test_broken_json_is_refused_on_its_line(blank, good, indent):
    # `blank` empty lines, then an object whose entry after `good` correct ones is broken
    entries = [f'{indent}"k{i}": {i},' for i in range(good)]
    text = "\n" * blank + "{\n" + "\n".join([*entries, f'{indent}"bad" 1']) + "\n}"
    try:
        parse_example(text)
    except NotationError as exc:
        assert str(exc).startswith("invalid JSON example: ")
        assert exc.offset == blank + 1 + good, (exc.offset, text)
    else:
        raise AssertionError("broken JSON was accepted")


# ------------------------------------------------------------------ round trip

SPEAKERS = {"agent": ["客服", "坐席", "agent", "AGENT"], "customer": ["客户", "顾客", "customer"],
            "system": ["系统", "system"]}  # fmt: skip
# A turn's text is anything on one line; the parser strips the ends.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on
TURN_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=LINE_BREAKS), max_size=20
)
AGENT_ID = st.text(st.sampled_from("A0123456789bx-_"), min_size=1, max_size=6)


@st.composite
def written_turns(draw, timed: bool, call: bool):
    speaker = draw(st.sampled_from(sorted(SPEAKERS)))
    word = draw(st.sampled_from(SPEAKERS[speaker]))
    agent = draw(st.none() | AGENT_ID) if speaker == "agent" else None
    start = draw(st.integers(0, 3 * 3600 - 1)) if timed else None
    end = draw(st.integers(start, start + 120)) if timed and call and draw(st.booleans()) else None
    text = draw(TURN_TEXT)
    colon = draw(st.sampled_from([":", "：", " : ", "： "]))
    return speaker, word, agent, start, end, text, colon


def _stamp(seconds: int, long: bool) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}" if long or h else f"{m:02d}:{s:02d}"


@st.composite
def examples(draw):
    timed = draw(st.booleans())
    call = draw(st.booleans())
    long = draw(st.booleans())
    turns = draw(st.lists(written_turns(timed, call), min_size=1, max_size=6))
    lines = ["# channel: call"] if call else draw(st.sampled_from([[], ["# channel: chat"]]))
    for _speaker, word, agent, start, end, text, colon in turns:
        line = ""
        if start is not None:
            span = _stamp(start, long) + (f"-{_stamp(end, long)}" if end is not None else "")
            line += f"[{span}] "
        line += word + (f"({agent})" if agent is not None else "") + colon + text
        lines.append(line)
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))  # blank lines are skipped
    return lines, turns, call


@PROPS
@given(examples())
def test_written_examples_read_back_what_was_written(case):
    lines, turns, call = case
    conversation = parse_example("\n".join(lines))
    assert conversation.channel == ("call" if call else "chat")
    assert len(conversation.turns) == len(turns)
    for turn, (speaker, _word, agent, start, end, text, _colon) in zip(
        conversation.turns, turns, strict=True
    ):
        assert turn.speaker == speaker
        assert turn.text == text.strip()
        assert turn.at_s == (float(start) if start is not None else None)
        assert turn.end_s == (float(end) if end is not None else None)
        if speaker == "agent":
            assert turn.agent_id == (agent or EXAMPLE_AGENT)
        else:
            assert turn.agent_id is None
    agents = [t.agent_id for t in conversation.turns if t.speaker == "agent"]
    assert conversation.agent_id == (agents[0] if agents else EXAMPLE_AGENT)


@PROPS
@given(examples(), st.data())
def test_an_unknown_speaker_is_refused_on_its_line(case, data):
    lines, _turns, _call = case
    word = data.draw(
        st.text(st.sampled_from("abcxyz坐客户服务员"), min_size=1, max_size=4).filter(
            lambda w: w.lower() not in SPEAKER_WORDS
        )
    )
    at = data.draw(st.integers(0, len(lines)))
    lines = [*lines[:at], f"{word}: 您好", *lines[at:]]
    try:
        parse_example("\n".join(lines))
    except NotationError as exc:
        assert exc.offset == at
        assert f"unknown speaker {word!r}" in str(exc)
    else:
        raise AssertionError("an unknown speaker was accepted")


@PROPS
@given(examples(), st.data())
def test_a_line_that_is_not_a_turn_is_refused_on_its_line(case, data):
    lines, _turns, _call = case
    junk = data.draw(st.text(st.sampled_from("abc 好的。"), min_size=1, max_size=8))
    junk = junk.replace(" ", "") or "好"  # no colon: not a turn
    at = data.draw(st.integers(0, len(lines)))
    lines = [*lines[:at], junk, *lines[at:]]
    try:
        parse_example("\n".join(lines))
    except NotationError as exc:
        assert exc.offset == at
        assert "cannot read turn" in str(exc) and junk in str(exc)
    else:
        raise AssertionError("a line without a speaker was accepted")


@PROPS
@given(examples(), st.data())
def test_mixed_timing_is_refused_on_the_first_line_that_differs(case, data):
    lines, _turns, _call = case
    first_turn = next(
        i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")
    )
    timed = lines[first_turn].startswith("[")
    odd = "[00:01] 客户: 在吗" if not timed else "客户: 在吗"
    at = data.draw(st.integers(first_turn + 1, len(lines)))
    lines = [*lines[:at], odd, *lines[at:]]
    try:
        parse_example("\n".join(lines))
    except NotationError as exc:
        assert "time on every turn or on none" in str(exc)
        assert exc.offset == at
    else:
        raise AssertionError("mixed timing was accepted")


# ------------------------------------------------------------------ turn markers


@PROPS
@given(examples(), st.data())
def test_marked_turns_read_back_and_leave_the_conversation_as_it_was(case, data):
    lines, _turns, _call = case
    turn_lines = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    chosen = data.draw(st.sets(st.sampled_from(turn_lines)))
    space = data.draw(st.sampled_from(["", " ", "  ", "\t"]))
    marked = [f"{MARKER}{space}{line}" if i in chosen else line for i, line in enumerate(lines)]
    read = read_example("\n".join(marked))
    assert read.conversation == parse_example("\n".join(lines))  # lines without: unchanged
    assert read.marked == tuple(turn_lines.index(i) for i in sorted(chosen))
    assert read.marker_offsets == tuple(sorted(chosen))
    assert parse_example("\n".join(marked)) == read.conversation


def test_a_marker_is_read_before_the_time_and_is_text_after_the_colon():
    read = read_example("[00:01] 客户: 能退吗\n> [00:05] 客服: 不行 > 没办法\n[00:09] 客户: 好吧 >")
    assert read.marked == (1,) and read.marker_offsets == (1,)
    texts = [t.text for t in read.conversation.turns]
    assert texts == ["能退吗", "不行 > 没办法", "好吧 >"]
    assert read.conversation.turns[1].at_s == 5.0
    # without a marker nothing is marked, and a JSON example has none
    assert read_example("客户: 在吗\n客服: 在").marked == ()
    json_example = '{"turns": [{"speaker": "agent", "text": "在", "start": 0}]}'
    assert read_example(json_example).marked == ()


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("> # channel: call\n客服: 您好", 0, "marks a turn, not the channel line"),
        ("客户: 在吗\n>> 客服: 在", 1, "cannot read turn"),
        ("客户: 在吗\n>\n客服: 在", 1, "cannot read turn"),
        ("客户: 在吗\n> 店小二: 在", 1, "unknown speaker '店小二'"),
    ],
)
def test_a_misplaced_marker_is_refused_on_its_line(text, offset, message):
    with pytest.raises(NotationError, match=message) as info:
        read_example(text)
    assert info.value.offset == offset
