"""`cs-qa calibrate`: agreement with human labels, checked against numbers computed here
in another way (crosstabs of the raw Parquet tables, kappa from marginal rates, ranks by
sorting) on the frozen calibration sample and its hand-written labels."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from typer.testing import CliRunner

from cs_qa.cli import app
from cs_qa.reports.calibrate import Agreement
from cs_qa.reports.calibration_labels import LabelsError, load_labels

runner = CliRunner()
CALIBRATION = ROOT / "calibration"
LABELS = CALIBRATION / "labels.csv"


@pytest.fixture(scope="module")
def cal_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "out"
    result = runner.invoke(
        app, ["score", str(CALIBRATION / "transcripts"), "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out


def _markdown(out):
    args = ["calibrate", str(out), "--labels", str(LABELS), "--format", "markdown", "--lang", "en"]
    return runner.invoke(app, args)


def _expected(out, labels_path) -> dict[str, dict[str, float]]:
    rr = pq.read_table(out / "rule_results").to_pandas()
    labels = pd.read_csv(labels_path, dtype=str, keep_default_na=False)
    labels = labels[labels["rule_id"] != ""]
    merged = labels.merge(rr, on=["conversation_id", "rule_id"], how="inner")
    merged["human"] = merged["violated"].astype(float).astype(int)
    # na is left out when the reviewer saw no violation either, and is a miss otherwise
    merged = merged[(merged["status"] != "na") | (merged["human"] == 1)]
    merged["tool"] = merged["status"].isin(["violation", "flag"]).astype(int)
    expected = {}
    groups = [*merged.groupby("rule_id"), ("(all)", merged)]
    for rule, g in groups:
        table = pd.crosstab(g["human"], g["tool"]).reindex(
            index=[0, 1], columns=[0, 1], fill_value=0
        )
        tp, fp, fn, tn = (int(table.loc[h, t]) for h, t in ((1, 1), (0, 1), (1, 0), (0, 0)))
        missed_na = int(((g["status"] == "na") & (g["human"] == 1)).sum())
        n = len(g)
        observed = float((g["human"] == g["tool"]).mean())
        h, t = g["human"].mean(), g["tool"].mean()
        chance = h * t + (1 - h) * (1 - t)
        precision = tp / (tp + fp) if tp + fp else math.nan
        recall = tp / (tp + fn) if tp + fn else math.nan
        expected[rule] = {
            "n": n,
            "tp": tp,
            "fp": fp,
            "fn": fn - missed_na,
            "missed_na": missed_na,
            "tn": tn,
            "precision": precision,
            "recall": recall,
            "f1": (
                math.nan
                if math.isnan(precision) or math.isnan(recall)
                else (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
            ),
            "kappa": (observed - chance) / (1 - chance) if chance < 1 else math.nan,
        }
    return expected


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _cell(text: str) -> float:
    return math.nan if text == "—" else float(text)


def test_labels_cover_at_least_60_conversations_of_the_frozen_sample():
    labels = load_labels(LABELS)
    assert labels.rules["conversation_id"].nunique() >= 60
    assert labels.scores["conversation_id"].nunique() >= 60
    assert labels.rules["violated"].sum() > 20  # real violations, not an all-clear file


def test_calibrate_matches_numbers_computed_independently(cal_out):
    result = _markdown(cal_out)
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 12 and cells[1].isdigit():
            rows[cells[0].strip("*")] = cells
    expected = _expected(cal_out, LABELS)
    rows["(all)"] = rows.pop("All rules")
    assert set(rows) == set(expected)
    for rule, want in expected.items():
        got = rows[rule]
        cells = ("n", "tp", "fp", "fn", "missed_na", "tn")
        assert [int(x) for x in got[1:7]] == [want[k] for k in cells], rule
        for k, text in zip(("precision", "recall", "f1", "kappa"), got[8:12], strict=True):
            value = _cell(text)
            if math.isnan(want[k]):
                assert math.isnan(value), (rule, k)
            else:
                assert value == pytest.approx(want[k], abs=0.0051), (rule, k)

    conversations = pq.read_table(cal_out / "conversations").to_pandas()
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False)
    human = labels[labels["rule_id"] == ""].set_index("conversation_id")["score"].astype(float)
    both = (
        conversations.set_index("conversation_id")["score"]
        .to_frame("tool")
        .join(human, how="inner")
    )
    tool_ranks, human_ranks = _ranks(list(both["tool"])), _ranks(list(both["score"]))
    rho = float(np.corrcoef(tool_ranks, human_ranks)[0, 1])
    match = re.search(r"Score Spearman correlation: (\S+) \((\d+) conversations", result.output)
    assert match and int(match.group(2)) == len(both)
    assert float(match.group(1)) == pytest.approx(rho, abs=0.005)


def test_disagreements_list_evidence_and_the_reviewers_note(cal_out):
    result = runner.invoke(
        app, ["calibrate", str(cal_out), "--labels", str(LABELS), "--format", "markdown"]
    )
    assert result.exit_code == 0
    assert "不一致的判定" in result.output
    expected = _expected(cal_out, LABELS)["(all)"]
    listed = [line for line in result.output.splitlines() if re.match(r"\| c-\d", line)]
    assert len(listed) == expected["fp"] + expected["fn"] + expected["missed_na"]


def test_terminal_output_has_chinese_labels(cal_out):
    result = runner.invoke(
        app, ["calibrate", str(cal_out), "--labels", str(LABELS)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "精确率" in result.output and "Kappa" in result.output


def test_agreement_arithmetic():
    a = Agreement("r", tp=8, fp=2, fn=4, tn=86)
    assert a.precision == pytest.approx(0.8)
    assert a.recall == pytest.approx(8 / 12)
    assert a.f1 == pytest.approx(2 * 0.8 * (8 / 12) / (0.8 + 8 / 12))
    # kappa by hand: po = 0.94, pe = 0.10*0.12 + 0.90*0.88 = 0.804
    assert a.kappa == pytest.approx((0.94 - 0.804) / (1 - 0.804))
    assert math.isnan(Agreement("r", 0, 0, 0, 10).kappa)  # one answer only: undefined
    assert math.isnan(Agreement("r", 0, 0, 0, 10).precision)


def test_a_violation_cs_qa_called_na_is_a_miss_not_left_out():
    """The reviewer saw a complaint cs-qa did not recognise (so empathy.complaint was na):
    that row lowers recall; a na the reviewer agrees with stays out of the table."""
    labels = pd.DataFrame(
        {
            "conversation_id": ["c1", "c2", "c3", "c4"],
            "rule_id": ["empathy.complaint"] * 4,
            "violated": [1, 1, 0, 1],
            "reviewer": "r",
            "note": "",
            "line": [2, 3, 4, 5],
        }
    )
    from cs_qa.reports.calibrate import calibrate
    from cs_qa.reports.calibration_labels import Labels

    conversations = pd.DataFrame({"conversation_id": ["c1", "c2", "c3", "c4"], "score": 90.0})
    rule_results = pd.DataFrame(
        {
            "conversation_id": ["c1", "c2", "c3", "c4"],
            "rule_id": ["empathy.complaint"] * 4,
            "status": ["violation", "na", "na", "na"],
        }
    )
    findings = pd.DataFrame(columns=["conversation_id", "rule_id", "matched", "evidence"])
    cal = calibrate(
        Labels(labels, pd.DataFrame(columns=["conversation_id", "score"])),
        conversations,
        rule_results,
        findings,
    )
    (a,) = cal.rules
    assert (a.tp, a.fp, a.fn, a.missed_na, a.tn, a.na) == (1, 0, 0, 2, 0, 1)
    assert a.n == 3 and a.recall == pytest.approx(1 / 3)
    assert [(d.conversation_id, d.tool) for d in cal.disagreements] == [("c2", None), ("c4", None)]


def test_bad_labels_are_reported_with_file_and_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        "conversation_id,rule_id,violated,score,reviewer,note\n"
        "c-1,opening.greeting,yes,,r1,\n"
        ",opening.greeting,1,,r1,\n"
        "c-1,,,120,r1,\n"
        "c-2,opening.greeting,1,,r1,\n"
        "c-2,opening.greeting,0,,r1,\n",
        encoding="utf-8",
    )
    with pytest.raises(LabelsError) as info:
        load_labels(path)
    message = str(info.value)
    for line, reason in (
        (2, "violated must be 0 or 1"),
        (3, "no conversation_id"),
        (4, "score 120 is outside 0-100"),
        (6, "c-2 / opening.greeting labelled again"),
    ):
        assert f"{path}:{line}: {reason}" in message
    result = runner.invoke(app, ["calibrate", str(tmp_path), "--labels", str(path)])
    assert result.exit_code == 2
    missing = tmp_path / "cols.csv"
    missing.write_text("id,rule\n", encoding="utf-8")
    with pytest.raises(LabelsError, match=r"cols.csv:1: missing column"):
        load_labels(missing)


def test_the_readme_example_is_this_run(cal_out):
    result = _markdown(cal_out)
    actual = {
        line.split("|")[1].strip().strip("*"): line.split("|")[2:]
        for line in result.output.splitlines()
        if line.startswith("| ") and len(line.split("|")) == 14
    }
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index("## Calibration against human QA"), readme.index("### On real chats")
    section = readme[start:end]
    rows = [
        line
        for line in section.splitlines()
        if line.startswith("| ") and line.split("|")[2].strip().isdigit()
    ]
    assert len(rows) >= 5
    for line in rows:
        name = line.split("|")[1].strip().strip("*").removesuffix(" (12)").strip("*")
        key = "All rules" if name.startswith("All rules") else name
        assert [c.strip() for c in line.split("|")[2:]] == [c.strip() for c in actual[key]], key
    spearman = re.search(
        r"Score Spearman correlation: \S+ \(\d+ conversations", result.output
    ).group(0)
    assert spearman in " ".join(section.split())


def test_labels_may_be_parquet(tmp_path):
    path = tmp_path / "labels.parquet"
    pd.read_csv(LABELS, dtype=str, keep_default_na=False).to_parquet(path)
    from_csv, from_parquet = load_labels(LABELS), load_labels(path)
    pd.testing.assert_frame_equal(from_csv.rules, from_parquet.rules)
    pd.testing.assert_frame_equal(from_csv.scores, from_parquet.scores)


def test_suggest_finds_the_words_of_missed_violations_and_false_alarms():
    """Misses share a wording the rule lacks; false alarms share a wording around the hit:
    both come out on top, grouped by rule."""
    from cs_qa.reports.calibrate import calibrate
    from cs_qa.reports.calibration_labels import Labels
    from cs_qa.reports.calibration_report import suggestions_markdown
    from cs_qa.reports.calibration_suggestions import suggest

    ids = [f"c{i}" for i in range(12)]
    human = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1]
    tool = ["pass", "pass", "pass", "violation", "violation", "violation", "violation",
            "pass", "pass", "pass", "violation", "violation"]  # fmt: skip
    texts = {
        "c0": "这个改不了哦", "c1": "地址改不了的", "c2": "已经出库改不了", "c3": "不能退",
        "c4": "暂不支持修改", "c5": "暂不支持开票", "c6": "不能退", "c7": "好的",
        "c8": "可以的", "c9": "收到", "c10": "不能换", "c11": "不能改",
    }  # fmt: skip
    labels = pd.DataFrame(
        {"conversation_id": ids, "rule_id": "language.refusal", "violated": human,
         "reviewer": "r", "note": "", "line": range(2, 14)}
    )  # fmt: skip
    rule_results = pd.DataFrame(
        {"conversation_id": ids, "rule_id": "language.refusal", "status": tool}
    )
    flagged = [c for c, s in zip(ids, tool, strict=True) if s == "violation"]
    findings = pd.DataFrame(
        {"conversation_id": flagged, "rule_id": "language.refusal", "matched": "x",
         "evidence": [texts[c] for c in flagged]}
    )  # fmt: skip
    turns = pd.DataFrame({"conversation_id": ids, "text": [texts[c] for c in ids]})
    cal = calibrate(
        Labels(labels, pd.DataFrame(columns=["conversation_id", "score"])),
        pd.DataFrame({"conversation_id": ids, "score": 90.0}),
        rule_results,
        findings,
    )
    (s,) = suggest(cal, turns, findings)
    assert s.missed == ["c0", "c1", "c2"] and s.false_alarms == ["c4", "c5", "c6"]
    assert s.in_missed[0].text == "改不了" and (s.in_missed[0].wrong, s.in_missed[0].right) == (
        3,
        0,
    )
    assert s.in_false_alarms[0].text == "暂不支持"
    text = suggestions_markdown([s], lang="en")
    assert "### language.refusal · missed 3 · false alarms 3" in text
    assert "改不了 (3/3 vs 0/3)" in text


def test_calibrate_suggest_from_the_command_line(cal_out):
    args = ["calibrate", str(cal_out), "--labels", str(LABELS), "--suggest", "--lang", "en"]
    result = runner.invoke(app, [*args, "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "What to change" in result.output and "over-represented" in result.output
