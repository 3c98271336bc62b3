"""Printable HTML pages (`cs-qa report --html`): content checks without a browser.

Labels in both languages, figures against targets (the dataset's own, or --targets),
agents below target highlighted, SVG charts, no script, escaping, and masking: no raw
mobile number reaches a page unless the run was scored with --no-mask.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from report_fixtures import conversation, finding, rule_result, write_dataset
from rich.console import Console
from typer.testing import CliRunner

from cs_qa.cli import app
from cs_qa.dataset.reader import load_dataset, load_datasets
from cs_qa.dataset.schema import MANIFEST
from cs_qa.packs.targets import parse_roster, parse_targets
from cs_qa.reports.figures import known_agents
from cs_qa.reports.html_charts import histogram_counts, nice_step, nice_ticks, svg_histogram
from cs_qa.reports.html_scorecard import scorecard_html
from cs_qa.reports.html_team import team_html
from cs_qa.reports.scorecard import agent_scorecard
from cs_qa.reports.team import team_summary
from cs_qa.reports.terminal_scorecard import render_scorecard
from cs_qa.reports.terminal_team import render_team

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
DAY1, DAY2, DAY3 = "2026-11-20", "2026-11-21", "2026-11-22"
TARGETS = {
    "score": 90,
    "pass_rate": "90%",
    "first_response_p90": 30,
    "rules": {"opening.greeting": "10%"},
    "new_agents": [{"until_day": 2, "score": 60, "pass_rate": "50%", "first_response_p90": 90}],
}
# N1 was hired the day before the first day: day 2, 3, 4 of tenure over the three days.
ROSTER = "agent_id,name,team,hired_on\nA1,王敏,售前一组,2024-03-11\nN1,孙悦,售前二组,2026-11-19\n"


def _add_targets(path: Path, targets: dict | None = TARGETS) -> Path:
    """Store `targets` in the dataset's manifest, as a pack's `targets:` section is."""
    manifest_path = path / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["pack"]["targets"] = parse_targets(targets).model_dump() if targets else None
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


def _three_days(tmp_path: Path, masked: bool = True) -> Path:
    """A1 (veteran): 95, 70 | 92 | 94. N1 (new): 70 | 75, 85 | 65. B2 (no roster): 100 each day.

    A1's second conversation broke the greeting rule twice, once with a phone number in
    the (already masked) evidence, once with markup in it.
    """
    convs, finds, results = [], [], []
    plan = {
        DAY1: [("a1", "A1", 95, 10.0), ("a2", "A1", 70, 50.0), ("n1", "N1", 70, 80.0)],
        DAY2: [("a3", "A1", 92, 12.0), ("n2", "N1", 75, 40.0), ("n3", "N1", 85, 20.0)],
        DAY3: [("a4", "A1", 94, 8.0), ("n4", "N1", 65, 100.0)],
    }
    line = 0
    for day, rows in plan.items():
        for cid, agent, score, first in rows:
            line += 1
            convs.append(
                conversation(cid, agent, score, day=day, first_response_s=first, source_line=line)
            )
            status = "violation" if score < 80 else "pass"
            results.append(rule_result(cid, agent, "opening.greeting", status, day=day))
            results.append(rule_result(cid, agent, "language.forbidden", "pass", day=day))
        convs.append(conversation(f"b-{day}", "B2", 100, day=day, source_line=line + 100))
        results.append(rule_result(f"b-{day}", "B2", "opening.greeting", "pass", day=day))
    finds.append(
        finding("a2", "A1", day=DAY1, at_s=3.0, evidence="在，电话138****5678", source_line=2)
    )
    finds.append(
        finding("a2", "A1", day=DAY1, at_s=9.0, evidence="<script>x</script>", source_line=2)
    )
    finds.append(finding("n1", "N1", day=DAY1, at_s=5.0, evidence="嗯", source_line=3))
    return write_dataset(
        tmp_path, conversations=convs, findings=finds, rule_results=results, masked=masked
    )


@pytest.fixture
def ds(tmp_path: Path):
    return load_dataset(_add_targets(_three_days(tmp_path)))


@pytest.fixture
def roster():
    return parse_roster(ROSTER)


def _rows(html: str, table_class: str) -> list[str]:
    """The body rows (<tr …>…</tr>) of the first table with `table_class`."""
    match = re.search(rf'<table class="data {table_class}">(.*?)</table>', html, re.S)
    assert match, table_class
    body = match.group(1).split("<tbody>", 1)[1]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


# ------------------------------------------------------------------------ scorecard


def test_scorecard_page_in_chinese(ds, roster) -> None:
    html = scorecard_html(agent_scorecard(ds, "A1", roster=roster))
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    for label in (
        "客服质检评分卡",
        "王敏",
        "售前一组",
        "各类别违规",
        "规则明细",
        "首次响应时间分布",
        "每日趋势",
        "最差会话及证据",
        "团队目标",
    ):
        assert label in html, label
    assert "@page" in html and "size: A4" in html
    assert "<script" not in html.lower()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    # category bars, response-time histogram, daily trend
    assert html.count("<svg") == 3
    # evidence: conversation id, time in the conversation, the quote (escaped)
    assert "a2" in html and "[00:03]" in html and "「在，电话138****5678」" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_scorecard_figures_against_targets(ds, roster) -> None:
    card = agent_scorecard(ds, "A1", roster=roster)
    assert card.target is not None and card.target.score == 90 and card.target.label == ""
    html = scorecard_html(card)
    # mean (95+70+92+94)/4 = 87.75 misses 90; pass rate 3/4 misses 90%; P90 misses 30 s
    assert re.search(r'class="value bad">87\.8</div>.*?目标 ≥ 90 <span class="bad">✗', html, re.S)
    assert re.search(r'class="value bad">75\.0%</div>.*?目标 ≥ 90% <span class="bad">✗', html)
    assert "✗ 未达标" in html
    # the per-rule target: greeting rate 1/4 = 25% > 10%: the row is highlighted
    greeting = next(r for r in _rows(html, "rules") if "opening.greeting" in r)
    assert 'class="row-bad"' in greeting and "≤ 10%" in greeting
    forbidden = next(r for r in _rows(html, "rules") if "language.forbidden" in r)
    assert "row-bad" not in forbidden
    # the P90 target line in the response-time histogram
    assert 'class="target-line"' in html and "P90 目标 30" in html


def test_new_agent_ramp_day_by_day(ds, roster) -> None:
    card = agent_scorecard(ds, "N1", roster=roster)
    assert card.tenure_day == 4 and card.hired_on is not None
    assert card.target is not None and card.target.score == 90  # past the 2-day ramp
    assert [(r.day, r.target.score if r.target else None) for r in card.trend] == [
        (DAY1, 60),  # tenure day 2: ramp
        (DAY2, 90),  # day 3: team targets
        (DAY3, 90),
    ]
    html = scorecard_html(card)
    assert "入职第 4 天" in html
    trend = _rows(html, "trend")
    assert '≥ 60 <span class="good">✓' in trend[0]  # 70 against the ramp's 60
    assert '≥ 50% <span class="bad">✗' in trend[0]  # but 0% passed
    assert '≥ 90 <span class="bad">✗' in trend[1]  # 80 against the team's 90
    assert all('class="row-bad"' in row for row in trend)


def test_team_targets_without_roster(ds) -> None:
    card = agent_scorecard(ds, "N1")
    assert card.tenure_day is None and card.name == ""
    assert all(r.target is not None and r.target.score == 90 for r in card.trend)


def test_scorecard_in_english(ds, roster) -> None:
    html = scorecard_html(agent_scorecard(ds, "A1", roster=roster), lang="en")
    assert '<html lang="en">' in html
    for label in (
        "Agent QA scorecard",
        "Violations by category",
        "First-response time distribution",
        "Daily trend",
        "Worst conversations and evidence",
        "Target ≥ 90",
        "Greeting",  # the rule's title_en
    ):
        assert label in html, label
    for label in ("客服质检评分卡", "各类别违规", "每日趋势", "目标", "开场问候"):
        assert label not in html, label


def test_categories_agent_against_team(ds) -> None:
    card = agent_scorecard(ds, "A1")
    by_name = {c.category: c for c in card.categories}
    # greeting (服务规范) broken in 1 of A1's 4 conversations; 4 of 12 for the team
    assert by_name["服务规范"].violations == 1
    assert by_name["服务规范"].per_conversation == pytest.approx(1 / 4)
    assert by_name["服务规范"].team_per_conversation == pytest.approx(4 / 11)
    assert by_name["服务态度"].violations == 0


# ----------------------------------------------------------------------------- team


def test_team_page_ranks_agents_and_highlights_those_below_target(ds, roster) -> None:
    summary = team_summary(ds, roster=roster)
    html = team_html(summary)
    for label in ("团队质检报告", "客服排名", "得分分布", "最常违反的规则", "每日趋势"):
        assert label in html, label
    assert "<script" not in html.lower()
    assert html.count("<svg") == 2  # score distribution, trend
    rows = _rows(html, "ranking")
    order = [re.findall(r'<td class="nowrap">([A-Z0-9]+)', r)[0] for r in rows]
    assert order == ["B2", "A1", "N1"]  # by mean score: 100, 87.75, 73.75
    assert "row-bad" not in rows[0]
    assert 'class="row-bad"' in rows[1] and 'class="row-bad"' in rows[2]
    assert "王敏" in rows[1] and "售前一组" in rows[1]
    below = {a.agent_id for a in summary.agents if a.below_target}
    assert below == {"A1", "N1"}
    # the score histogram has the pass mark and the score target as lines
    assert "合格线 80" in html and "得分目标 90" in html


def test_targets_file_wins_over_the_manifest(ds) -> None:
    easy = parse_targets({"score": 50, "pass_rate": 0.1})
    summary = team_summary(ds, targets=easy)
    assert summary.target is not None and summary.target.score == 50
    assert not any(a.below_target for a in summary.agents)
    html = team_html(summary)
    assert "row-bad" not in "".join(_rows(html, "ranking"))
    assert "≥ 50" in html


def test_without_targets_nothing_is_judged(tmp_path: Path) -> None:
    ds = load_dataset(_three_days(tmp_path))
    summary = team_summary(ds)
    assert summary.target is None and not any(a.below_target for a in summary.agents)
    html = team_html(summary) + scorecard_html(agent_scorecard(ds, "A1"))
    assert "未设定目标" in html
    assert "row-bad" not in "".join(_rows(html, "ranking"))
    assert "目标 ≥" not in html


def test_unmasked_data_says_so_on_the_page(tmp_path: Path) -> None:
    ds = load_dataset(_three_days(tmp_path, masked=False))
    assert "未脱敏" in team_html(team_summary(ds))
    assert "NOT MASKED" in scorecard_html(agent_scorecard(ds, "A1"), lang="en")
    masked = load_dataset(_three_days(tmp_path / "m"))
    assert "未脱敏" not in team_html(team_summary(masked))


def test_one_day_has_no_trend_chart(tmp_path: Path) -> None:
    path = write_dataset(tmp_path, conversations=[conversation("c1", "A1", 90)])
    ds = load_dataset(path)
    html = team_html(team_summary(ds))
    assert "数据只有一天，没有趋势" in html
    assert 'class="score-line"' not in html


def test_empty_dataset_renders(tmp_path: Path) -> None:
    summary = team_summary(load_dataset(write_dataset(tmp_path)))
    html = team_html(summary, lang="en")
    assert "Team QA report" in html and "No data" in html


# --------------------------------------------------------------------------- charts


def test_histogram_counts_and_steps() -> None:
    assert histogram_counts([0, 9.9, 10, 100, 100.5, float("nan")], [0, 10, 100]) == [2, 2]
    assert nice_step(87) == 10 and nice_step(13) == 1 and nice_step(300) == 30
    assert nice_ticks(21) == [0, 10, 20, 30] and nice_ticks(1) == [0, 1]


def test_histogram_svg_bars_and_marker() -> None:
    svg = svg_histogram(
        [1, 2, 12],
        [0, 10, 20],
        label="x",
        x_label="s",
        y_label="n",
        markers=[],
    )
    assert svg.count('class="bar"') == 2 and "target-line" not in svg
    from cs_qa.reports.html_charts import Marker

    svg = svg_histogram([1], [0, 10], label="x", x_label="s", y_label="n", markers=[Marker(5, "t")])
    assert svg.count('class="target-line"') == 1


# -------------------------------------------------------------------------- terminal


def test_terminal_reports_show_targets_and_mark_agents_below(ds, roster) -> None:
    console = Console(file=io.StringIO(), width=160)
    render_team(team_summary(ds, roster=roster), console)
    render_scorecard(agent_scorecard(ds, "N1", roster=roster), console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "平均分        86.0 / 目标 ≥ 90 ✗" in out  # team mean of 11 conversations
    assert "组别" in out and "王敏" in out
    assert "A1 王敏 ✗" in out and "N1 孙悦 ✗" in out and "B2 ✗" not in out
    assert "考核目标: 团队目标 ≥ 90 · ≥ 90% · ≤ 30秒" in out
    assert "新人目标" not in out.split("客服质检评分卡")[0]  # N1 is past the ramp
    assert "入职第 4 天" in out
    assert "≤ 10% ✗" in out  # the greeting rule's target
    assert "70.0 / ≥ 60 ✓" in out  # N1's first day against the ramp


def test_terminal_target_colours(ds) -> None:
    console = Console(file=io.StringIO(), width=160, force_terminal=True, color_system="standard")
    render_scorecard(agent_scorecard(ds, "A1"), console)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert re.search(r"\x1b\[1;31m\s*87\.8", out)  # missed: bold red


# ------------------------------------------------------------------------------ CLI

runner = CliRunner()


def test_cli_writes_team_and_agent_pages(tmp_path: Path) -> None:
    out = _add_targets(_three_days(tmp_path))
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text("targets:\n  score: 50\n", encoding="utf-8")

    page = tmp_path / "team.html"
    result = runner.invoke(app, ["report", str(out), "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert "团队质检报告" in page.read_text(encoding="utf-8")

    page = tmp_path / "n1.html"
    args = ["report", str(out), "--agent", "N1", "--roster", str(roster), "--html", str(page)]
    result = runner.invoke(app, [*args, "--lang", "en", "--targets", str(targets)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "孙悦" in html and "Target ≥ 50" in html and "Target ≥ 90" not in html


def test_cli_errors_exit_2(tmp_path: Path) -> None:
    out = _three_days(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("score: lots\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("name\nX\n", encoding="utf-8")
    for extra in (
        ["--targets", str(bad)],
        ["--roster", str(roster)],
        ["--agent", "NOBODY", "--html", str(tmp_path / "x.html")],
        ["--html", str(tmp_path / "no" / "such" / "dir.html")],
    ):
        result = runner.invoke(app, ["report", str(out), *extra])
        assert result.exit_code == 2, (extra, result.output)


# -------------------------------------------------------------------------- masking


def test_no_page_of_the_sample_carries_a_mobile_number(sample_run) -> None:
    ds = load_dataset(sample_run.out)
    roster = parse_roster((ROOT / "examples" / "roster.csv").read_text(encoding="utf-8"))
    raw_turns = "".join(ds.turns["text"].dropna())
    assert "138****5678" in raw_turns  # the sample's phone numbers are stored masked
    pages = [team_html(team_summary(ds, roster=roster))]
    console = Console(file=io.StringIO(), width=160)
    for agent in known_agents(ds):
        card = agent_scorecard(ds, agent, roster=roster)
        pages.append(scorecard_html(card))
        pages.append(scorecard_html(card, lang="en"))
        render_scorecard(card, console)
    render_team(team_summary(ds, roster=roster), console)
    pages.append(console.file.getvalue())  # type: ignore[attr-defined]
    for text in pages:
        assert not PHONE.search(text), PHONE.search(text)


def _phone_in_a_sample_conversation(tmp_path: Path) -> Path:
    """A1011's conversation of 2026-11-21 with a phone number put into the agent's first
    turn (which has no greeting, so the greeting finding quotes it)."""
    line = (SAMPLE / "chat_2026-11-21.jsonl").read_text(encoding="utf-8").splitlines()[3]
    record = json.loads(line)
    assert record["agent_id"] == "A1011"
    first_agent = next(t for t in record["turns"] if t["speaker"] == "agent")
    first_agent["text"] = "在的，您是13912345678这个号码吗"
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "chat.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    return folder


@pytest.mark.parametrize("mask", [True, False], ids=["masked", "no-mask"])
def test_phone_in_a_finding_is_masked_in_findings_terminal_and_html(
    tmp_path: Path, mask: bool
) -> None:
    folder = _phone_in_a_sample_conversation(tmp_path)
    out = tmp_path / "out"
    args = ["score", str(folder), "--out", str(out), "-q"] + ([] if mask else ["--no-mask"])
    assert runner.invoke(app, args).exit_code == 0
    ds = load_datasets([out])
    evidence = " ".join(ds.findings["evidence"].dropna())
    console = Console(file=io.StringIO(), width=160)
    render_scorecard(agent_scorecard(ds, "A1011"), console)
    terminal = console.file.getvalue()  # type: ignore[attr-defined]
    page = tmp_path / "a.html"
    result = runner.invoke(app, ["report", str(out), "--agent", "A1011", "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    for text in (evidence, terminal, html):
        if mask:
            assert "139****5678" in text and "13912345678" not in text
        else:
            assert "13912345678" in text
    assert ("未脱敏" in html) is (not mask)
