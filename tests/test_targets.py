"""Targets, the new-agent ramp and the roster."""

from __future__ import annotations

from datetime import date

import pytest

from cs_qa.packs.loader import load_pack
from cs_qa.packs.targets import (
    TargetsError,
    load_targets_text,
    parse_roster,
    parse_targets,
    target_for,
)

SPEC = {
    "score": 90,
    "pass_rate": "95%",
    "first_response_p90": 20,
    "rules": {"language.refusal": 10},
    "new_agents": [
        {"until_day": 3, "score": 80, "pass_rate": 0.7},
        {"until_day": 7, "score": 85},
    ],
}


def test_rates_are_read_as_fractions():
    spec = parse_targets(SPEC)
    assert spec.pass_rate == 0.95 and spec.rules["language.refusal"] == 0.10


@pytest.mark.parametrize(
    ("day", "score", "pass_rate", "label"),
    [
        (1, 80, 0.7, "new:3"),
        (3, 80, 0.7, "new:3"),
        (4, 85, 0.95, "new:7"),
        (8, 90, 0.95, ""),
        (None, 90, 0.95, ""),
    ],
)
def test_the_ramp_by_days_since_hire(day, score, pass_rate, label):
    target = target_for(parse_targets(SPEC), day)
    assert (target.score, target.pass_rate, target.label) == (score, pass_rate, label)
    assert target.first_response_p90 == 20  # a step inherits what it does not say


def test_met_knows_which_way_is_better():
    target = target_for(parse_targets(SPEC), None)
    assert target.met("score", 90) is True and target.met("score", 89.9) is False
    assert (
        target.met("first_response_p90", 20) is True
        and target.met("first_response_p90", 21) is False
    )
    assert target.met("language.refusal", 0.2) is False
    assert target.met("closing.farewell", 0.9) is None  # no target, nothing judged
    assert target.met("score", float("nan")) is None


def test_bad_targets_name_the_problem():
    with pytest.raises(TargetsError, match="pass_rate"):
        parse_targets({"pass_rate": "lots"})
    with pytest.raises(TargetsError, match="until_day"):
        parse_targets({"new_agents": [{"until_day": 7}, {"until_day": 3}]})
    with pytest.raises(TargetsError, match="scor"):
        parse_targets({"scor": 90})


def test_targets_file_with_or_without_the_section_key():
    assert load_targets_text("targets:\n  score: 88\n", "t.yaml").score == 88
    assert load_targets_text("score: 87\n", "t.yaml").score == 87


def test_roster_with_chinese_headers_and_tenure():
    roster = parse_roster("\ufeff工号,姓名,组别,入职日期\nA1,王敏,一组,2026-11-16\nA2,李娜,二组,\n")
    assert roster["A1"].name == "王敏" and roster["A1"].team == "一组"
    assert roster["A1"].tenure_day(date(2026, 11, 16)) == 1
    assert roster["A1"].tenure_day(date(2026, 11, 22)) == 7
    assert roster["A2"].tenure_day(date(2026, 11, 22)) is None


def test_roster_errors_name_the_line():
    with pytest.raises(TargetsError, match=r"roster\.csv:3: hired_on"):
        parse_roster("agent_id,hired_on\nA1,2026-11-16\nA2,yesterday\n", "roster.csv")
    with pytest.raises(TargetsError, match="no agent_id column"):
        parse_roster("name\n王敏\n")


def test_the_general_pack_carries_targets_into_the_manifest():
    pack = load_pack(None)
    assert pack.targets is not None and pack.targets.new_agents
    assert pack.describe()["targets"]["score"] == 90


def test_pack_targets_problems_are_pack_problems(tmp_path):
    from cs_qa.packs.problems import PackError

    path = tmp_path / "p.yaml"
    path.write_text("pack: p\nversion: '1'\ntitle: t\nextends: general\ntargets: {score: high}\n")
    with pytest.raises(PackError, match=r"p.yaml:5: targets: score"):
        load_pack(path)
