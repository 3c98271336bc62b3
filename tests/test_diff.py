"""`cs-qa rules diff`: the impact of a rule-pack change on scores (cs_qa.compare.diff)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from cs_qa.compare.diff import (
    PackDiff,
    RuleChange,
    diff_markdown,
    diff_packs,
    match_rules,
    md_escape,
    render_diff,
)
from cs_qa.core.model import Conversation
from cs_qa.ingest import read_inputs
from cs_qa.packs.evaluate import score
from cs_qa.packs.loader import load_pack, parse_pack
from cs_qa.packs.model import RulePack

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_transcripts"
GENERAL = ROOT / "rules" / "general.yaml"

# ------------------------------------------------------------------ a small pack to vary

HEAD = """\
pack: mini
version: "{version}"
title: 小包
scoring: {{base: 100, pass_mark: {pass_mark}}}
rules:
"""

GREETING = """\
  - id: opening.greeting
    title: 开场问候
    title_en: Opening greeting
    check: required_phrase
    within: {agent_turns: 1}
    phrases: [您好]
    deduct: 5
    examples:
      - violates: "客服: 在"
      - passes: "客服: 您好"
"""

REFUSAL = """\
  - id: {id}
    title: 拒绝性语言
    title_en: Refusal
    check: forbidden_phrase
    phrases: [{phrases}]
    deduct: {deduct}
    cap: 10
{extra}    examples:
      - violates: "客服: 不能退"
      - passes: "客服: 可以退"
"""

SLANG = """\
  - id: language.slang
    title: 口语称呼
    check: forbidden_phrase
    phrases: [亲]
    {slang_weight}
    examples:
      - violates: "客服: 亲，在的"
      - passes: "客服: 您好"
"""


def mini(**changes: Any) -> RulePack:
    """The mini pack with one aspect changed."""
    return parse_pack(mini_text(**changes), "mini.yaml")


def mini_text(
    *,
    greeting: bool = True,
    refusal_id: str = "language.refusal",
    phrases: str = "不能, 没办法",
    deduct: float = 5,
    renamed_from: str | None = None,
    slang: bool = False,
    slang_weight: str = "deduct: 2",
    pass_mark: float = 90,
    version: str = "1",
) -> str:
    extra = f"    renamed_from: {renamed_from}\n" if renamed_from else ""
    text = HEAD.format(version=version, pass_mark=pass_mark)
    if greeting:
        text += GREETING
    text += REFUSAL.format(id=refusal_id, phrases=phrases, deduct=deduct, extra=extra)
    if slang:
        text += SLANG.replace("{slang_weight}", slang_weight)
    return text


def conv(cid: str, agent: str | None, *agent_lines: str) -> dict:
    record: dict = {
        "conversation_id": cid,
        "channel": "chat",
        "turns": [{"speaker": "customer", "text": "在吗"}]
        + [{"speaker": "agent", "text": line} for line in agent_lines],
    }
    if agent is not None:
        record["agent_id"] = agent
    return record


# Under the mini pack (pass mark 90):
#   c1 A1  greeting ok, one refusal         95  pass
#   c2 A1  no greeting                      95  pass
#   c3 A2  clean (says 亲: only the slang rule minds)   100 pass
#   c4 A2  no greeting, one refusal         90  pass (exactly at the mark), then 不行
CONVERSATIONS = [
    conv("c1", "A1", "您好", "这个不能退"),
    conv("c2", "A1", "在", "好的"),
    conv("c3", "A2", "您好亲，请问有什么可以帮您", "好的"),
    conv("c4", "A2", "在", "这个没办法", "不行"),
]


@pytest.fixture()
def inputs(tmp_path: Path) -> list[Path]:
    path = tmp_path / "day.jsonl"
    path.write_text(
        "\n".join(json.dumps(c, ensure_ascii=False) for c in CONVERSATIONS) + "\n",
        encoding="utf-8",
    )
    return [path]


def rule(diff: PackDiff, rule_id: str) -> RuleChange:
    found = [r for r in diff.rules if rule_id in (r.base_id, r.head_id)]
    assert len(found) == 1, found
    return found[0]


def changed(diff: PackDiff) -> dict[str, float]:
    return {c.conversation_id: c.score_delta for c in diff.conversations}


def render(diff: PackDiff, lang: str = "zh", limit: int = 20) -> str:
    console = Console(file=io.StringIO(), width=120)
    render_diff(diff, console, lang=lang, limit=limit)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


# ----------------------------------------------------------------------- small packs


def test_changed_deduction_lists_the_conversations_where_the_rule_fired(
    inputs: list[Path],
) -> None:
    diff = diff_packs(inputs, mini(), mini(deduct=8))
    assert changed(diff) == {"c1": -3.0, "c4": -3.0}
    c4 = next(c for c in diff.conversations if c.conversation_id == "c4")
    assert (c4.score_base, c4.score_head) == (90.0, 87.0)
    assert (c4.passed_base, c4.passed_head) == (True, False)
    assert c4.because == ["language.refusal -5→-8"]
    assert c4.agent_id == "A2" and c4.source == "day.jsonl:4"
    refusal = rule(diff, "language.refusal")
    assert refusal.kind == "reweighted" and refusal.reweighted
    assert refusal.details == ["deduct 5→8"]
    assert (refusal.findings_base, refusal.findings_head, refusal.findings_delta) == (2, 2, 0)
    assert (refusal.violating_base, refusal.violating_head) == (2, 2)
    assert rule(diff, "opening.greeting").kind == "unchanged"
    assert [r.rule_id for r in diff.changed_rules] == ["language.refusal"]
    # Team: 4 of 4 passed, then 3 of 4; the mean falls by 6 / 4.
    assert diff.team.pass_rate_base == 100.0 and diff.team.pass_rate_head == 75.0
    assert diff.pass_rate_drop == pytest.approx(25.0)
    assert diff.team.mean_score_delta == pytest.approx(-1.5)
    agents = {a.agent_id: a for a in diff.agents}
    assert agents["A1"].mean_score_delta == pytest.approx(-1.5)
    assert agents["A2"].mean_score_delta == pytest.approx(-1.5)
    assert agents["A2"].pass_rate_delta == pytest.approx(-50.0)
    assert agents["A1"].pass_rate_delta == 0.0
    # The hardest-hit agent first: equal mean drops, A2 also lost pass rate.
    assert [a.agent_id for a in diff.agents] == ["A2", "A1"]


def test_pass_rate_drop_is_zero_when_the_pass_rate_rises(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(pass_mark=95), mini(pass_mark=90))
    assert diff.team.pass_rate_delta == pytest.approx(25.0)  # c4 passes now (90 ≥ 90)
    assert diff.pass_rate_drop == 0.0
    assert diff.scoring == ["pass_mark 95→90"]
    assert changed(diff) == {"c4": 0.0}
    assert diff.conversations[0].because == ["pass_mark 95→90"]


def test_added_rule(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(), mini(slang=True))
    slang = rule(diff, "language.slang")
    assert (slang.kind, slang.base_id, slang.head_id) == ("added", None, "language.slang")
    assert (slang.findings_base, slang.findings_head) == (0, 1)
    assert changed(diff) == {"c3": -2.0}
    assert diff.conversations[0].because == ["language.slang added -2"]
    assert [a.agent_id for a in diff.changed_agents] == ["A2"]


def test_several_changes_sorted_by_size_of_change(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(), mini(greeting=False, deduct=8))
    assert [(c.conversation_id, c.score_delta) for c in diff.conversations] == [
        ("c2", 5.0),
        ("c1", -3.0),
        ("c4", 2.0),
    ]
    assert diff.conversations[2].because == [
        "language.refusal -5→-8",
        "opening.greeting removed (was -5)",
    ]
    # A1: +5 and -3 over two conversations, A2: 0 and +2; a tie, broken by agent id.
    assert [(a.agent_id, a.mean_score_delta) for a in diff.agents] == [("A1", 1.0), ("A2", 1.0)]


def test_deduction_turned_into_a_flag(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(slang=True), mini(slang=True, slang_weight="flag: true"))
    slang = rule(diff, "language.slang")
    assert slang.kind == "reweighted"
    assert slang.details == ["deduct 2→0", "flag false→true"]
    assert (slang.violating_base, slang.violating_head) == (1, 1)
    assert changed(diff) == {"c3": 2.0}
    assert diff.conversations[0].because == ["language.slang -2→flag"]
    assert (diff.team.flagged_base, diff.team.flagged_head) == (0, 1)


def test_removed_rule(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(), mini(greeting=False))
    greeting = rule(diff, "opening.greeting")
    assert (greeting.kind, greeting.base_id, greeting.head_id) == (
        "removed",
        "opening.greeting",
        None,
    )
    assert (greeting.findings_base, greeting.findings_head, greeting.findings_delta) == (2, 0, -2)
    assert changed(diff) == {"c2": 5.0, "c4": 5.0}
    assert all(c.because == ["opening.greeting removed (was -5)"] for c in diff.conversations)
    assert diff.pass_rate_drop == 0.0


def test_renamed_rule_is_matched_not_added_and_removed(inputs: list[Path]) -> None:
    head = mini(refusal_id="language.negative", renamed_from="language.refusal")
    diff = diff_packs(inputs, mini(), head)
    kinds = Counter(r.kind for r in diff.rules)
    assert kinds == {"unchanged": 1, "renamed": 1}
    renamed = rule(diff, "language.negative")
    assert (renamed.base_id, renamed.head_id) == ("language.refusal", "language.negative")
    assert renamed.label == "language.refusal→language.negative"
    assert not renamed.reweighted and renamed.details == []
    assert (renamed.findings_base, renamed.findings_head) == (2, 2)
    assert diff.conversations == []
    assert "language.refusal→language.negative" in render(diff)


def test_renamed_and_reweighted_rule_explains_the_change(inputs: list[Path]) -> None:
    head = mini(refusal_id="language.negative", renamed_from="language.refusal", deduct=8)
    diff = diff_packs(inputs, mini(), head)
    renamed = rule(diff, "language.negative")
    assert renamed.kind == "renamed" and renamed.reweighted
    assert renamed.details == ["deduct 5→8"]
    assert changed(diff) == {"c1": -3.0, "c4": -3.0}
    assert diff.conversations[0].because == ["language.refusal→language.negative -5→-8"]


def test_renamed_from_an_unknown_rule_is_an_added_rule(inputs: list[Path]) -> None:
    base, head = mini(), mini(refusal_id="language.negative", renamed_from="language.nothing")
    pairs = [(b and b.id, h and h.id) for b, h in match_rules(base, head)]
    assert pairs == [
        ("opening.greeting", "opening.greeting"),
        (None, "language.negative"),
        ("language.refusal", None),
    ]
    diff = diff_packs(inputs, base, head)
    assert rule(diff, "language.negative").kind == "added"
    assert rule(diff, "language.refusal").kind == "removed"
    # Same phrases, same weight: the scores do not move.
    assert diff.conversations == []


def test_renamed_from_is_ignored_while_the_old_id_is_still_there() -> None:
    base = mini()
    text = HEAD.format(version="2", pass_mark=90) + GREETING
    text += REFUSAL.format(
        id="language.negative",
        phrases="不能",
        deduct=5,
        extra="    renamed_from: language.refusal\n",
    )
    text += REFUSAL.format(id="language.refusal", phrases="不能, 没办法", deduct=5, extra="")
    pairs = [(b and b.id, h and h.id) for b, h in match_rules(base, parse_pack(text))]
    assert pairs == [
        ("opening.greeting", "opening.greeting"),
        (None, "language.negative"),
        ("language.refusal", "language.refusal"),
    ]


def test_deduction_turned_fatal(inputs: list[Path]) -> None:
    head = parse_pack(mini_text().replace("    deduct: 5\n    cap: 10\n", "    fatal: true\n"))
    diff = diff_packs(inputs, mini(), head)
    refusal = rule(diff, "language.refusal")
    assert refusal.kind == "reweighted"
    assert refusal.details == ["deduct 5→0", "cap 10→—", "fatal false→true"]
    assert changed(diff) == {"c1": -95.0, "c4": -90.0}
    assert [c.because for c in diff.conversations] == [["language.refusal -5→fatal"]] * 2
    assert (diff.team.fatal_base, diff.team.fatal_head, diff.team.fatal_delta) == (0, 2, 2)
    assert diff.pass_rate_drop == pytest.approx(50.0)


def test_changed_phrase_list(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(), mini(phrases="不能, 没办法, 不行"))
    refusal = rule(diff, "language.refusal")
    assert refusal.kind == "changed" and not refusal.reweighted
    assert refusal.details == ["phrases +1: 不行"]
    # c4 says 没办法, then 不行: a second offending turn, -5 more (cap 10).
    assert (refusal.findings_base, refusal.findings_head) == (2, 3)
    assert changed(diff) == {"c4": -5.0}
    assert diff.conversations[0].because == ["language.refusal -5→-10"]


def test_identical_packs_have_no_changes(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(), mini())
    assert not diff.has_changes
    assert diff.conversations == [] and diff.changed_rules == [] and diff.changed_agents == []
    assert {r.kind for r in diff.rules} == {"unchanged"}
    assert diff.pass_rate_drop == 0.0 and diff.team.mean_score_delta == 0.0
    assert diff.scored == 4
    assert "没有变化" in render(diff)
    assert "No changes" in render(diff, "en")
    md = diff_markdown(diff, "en")
    assert "No changes" in md and "|" not in md


def test_rejected_records_are_counted_not_diffed(tmp_path: Path, inputs: list[Path]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "{not json\n" + json.dumps(conv("c1", "A9", "不能")) + "\n", encoding="utf-8"
    )  # a broken line, and an id already read from day.jsonl
    diff = diff_packs([*inputs, bad], mini(), mini(deduct=8))
    assert (diff.scored, diff.rejected) == (4, 2)
    assert changed(diff) == {"c1": -3.0, "c4": -3.0}
    assert "A9" not in {a.agent_id for a in diff.agents}


def test_missing_agent_is_reported_as_unknown(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(conv("n1", None, "不能")) + "\n", encoding="utf-8")
    diff = diff_packs([path], mini(), mini(deduct=8))
    assert [a.agent_id for a in diff.changed_agents] == ["(unknown)"]


# ------------------------------------------------------------------------- rendering


def test_terminal_rendering_in_chinese_and_english(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(), mini(deduct=8, version="2"))
    zh = render(diff, "zh", limit=1)
    for text in ("规则包对比", "规则变化", "调整分值", "deduct 5→8", "mini 1", "mini 2"):
        assert text in zh
    assert "100.0% → 75.0%" in zh and "-25.0个百分点" in zh
    assert "… 另有 1 条" in zh
    # Only rules whose definition or findings changed are listed.
    assert "opening.greeting" not in zh
    # limit=1: c4 flips from pass to fail, so it comes before c1 (same delta, smaller id).
    assert "c4" in zh and "c1" not in zh
    en = render(diff, "en")
    for text in ("Rule pack diff", "Rule changes", "re-weighted", "Pass rate", "-25.0 pp"):
        assert text in en
    assert "c1" in en and "c4" in en and "language.refusal -5→-8" in en
    assert "规则包对比" not in en


def test_rendering_when_rules_change_but_no_score_does(inputs: list[Path]) -> None:
    head = mini(refusal_id="language.negative", renamed_from="language.refusal")
    diff = diff_packs(inputs, mini(), head)
    out = render(diff, "en")
    assert "renamed" in out and "No conversation's score or pass/fail changed" in out


def _cells(row: str) -> list[str]:
    """Split a markdown table row on unescaped pipes, as GitHub does."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_markdown_has_the_tables_and_escapes_pipes(tmp_path: Path) -> None:
    path = tmp_path / "pipes.jsonl"
    records = [conv("a|b", "A|1", "不能"), conv("c\\|d", "A2", "您好")]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    diff = diff_packs([path], mini(), mini(deduct=8))
    md = diff_markdown(diff, "en")
    assert md.startswith("### Rule pack diff: mini 1 → mini 1\n")
    for heading in ("#### Rule changes", "#### Agents whose scores changed"):
        assert heading in md
    assert "#### Conversations whose score changed" in md
    assert "| --- |" in md.replace("---:", "---")
    assert r"a\|b" in md and r"A\|1" in md
    # Every table row has as many cells as its header.
    widths = {}
    for block in md.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            widths[rows[0]] = {len(_cells(r)) for r in rows}
    assert len(widths) == 3 and all(len(w) == 1 for w in widths.values())
    zh = diff_markdown(diff)
    assert "### 规则包对比" in zh and "| 规则 | 变化 |" in zh


def test_markdown_limits_the_conversations(inputs: list[Path]) -> None:
    diff = diff_packs(inputs, mini(), mini(deduct=8))
    md = diff_markdown(diff, "en", limit=1)
    assert "first 1 of 2" in md and "… and 1 more" in md
    assert "| c4 |" in md and "| c1 |" not in md  # the pass/fail flip first


def test_md_escape() -> None:
    assert md_escape("a|b") == r"a\|b"
    # A backslash in the text must not swallow the escape of the pipe after it.
    assert md_escape("a\\|b") == "a\\\\\\|b"
    assert md_escape("two\nlines") == "two lines"


# ---------------------------------------------------- the general pack on the sample week


@pytest.fixture(scope="module")
def refusal_diff(tmp_path_factory: pytest.TempPathFactory) -> tuple[PackDiff, RulePack]:
    """The sample week, general pack against a copy with language.refusal deduct 5 → 8."""
    text = GENERAL.read_text(encoding="utf-8")
    block = text[text.index("  - id: language.refusal") :]
    block = block[: block.index("  - id: language.forbidden")]
    assert block.count("    deduct: 5\n") == 1
    head_path = tmp_path_factory.mktemp("packs") / "general.yaml"
    head_path.write_text(
        text.replace(block, block.replace("    deduct: 5\n", "    deduct: 8\n")), encoding="utf-8"
    )
    base = load_pack(GENERAL)
    return diff_packs([SAMPLE], base, load_pack(head_path)), base


def test_sample_week_refusal_reweighted(refusal_diff: tuple[PackDiff, RulePack]) -> None:
    diff, base = refusal_diff
    # Expected deltas, worked out from the base pack's findings alone: the refusal rule
    # deducts min(5n, 10) and will deduct min(8n, 10); a fatal conversation stays at 0.
    expected: dict[str, float] = {}
    agents: dict[str, list[float]] = {}
    read = 0
    for item in read_inputs([SAMPLE]):
        assert isinstance(item, Conversation)  # the sample week has no bad records
        read += 1
        result = score(item, base)
        n = sum(f.rule_id == "language.refusal" for f in result.findings)
        delta = 0.0 if result.fatal else min(5.0 * n, 10.0) - min(8.0 * n, 10.0)
        agents.setdefault(item.agent_id, []).append(delta)
        if delta or (result.score >= 80) != (result.score + delta >= 80):
            expected[item.conversation_id] = delta
    assert expected, "the sample week should break the refusal rule"
    assert changed(diff) == expected
    assert diff.scored == read and diff.rejected == 0
    assert all(c.because == ["language.refusal -5→-8"] for c in diff.conversations)
    deltas = [abs(c.score_delta) for c in diff.conversations]
    assert deltas == sorted(deltas, reverse=True)
    assert {a.agent_id for a in diff.changed_agents} == {
        agent for agent, ds in agents.items() if any(ds)
    }
    for a in diff.agents:
        assert a.mean_score_delta == pytest.approx(sum(agents[a.agent_id]) / a.conversations)
    refusal = rule(diff, "language.refusal")
    assert refusal.kind == "reweighted" and refusal.details == ["deduct 5→8"]
    assert [r.rule_id for r in diff.changed_rules] == ["language.refusal"]
    assert diff.pass_rate_drop == pytest.approx(-diff.team.pass_rate_delta)
    assert diff.pass_rate_drop > 0


def test_sample_week_renders(refusal_diff: tuple[PackDiff, RulePack]) -> None:
    diff, _ = refusal_diff
    out = render(diff, "zh", limit=5)
    assert f"… 另有 {len(diff.conversations) - 5} 条" in out
    md = diff_markdown(diff, "zh", limit=30)
    table = md[md.index("#### 得分变化的会话") :]
    rows = [line for line in table.splitlines() if line.startswith("|")][2:]
    assert len(rows) == 30 < len(diff.conversations)
    assert f"… 另有 {len(diff.conversations) - 30} 条" in table
