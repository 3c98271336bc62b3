"""Bracketed speaker tags in WebVTT and SRT ([坐席], 【客服】, ［客户］, (客服)), the `--speaker`
mapping of any subtitle tag, and bracketed sound annotations ([笑声], [音乐]) in
speech-recognition exports (docs/formats.md, "WebVTT and SRT")."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cs_qa.cli import app
from cs_qa.core.model import Conversation, Rejected
from cs_qa.ingest import ColumnMapping, read_file

runner = CliRunner()


def subtitles(suffix: str, *cues: str) -> str:
    """A .srt or .vtt file whose cues hold `cues` (one text block each), a second apiece."""
    sep = "," if suffix == ".srt" else "."
    blocks = ["WEBVTT\n"] if suffix == ".vtt" else []
    for i, text in enumerate(cues):
        number = f"{i + 1}\n" if suffix == ".srt" else ""
        blocks.append(f"{number}00:00:0{i}{sep}000 --> 00:00:0{i}{sep}900\n{text}\n")
    return "\n".join(blocks)


def read(path: Path, mapping: ColumnMapping | None = None) -> Conversation | Rejected:
    (item,) = read_file(path, path.name, mapping)
    return item


def read_call(tmp_path: Path, suffix: str, *cues: str, **speakers: str) -> Conversation:
    path = tmp_path / f"call{suffix}"
    path.write_text(subtitles(suffix, *cues), "utf-8")
    item = read(path, ColumnMapping(speakers=speakers) if speakers else None)
    assert isinstance(item, Conversation), item
    return item


def read_rejected(tmp_path: Path, suffix: str, *cues: str) -> Rejected:
    path = tmp_path / f"call{suffix}"
    path.write_text(subtitles(suffix, *cues), "utf-8")
    item = read(path)
    assert isinstance(item, Rejected), item
    return item


SUFFIXES = [".srt", ".vtt"]
# The line where the second cue of `subtitles()` starts: its number (SRT), its timing (WebVTT).
CUE_2_LINE = {".srt": 5, ".vtt": 6}

# (cue text, speaker, the turn's own agent id, text)
TAG_FORMS: list[tuple[str, str, str | None, str]] = [
    ("[坐席] 喂，您好", "agent", None, "喂，您好"),
    ("【客服】您好", "agent", None, "您好"),
    ("［客户］我想问一下", "customer", None, "我想问一下"),
    ("(客服) 您好", "agent", None, "您好"),
    ("（顾客）在吗", "customer", None, "在吗"),
    ("[坐席(A1024)] 喂", "agent", "A1024", "喂"),
    ("【客服（A1024）】您好", "agent", "A1024", "您好"),
    ("[坐席 A1024] 喂", "agent", "A1024", "喂"),
    ("【客户】：我想问一下", "customer", None, "我想问一下"),  # a colon after the tag
    ("  [客户]  喂", "customer", None, "喂"),
    ("[坐席]\n喂", "agent", None, "喂"),  # the tag on its own line above the words
    ("<i>[客户] 喂</i>", "customer", None, "喂"),  # formatting does not hide the tag
    ("坐席: 喂", "agent", None, "喂"),
    ("坐席：喂", "agent", None, "喂"),
    ("坐席(A1024)：喂", "agent", "A1024", "喂"),
]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(("cue", "speaker", "agent_id", "text"), TAG_FORMS, ids=lambda x: x)
def test_each_tag_form_names_the_speaker(
    tmp_path: Path, suffix: str, cue: str, speaker: str, agent_id: str | None, text: str
) -> None:
    call = read_call(tmp_path, suffix, cue, "【客户】好的")
    first = call.turns[0]
    assert (first.speaker, first.text) == (speaker, text)
    if speaker == "agent":
        assert first.agent_id == (agent_id or "(unknown)")
    assert [(t.speaker, t.text) for t in call.turns[1:]] == [("customer", "好的")]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_issue_example_reads(tmp_path: Path, suffix: str) -> None:
    call = read_call(tmp_path, suffix, "[坐席] 喂，您好", "【客户】我想问一下")
    assert [(t.speaker, t.text, t.at_s) for t in call.turns] == [
        ("agent", "喂，您好", 0.0),
        ("customer", "我想问一下", 1.0),
    ]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_tags_start_new_turns_inside_one_cue(tmp_path: Path, suffix: str) -> None:
    call = read_call(tmp_path, suffix, "[坐席] 您好\n【客户】喂\n还在吗")
    assert [(t.speaker, t.text) for t in call.turns] == [
        ("agent", "您好"),
        ("customer", "喂\n还在吗"),  # a line without a tag continues the speaker
    ]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(
    ("cue", "tag"),
    [
        ("[张三] 我想问一下", "[张三]"),
        ("【销售经理】您好", "【销售经理】"),
        ("(说话人1) 喂", "(说话人1)"),
        ("[张三]\n我想问一下", "[张三]"),
    ],
)
def test_unknown_tag_rejects_the_call_naming_file_line_and_tag(
    tmp_path: Path, suffix: str, cue: str, tag: str
) -> None:
    rejected = read_rejected(tmp_path, suffix, "[坐席] 您好", cue, "[客户] 喂")
    name = tag[1:-1]
    assert rejected.source_file == f"call{suffix}"
    assert rejected.source_line == CUE_2_LINE[suffix]
    assert rejected.reason == (
        f"cue 2: unknown speaker '{name}' in bracket tag '{tag}' (expected a role word "
        f"such as 客服, 坐席, 客户 or 顾客, or --speaker {name}=agent|customer|system)"
    )


def test_brackets_that_do_not_pair_are_no_tag(tmp_path: Path) -> None:
    rejected = read_rejected(tmp_path, ".srt", "[客服】您好")
    assert rejected.reason == (
        "cue 1: no speaker: start the text with a voice tag <v 客服>, a bracketed tag [客服] "
        "or a role prefix 客服： (got '[客服】您好')"
    )


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_speaker_mapping_names_every_tag_form(tmp_path: Path, suffix: str) -> None:
    voice = "<v 甲>好的" if suffix == ".vtt" else "甲：好的"
    call = read_call(
        tmp_path,
        suffix,
        "[甲] 您好",
        "【乙】我想问一下",
        "［乙］：还有",
        voice,
        "乙: 谢谢",
        "(甲 A7) 不客气",
        甲="agent",
        乙="customer",
    )
    assert [(t.speaker, t.text) for t in call.turns] == [
        ("agent", "您好"),
        ("customer", "我想问一下"),
        ("customer", "还有"),
        ("agent", "好的"),
        ("customer", "谢谢"),
        ("agent", "不客气"),
    ]
    assert call.turns[-1].agent_id == "A7"


def test_speaker_mapping_wins_over_a_role_word(tmp_path: Path) -> None:
    call = read_call(tmp_path, ".srt", "[客服] 您好", "[客户] 喂", 客服="system")
    assert [t.speaker for t in call.turns] == ["system", "customer"]


def test_speaker_option_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "call.srt"
    path.write_text(
        subtitles(".srt", "[甲] 您好，请问有什么可以帮您", "【乙】我想查一下订单"), "utf-8"
    )
    without = runner.invoke(app, ["score", str(path), "--out", str(tmp_path / "o1")])
    assert without.exit_code != 0, without.output  # the call is rejected, nothing scored
    assert "call.srt:1: cue 1: unknown speaker '甲' in bracket tag '[甲]'" in without.output

    out = tmp_path / "o2"
    speakers = ["--speaker", "甲=agent", "--speaker", "乙=customer"]
    result = runner.invoke(app, ["score", str(path), "--out", str(out), "-q", *speakers])
    assert result.exit_code == 0, result.output
    turns = pd.read_parquet(out / "turns").sort_values("turn_index")
    assert list(turns.speaker) == ["agent", "customer"]
    assert list(turns.text) == ["您好，请问有什么可以帮您", "我想查一下订单"]


# --- sound and event annotations -----------------------------------------------------


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_cue_of_annotations_only_is_no_turn(tmp_path: Path, suffix: str) -> None:
    call = read_call(
        tmp_path, suffix, "[音乐]", "[坐席] 您好", "[笑声] [噪音]", "（静音）", "[客户] 喂"
    )
    assert [(t.speaker, t.text, t.at_s) for t in call.turns] == [
        ("agent", "您好", 1.0),
        ("customer", "喂", 4.0),
    ]
    assert call.notes == [
        "3 cue(s) holding only bracketed annotations such as [音乐] not read as turns"
    ]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_annotations_inside_a_spoken_cue(tmp_path: Path, suffix: str) -> None:
    call = read_call(
        tmp_path,
        suffix,
        "[音乐]\n[坐席] 您好",  # before anyone speaks in the cue: dropped with the cue's noise
        "[客户] 哈哈\n[笑声]",  # after a speaker: continues the turn, as any untagged line
        "[坐席] [笑声]好的",  # after the tag: part of the text
        "[坐席] 我们有活动\n【活动】满减",  # an untagged line that opens with brackets
    )
    assert [(t.speaker, t.text) for t in call.turns] == [
        ("agent", "您好"),
        ("customer", "哈哈\n[笑声]"),
        ("agent", "[笑声]好的"),
        ("agent", "我们有活动\n【活动】满减"),
    ]
    assert call.notes == []


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_words_after_an_annotation_still_need_a_speaker(tmp_path: Path, suffix: str) -> None:
    rejected = read_rejected(tmp_path, suffix, "[坐席] 您好", "[笑声] 好的好的")
    assert rejected.source_line == CUE_2_LINE[suffix]
    assert rejected.reason.startswith("cue 2: unknown speaker '笑声' in bracket tag '[笑声]'")


def test_a_file_of_annotations_only_has_no_turns(tmp_path: Path) -> None:
    rejected = read_rejected(tmp_path, ".srt", "[音乐]", "[噪音]")
    assert (rejected.source_line, rejected.reason) == (1, "no cues with text in the file")
