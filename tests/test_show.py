"""`cs-qa show`: one conversation read back from a scored dataset, findings under their
turns, matched phrases highlighted on the original text, masking kept."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_fixtures import conversation, finding, write_dataset
from rich.console import Console
from typer.testing import CliRunner

from cs_qa.cli import app
from cs_qa.core.normalize import normalize
from cs_qa.dataset.reader import load_dataset, load_datasets
from cs_qa.reports.conversation import ConversationView, UnknownConversation, conversation_view
from cs_qa.reports.highlight import highlight_spans, normalised_with_map, split_matched
from cs_qa.reports.html_conversation import conversation_html
from cs_qa.reports.i18n import t
from cs_qa.reports.terminal_conversation import render_conversation

runner = CliRunner()
PHONE = "13812345678"
MASKED_PHONE = "138****5678"


def _chat(cid: str, agent: str, turns: list[tuple[str, str]]) -> dict:
    return {
        "conversation_id": cid,
        "channel": "chat",
        "agent_id": agent,
        "started_at": "2026-11-21T09:00:00+08:00",
        "turns": [
            {"speaker": s, "text": text, "ts": f"2026-11-21T09:00:{10 * i:02d}+08:00"}
            for i, (s, text) in enumerate(turns)
        ],
    }


CONVERSATIONS = [
    # Traditional script, a phone number in a customer turn, a refusal (没办法) at turn 3.
    _chat(
        "c-trad",
        "A1001",
        [
            ("customer", f"在嗎？我的電話是{PHONE}"),
            ("agent", "您好，歡迎光臨"),
            ("customer", "能退款嗎"),
            ("agent", "這個我們沒辦法處理"),
            ("customer", "好吧"),
            ("agent", "請問還有其他問題嗎？感謝您的支持，再見"),
        ],
    ),
    # A call from speech recognition: spaced text, start and end per turn.
    {
        "conversation_id": "c-call",
        "channel": "call",
        "agent_id": "A1002",
        "started_at": "2026-11-21T10:00:00+08:00",
        "turns": [
            {"speaker": speaker, "text": text, "start": start, "end": end}
            for speaker, text, start, end in [
                ("agent", "您 好 这 里 是 客 服 中 心", 0.0, 3.0),
                ("customer", "我 想 查 一 下 话 费", 4.0, 6.0),
                ("agent", "好 的 这 个 我 们 没 办 法 查", 7.0, 10.5),
                ("agent", "感 谢 您 的 来 电 再 见", 12.0, 14.0),
            ]
        ],
    },
    # No greeting in the first agent turn (turn 1), a forbidden phrase at turn 3.
    _chat(
        "c-nogreet",
        "A1003",
        [
            ("customer", "运费怎么算"),
            ("agent", "运费十元"),
            ("customer", "运费是按重量算吗"),
            ("agent", "我刚才说过了，明白了吗？"),
            ("agent", "请问还有其他问题吗？谢谢您，再见"),
        ],
    ),
]


def _score(tmp: Path, mask: bool = True) -> Path:
    from cs_qa.engine.run import score_inputs
    from cs_qa.packs.loader import load_pack

    src = tmp / "in"
    src.mkdir(parents=True, exist_ok=True)
    path = src / "chats.jsonl"
    lines = (json.dumps(c, ensure_ascii=False) for c in CONVERSATIONS)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp / "out"
    summary = score_inputs([path], load_pack(None), out, mask=mask)
    assert summary.scored == len(CONVERSATIONS), summary.errors
    return out


@pytest.fixture(scope="module")
def masked_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _score(tmp_path_factory.mktemp("show-masked"))


@pytest.fixture(scope="module")
def unmasked_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _score(tmp_path_factory.mktemp("show-unmasked"), mask=False)


def _rendered(view: ConversationView, lang: str = "zh") -> str:
    console = Console(file=io.StringIO(), width=200)
    render_conversation(view, console, lang=lang)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _marked(original: str, spans: list[tuple[int, int]]) -> list[str]:
    return [original[a:b] for a, b in spans]


# ------------------------------------------------------------------ highlight_spans


@pytest.mark.parametrize(
    ("original", "phrases", "expected"),
    [
        ("這個我們沒辦法處理", ["没办法"], ["沒辦法"]),  # Traditional
        ("你這是什麼意思？", ["什么意思"], ["什麼意思"]),
        ("你这是什么意思？", ["什么意思"], ["什么意思"]),  # 么 alone would become 幺
        ("ＯＫ，我們不能退款", ["ok", "不能"], ["ＯＫ", "不能"]),  # full-width, upper case
        ("您 好 这 里 是 客 服", ["您好"], ["您 好"]),  # spaced speech recognition
        ("好 的 這 個 沒 辦 法", ["没办法"], ["沒 辦 法"]),  # spaced and Traditional
        ("不能，真的不能", ["不能"], ["不能", "不能"]),  # every occurrence
        ("新装活动，是不一样的", ["新装活动是不一样的"], ["新装活动，是不一样的"]),  # bare
        ("您好", ["再见"], []),
    ],
)
def test_highlight_spans_map_back_to_the_original(original, phrases, expected):
    assert _marked(original, highlight_spans(original, phrases)) == expected


@pytest.mark.parametrize(
    "original",
    [
        "在嗎？我的電話是138****5678",
        "您 好 这 里 是 客 服 中 心 工 号 1006",
        "  ＯＫ　好的  Thank   You ",
        "你这是什么意思？頭髮 乾 淨",
        "㈱ ½ ﬁ",  # NFKC turns one character into several
        "",
    ],
)
def test_the_index_map_rebuilds_normalize(original):
    text, where = normalised_with_map(original)
    assert text == normalize(original)
    assert len(where) == len(text)
    assert where == sorted(where) and all(0 <= i < len(original) for i in where)


def test_highlight_spans_merge_overlaps_and_keep_order():
    assert highlight_spans("我保证今天到", ["保证今天", "我保证"]) == [(0, 5)]


@pytest.mark.parametrize(
    ("matched", "phrases"),
    [
        ("没办法、不能", ["没办法", "不能"]),
        ("45s", []),
        ("13.8s", []),
        ("280字/分", []),
        ("no reply", []),
        ("", []),
        ("投诉", ["投诉"]),
    ],
)
def test_split_matched(matched, phrases):
    assert split_matched(matched) == phrases


# ---------------------------------------------------------------------- the view


def test_findings_sit_under_the_turn_they_point_at(masked_run):
    ds = load_dataset(masked_run)
    trad = conversation_view(ds, "c-trad")
    assert [t_.index for t_ in trad.turns] == list(range(6))
    assert {f.rule_id for f in trad.turns[3].findings} == {"language.refusal"}
    assert not trad.turns[1].findings  # greeted in Traditional: no finding
    assert _marked(trad.turns[3].text, trad.turns[3].highlights) == ["沒辦法"]
    assert trad.agent_id == "A1001" and trad.channel == "chat" and trad.day == "2026-11-21"

    nogreet = conversation_view(ds, "c-nogreet")
    rules_at = {f.rule_id: f.turn_index for f in nogreet.findings}
    assert rules_at["opening.greeting"] == 1
    assert rules_at["language.forbidden"] == 3
    assert "language.forbidden" in {f.rule_id for f in nogreet.turns[3].findings}
    assert _marked(nogreet.turns[3].text, nogreet.turns[3].highlights) == ["明白了吗"]
    assert nogreet.turns[1].highlights == []  # a missing phrase has nothing to mark
    assert nogreet.score == 90 and nogreet.passed and nogreet.pass_mark == 80


def test_call_turns_carry_start_and_end_and_spaced_highlights(masked_run):
    view = conversation_view(load_dataset(masked_run), "c-call")
    turn = view.turns[2]
    assert turn.time_label == "00:07-00:10"
    assert [f.rule_id for f in turn.findings] == ["language.refusal"]
    assert _marked(turn.text, turn.highlights) == ["没 办 法"]
    out = _rendered(view)
    assert "[00:07-00:10] 客服(A1002): 好 的 这 个 我 们 没 办 法 查" in out


def test_terminal_shows_header_turns_and_findings_with_the_phone_masked(masked_run):
    out = _rendered(conversation_view(load_dataset(masked_run), "c-trad"))
    assert PHONE not in out and MASKED_PHONE in out
    assert t("masked", "zh") in out and t("not_masked", "zh") not in out
    assert "[00:30] 客服(A1001): 這個我們沒辦法處理" in out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "這個我們沒辦法處理" in line)
    assert "⚠ 拒绝性语言 -5 · 命中: 没办法" in lines[at + 1]
    assert "c-trad" in out and "A1001" in out and "95 / 100" in out


def test_english_titles(masked_run):
    out = _rendered(conversation_view(load_dataset(masked_run), "c-nogreet"), lang="en")
    assert "Opening greeting -5" in out and "Agent(A1003)" in out


class _Checker(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.errors: list[str] = []
        self.marks: list[str] = []
        self._in_mark = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)
        self._in_mark = tag == "mark"

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()
        self._in_mark = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks.append(data)


def test_html_page_is_well_formed_marked_and_masked(masked_run):
    view = conversation_view(load_dataset(masked_run), "c-trad")
    html = conversation_html(view)
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.errors and checker.stack == []
    assert "script" not in checker.tags and "<script" not in html.lower()
    assert checker.marks == ["沒辦法"]
    assert PHONE not in html and MASKED_PHONE in html
    assert 'class="warn"' not in html
    assert "拒绝性语言" in html and "spk-agent" in html


def test_html_escapes_the_text(tmp_path):
    out = write_dataset(
        tmp_path,
        conversations=[conversation("x1", "A1", 95.0)],
        turns=[
            {
                "conversation_id": "x1",
                "turn_index": 1,
                "speaker": "agent",
                "agent_id": "A1",
                "text": "<b>不能</b> & <script>",
                "source_file": "chat_2026-11-21.jsonl",
                "source_line": 1,
            }
        ],
        findings=[
            finding("x1", "A1", "language.forbidden", matched="不能"),
            finding("x1", "A1", "latency.first_response", turn_index=None, matched="no reply"),
        ],
    )
    view = conversation_view(load_dataset(out), "x1")
    assert [f.rule_id for f in view.general_findings] == ["latency.first_response"]
    html = conversation_html(view)
    assert "<script" not in html and "<b>" not in html
    assert "&lt;b&gt;<mark>不能</mark>&lt;/b&gt; &amp; &lt;script&gt;" in html
    assert t("show_whole_conversation", "zh") in html


def test_terminal_colours_score_against_pass_mark_and_highlights(tmp_path):
    out = write_dataset(
        tmp_path,
        conversations=[conversation("x1", "A1", 70.0, passed=False)],
        turns=[
            {
                "conversation_id": "x1",
                "turn_index": 1,
                "speaker": "agent",
                "agent_id": "A1",
                "text": "這個不能",
                "source_file": "chat_2026-11-21.jsonl",
                "source_line": 1,
            }
        ],
        findings=[finding("x1", "A1", "language.forbidden", fatal=True, matched="不能")],
    )
    console = Console(file=io.StringIO(), width=120, force_terminal=True, color_system="standard")
    render_conversation(conversation_view(load_dataset(out), "x1"), console)
    assert isinstance(console.file, io.StringIO)
    ansi = console.file.getvalue()
    assert "\x1b[1;31m70 / 100" in ansi  # below the pass mark: bold red
    assert "\x1b[1;30;43m不能" in ansi  # the matched phrase: black on yellow
    assert "\x1b[1;31m    ⚠ " in ansi  # a fatal finding: red


def test_unmasked_run_shows_the_banner(unmasked_run):
    view = conversation_view(load_dataset(unmasked_run), "c-trad")
    assert not view.masked
    out = _rendered(view)
    assert t("not_masked", "zh") in out and PHONE in out
    assert 'class="warn"' in conversation_html(view)


def test_an_id_in_several_runs_shows_the_first(masked_run, unmasked_run):
    view = conversation_view(load_datasets([unmasked_run, masked_run]), "c-trad")
    assert view.other_runs == 1
    assert len(view.turns) == 6 and len(view.findings) == 1
    assert PHONE in view.turns[0].text  # the first run given (unmasked)
    assert t("show_other_runs", "zh").format(n=1) in _rendered(view)


def test_unknown_id_raises_a_key_error_with_close_ids(masked_run):
    with pytest.raises(KeyError) as info:
        conversation_view(load_dataset(masked_run), "c-tard")
    assert isinstance(info.value, UnknownConversation)
    assert "c-trad" in info.value.close


# ------------------------------------------------------------------------------ cli


def test_cli_show_prints_and_writes_html(masked_run, tmp_path):
    result = runner.invoke(app, ["show", str(masked_run), "c-nogreet"])
    assert result.exit_code == 0, result.output
    assert "开场问候" in result.output and "明白了吗" in result.output
    page = tmp_path / "c.html"
    result = runner.invoke(
        app, ["show", str(masked_run), "c-trad", "--html", str(page), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "<mark>沒辦法</mark>" in page.read_text(encoding="utf-8")


def test_cli_unknown_id_exits_2_with_suggestions(masked_run):
    result = runner.invoke(app, ["show", str(masked_run), "c-nogret"])
    assert result.exit_code == 2
    assert "c-nogreet" in result.output


def test_cli_not_a_dataset_exits_2(tmp_path):
    result = runner.invoke(app, ["show", str(tmp_path), "c-trad"])
    assert result.exit_code == 2
    assert "manifest.json" in result.output


def test_cli_help_has_example_and_exit_codes():
    result = runner.invoke(app, ["show", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "Exit codes" in result.output


def test_finding_details_read_in_chinese_and_english(sample_run):
    import pyarrow.parquet as pq

    from cs_qa.reports.i18n import detail_text

    findings = pq.read_table(sample_run.out / "findings").to_pandas()
    coded = findings[findings["detail_code"] != ""]
    assert coded["detail_code"].nunique() >= 10  # most checks explain themselves
    for row in coded.itertuples(index=False):
        # The English label reproduces what the check stored; Chinese says it in Chinese.
        assert detail_text(row.detail, row.detail_code, row.detail_args, "en") == row.detail
        chinese = detail_text(row.detail, row.detail_code, row.detail_args, "zh")
        assert chinese != row.detail and any("\u4e00" <= c <= "\u9fff" for c in chinese)
    # Without a code (an older dataset) the stored text is shown as it is.
    assert detail_text("customer waited 9 s", "", "", "zh") == "customer waited 9 s"
    assert detail_text("kept", "silence", '{"gap": 1}', "zh") == "kept"  # a value missing
