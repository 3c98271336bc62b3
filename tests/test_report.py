"""Reports read from a written dataset: loading, summaries and rich rendering."""

from __future__ import annotations

import io
import math
import re
import shutil
from pathlib import Path

import pytest
from report_fixtures import conversation, finding, rule_result, write_dataset
from rich.console import Console

from cs_qa.dataset.reader import DatasetError, load_dataset, load_datasets
from cs_qa.dataset.schema import TABLES
from cs_qa.reports.format import format_offset
from cs_qa.reports.i18n import LABELS, t
from cs_qa.reports.scorecard import UnknownAgent, agent_scorecard
from cs_qa.reports.team import team_summary
from cs_qa.reports.terminal_scorecard import render_scorecard
from cs_qa.reports.terminal_team import render_team

DAY1, DAY2 = "2026-11-20", "2026-11-21"


def _console() -> Console:
    return Console(file=io.StringIO(), width=120)


def _output(console: Console) -> str:
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _one_day(tmp_path: Path, masked: bool = True, **kwargs: object) -> Path:
    """A1: c1 100 and c2 70; A2: c3 90; pass mark 80. B9 took over c2 and broke a rule."""
    return write_dataset(
        tmp_path,
        conversations=[
            conversation("c1", "A1", 100, first_response_s=10.0, source_line=1),
            conversation("c2", "A1", 70, first_response_s=30.0, source_line=2),
            conversation("c3", "A2", 90, first_response_s=20.0, source_line=3),
        ],
        findings=[
            finding("c2", "A1", "opening.greeting", at_s=8.0, evidence="在", source_line=2),
            finding(
                "c2",
                "B9",
                "latency.first_response",
                at_s=75.0,
                deduct=10.0,
                matched="95s",
                evidence="您好，久等了",
                source_line=2,
            ),
        ],
        rule_results=[
            rule_result("c1", "A1", "opening.greeting", "pass"),
            rule_result("c2", "A1", "opening.greeting", "violation"),
            rule_result("c3", "A2", "opening.greeting", "na"),
            rule_result("c1", "A1", "latency.first_response", "pass"),
            rule_result("c2", "A1", "latency.first_response", "violation"),
            rule_result("c3", "A2", "latency.first_response", "pass"),
        ],
        errors=[{"source_file": "chat.jsonl", "source_line": 9, "reason": "bad JSON"}],
        masked=masked,
        **kwargs,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------------------- loading


def test_load_dataset_reads_every_table_with_its_schema(tmp_path: Path) -> None:
    ds = load_dataset(_one_day(tmp_path))
    assert len(ds.conversations) == 3
    assert len(ds.findings) == 2
    assert len(ds.errors) == 1
    assert ds.manifest["pack"]["name"] == "general"
    assert ds.pass_mark == 80
    for name in TABLES:
        assert list(getattr(ds, name).columns) == TABLES[name].names, name


def test_empty_or_missing_table_directory_is_an_empty_table(tmp_path: Path) -> None:
    path = _one_day(tmp_path)  # turns directory exists but holds no part
    shutil.rmtree(path / "errors")
    ds = load_dataset(path)
    assert ds.turns.empty and list(ds.turns.columns) == TABLES["turns"].names
    assert ds.errors.empty and list(ds.errors.columns) == TABLES["errors"].names
    assert team_summary(ds).rejected == 0


def test_missing_manifest_means_not_a_dataset(tmp_path: Path) -> None:
    path = _one_day(tmp_path, with_manifest=False)
    with pytest.raises(DatasetError, match=r"not a cs-qa dataset \(no manifest\.json\)"):
        load_dataset(path)


def test_missing_agents_tables_are_computed(tmp_path: Path) -> None:
    ds = load_dataset(_one_day(tmp_path, with_agents=False))
    assert sorted(ds.agents["agent_id"]) == ["A1", "A2", "B9"]
    assert not ds.agent_rules.empty


# -------------------------------------------------------------------------- summaries


def test_team_summary_figures(tmp_path: Path) -> None:
    summary = team_summary(load_dataset(_one_day(tmp_path)))
    team = summary.team
    assert team.conversations == 3
    assert summary.scored == 3
    assert summary.rejected == 1
    assert team.mean_score == pytest.approx((100 + 70 + 90) / 3)
    assert team.pass_rate == pytest.approx(2 / 3)
    assert team.min_score == 70
    assert team.findings == 2
    assert team.first_response_p50 == pytest.approx(20.0)
    assert team.first_response_p90 == pytest.approx(28.0)
    assert summary.trend == []  # one day only


def test_team_top_rules_use_applicable_rows_as_denominator(tmp_path: Path) -> None:
    summary = team_summary(load_dataset(_one_day(tmp_path)))
    rates = {r.rule_id: (r.applicable, r.violations, r.rate) for r in summary.top_rules}
    # greeting: pass, violation, na -> 1 of 2 applicable; latency: 1 of 3
    assert rates["opening.greeting"] == (2, 1, pytest.approx(0.5))
    assert rates["latency.first_response"] == (3, 1, pytest.approx(1 / 3))
    assert "language.forbidden" not in rates  # never broken


def test_team_summary_agent_rows_count_transfer_findings(tmp_path: Path) -> None:
    summary = team_summary(load_dataset(_one_day(tmp_path)))
    rows = {row.agent_id: row for row in summary.agents}
    assert list(rows) == ["A1", "A2", "B9"]
    a1 = rows["A1"].figures
    assert (a1.conversations, a1.findings) == (2, 1)
    assert a1.mean_score == pytest.approx(85.0)
    assert a1.pass_rate == pytest.approx(0.5)
    b9 = rows["B9"].figures
    assert (b9.conversations, b9.findings) == (0, 1)
    assert math.isnan(b9.mean_score)
    assert [r.rule_id for r in rows["A1"].top_rules] == [
        "latency.first_response",  # 1 of 2 applicable, ties with greeting on count and rate
        "opening.greeting",
    ]
    assert rows["A2"].top_rules == []


def test_agent_scorecard_against_team(tmp_path: Path) -> None:
    card = agent_scorecard(load_dataset(_one_day(tmp_path)), "A1")
    assert card.pass_mark == 80
    assert card.agent.conversations == 2
    assert card.agent.mean_score == pytest.approx(85.0)
    assert card.team.mean_score == pytest.approx(260 / 3)
    assert (card.first_day, card.last_day) == (DAY2, DAY2)
    rules = {r.rule_id: r for r in card.rules}
    assert (rules["opening.greeting"].applicable, rules["opening.greeting"].violations) == (2, 1)
    assert rules["opening.greeting"].rate == pytest.approx(0.5)
    assert rules["latency.first_response"].team_rate == pytest.approx(1 / 3)
    # the transfer finding is B9's, not A1's
    assert [(e.conversation_id, e.rule_id, e.at) for e in card.evidence] == [
        ("c2", "opening.greeting", "00:08")
    ]


def test_transfer_target_has_a_scorecard_with_its_evidence(tmp_path: Path) -> None:
    card = agent_scorecard(load_dataset(_one_day(tmp_path)), "B9")
    assert card.agent.conversations == 0
    assert card.agent.findings == 1
    [quote] = card.evidence
    assert (quote.conversation_id, quote.at, quote.rule_title) == ("c2", "01:15", "首次响应超时")
    assert (quote.matched, quote.evidence, quote.score) == ("95s", "您好，久等了", 70.0)


def test_evidence_worst_conversations_first_and_at_most_five(tmp_path: Path) -> None:
    scores = {"c1": 90.0, "c2": 40.0, "c3": 75.0, "c4": 0.0}
    findings = [
        finding(cid, "A1", source_line=i, at_s=float(10 * i + k), evidence=f"{cid}-{k}")
        for i, cid in enumerate(scores, start=1)
        for k in range(2)
    ]
    path = write_dataset(
        tmp_path,
        conversations=[
            conversation(cid, "A1", score, source_line=i)
            for i, (cid, score) in enumerate(scores.items(), start=1)
        ],
        findings=findings,
    )
    card = agent_scorecard(load_dataset(path), "A1")
    assert [e.evidence for e in card.evidence] == ["c4-0", "c4-1", "c2-0", "c2-1", "c3-0"]


def test_unknown_agent_lists_known_agents(tmp_path: Path) -> None:
    ds = load_dataset(_one_day(tmp_path))
    with pytest.raises(UnknownAgent) as info:
        agent_scorecard(ds, "Z0")
    assert isinstance(info.value, KeyError)
    assert info.value.known == ["A1", "A2", "B9"]
    assert "A1, A2, B9" in str(info.value)


def test_format_offset() -> None:
    assert format_offset(0) == "00:00"
    assert format_offset(75.9) == "01:15"
    assert format_offset(3725) == "62:05"
    assert format_offset(float("nan")) == "—"
    assert format_offset(None) == "—"


# ------------------------------------------------------------------------ several days


def _two_days(tmp_path: Path, second_masked: bool = True) -> list[Path]:
    day1 = write_dataset(
        tmp_path,
        name="day1",
        conversations=[
            conversation("c1", "A1", 100, day=DAY1),
            conversation("c2", "A1", 60, day=DAY1, source_line=2),
            conversation("c3", "A2", 80, day=DAY1, source_line=3),
        ],
        findings=[finding("c2", "A1", day=DAY1, source_line=2, evidence="第一天")],
        rule_results=[
            rule_result("c1", "A1", "opening.greeting", "pass", day=DAY1),
            rule_result("c2", "A1", "opening.greeting", "violation", day=DAY1),
        ],
    )
    day2 = write_dataset(
        tmp_path,
        name="day2",
        conversations=[
            # the export reuses conversation ids from day to day
            conversation("c1", "A1", 50, day=DAY2),
            conversation("c2", "A2", 90, day=DAY2, source_line=2),
        ],
        findings=[finding("c1", "A1", day=DAY2, evidence="第二天")],
        rule_results=[rule_result("c1", "A1", "opening.greeting", "violation", day=DAY2)],
        masked=second_masked,
    )
    return [day1, day2]


def test_several_runs_are_concatenated_and_agents_recomputed(tmp_path: Path) -> None:
    ds = load_datasets(_two_days(tmp_path))
    assert len(ds.conversations) == 5
    assert len(ds.manifests) == 2
    a1 = ds.agents.set_index("agent_id").loc["A1"]
    assert a1["conversations"] == 3
    assert a1["mean_score"] == pytest.approx((100 + 60 + 50) / 3)
    assert a1["findings"] == 2
    rule = ds.agent_rules.set_index(["agent_id", "rule_id"]).loc[("A1", "opening.greeting")]
    assert (rule["applicable"], rule["violations"]) == (3, 2)


def test_multi_day_trend(tmp_path: Path) -> None:
    ds = load_datasets(_two_days(tmp_path))
    trend = team_summary(ds).trend
    assert [row.day for row in trend] == [DAY1, DAY2]
    assert [row.conversations for row in trend] == [3, 2]
    assert trend[0].mean_score == pytest.approx(80.0)
    assert trend[0].pass_rate == pytest.approx(2 / 3)
    assert trend[1].mean_score == pytest.approx(70.0)
    assert trend[1].pass_rate == pytest.approx(0.5)

    card = agent_scorecard(ds, "A1")
    assert (card.first_day, card.last_day) == (DAY1, DAY2)
    assert [(r.day, r.conversations) for r in card.trend] == [(DAY1, 2), (DAY2, 1)]
    assert card.trend[1].mean_score == pytest.approx(50.0)
    # same conversation id on both days: each quote carries its own day and score
    assert [(e.day, e.score, e.evidence) for e in card.evidence] == [
        (DAY2, 50.0, "第二天"),
        (DAY1, 60.0, "第一天"),
    ]

    console = _console()
    render_team(team_summary(ds), console)
    render_scorecard(card, console)
    out = _output(console)
    assert out.count("每日趋势") == 2
    assert DAY1 in out and DAY2 in out


def test_combined_runs_are_unmasked_when_any_run_is(tmp_path: Path) -> None:
    ds = load_datasets(_two_days(tmp_path, second_masked=False))
    assert ds.masked is False
    console = _console()
    render_team(team_summary(ds), console)
    assert "未脱敏" in _output(console)


# -------------------------------------------------------------------------- rendering


def test_render_team_in_chinese(tmp_path: Path) -> None:
    console = _console()
    render_team(team_summary(load_dataset(_one_day(tmp_path))), console)
    out = _output(console)
    for label in ("团队概览", "客服", "会话数", "平均分", "合格率", "致命项", "首响P50", "首响P90"):
        assert label in out, label
    assert "最常违反的规则" in out
    assert "86.7" in out  # team mean with one decimal
    assert "66.7%" in out  # team pass rate as a percentage
    assert "开场问候" in out
    assert "—" in out  # B9 has no score
    assert "未脱敏" not in out
    assert "每日趋势" not in out  # single day


def test_render_in_english(tmp_path: Path) -> None:
    ds = load_dataset(_one_day(tmp_path))
    console = _console()
    render_team(team_summary(ds), console, lang="en")
    render_scorecard(agent_scorecard(ds, "A1"), console, lang="en")
    out = _output(console)
    for label in ("Team overview", "Agent", "Conversations", "Mean score", "Pass rate"):
        assert label in out, label
    assert "Greeting" in out  # the rule's title_en
    for label in ("团队概览", "会话数", "合格率", "证据"):
        assert label not in out, label


def test_render_scorecard_in_chinese(tmp_path: Path) -> None:
    console = _console()
    render_scorecard(agent_scorecard(load_dataset(_one_day(tmp_path)), "A1"), console)
    out = _output(console)
    for label in ("客服质检评分卡", "对比团队", "合格线", "规则明细", "证据", "得分"):
        assert label in out, label
    assert "85.0" in out and "86.7" in out  # agent vs team
    assert "[00:08] 开场问候 -5" in out and "「在」" in out


def test_not_masked_warning(tmp_path: Path) -> None:
    ds = load_dataset(_one_day(tmp_path, masked=False))
    console = _console()
    render_team(team_summary(ds), console)
    render_scorecard(agent_scorecard(ds, "A1"), console, lang="en")
    out = _output(console)
    assert "未脱敏" in out
    assert "NOT MASKED" in out


def test_score_below_pass_mark_is_red(tmp_path: Path) -> None:
    path = write_dataset(
        tmp_path,
        conversations=[conversation("c1", "A1", 75.0), conversation("c2", "A2", 95.0)],
    )
    console = Console(file=io.StringIO(), width=120, force_terminal=True, color_system="standard")
    render_team(team_summary(load_dataset(path)), console)
    out = _output(console)
    red = r"\x1b\[1;31m\s*"  # bold red, then the right-justified cell
    assert re.search(red + r"75\.0", out)
    assert not re.search(red + r"95\.0", out) and "95.0" in out


def test_labels_have_the_same_keys_in_both_languages() -> None:
    assert set(LABELS["zh"]) == set(LABELS["en"])
    assert t("pass_rate") == "合格率"
    assert t("pass_rate", "en") == "Pass rate"
    assert t("no.such.key", "en") == "no.such.key"


def test_empty_run_renders(tmp_path: Path) -> None:
    ds = load_dataset(write_dataset(tmp_path))
    summary = team_summary(ds)
    assert summary.team.conversations == 0
    assert math.isnan(summary.team.mean_score)
    assert summary.agents == [] and summary.top_rules == []
    console = _console()
    render_team(summary, console)
    out = _output(console)
    assert "团队概览" in out and "—" in out
    with pytest.raises(UnknownAgent, match="known agents: none"):
        agent_scorecard(ds, "A1")


def test_flag_rules_are_not_listed_as_broken(tmp_path: Path) -> None:
    from cs_qa.engine.run import score_inputs
    from cs_qa.packs.loader import load_pack

    sample = Path(__file__).resolve().parent.parent / "sample_transcripts"
    out = tmp_path / "out"
    score_inputs([sample / "asr"], load_pack(None), out)
    summary = team_summary(load_dataset(out))
    assert summary.team.flagged_count > 0  # the calls do carry complaint threats
    listed = {r.rule_id for r in summary.top_rules} | {
        r.rule_id for row in summary.agents for r in row.top_rules
    }
    assert listed and "risk.complaint" not in listed
