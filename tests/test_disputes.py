"""Disputes: an accepted dispute changes the disputed agent's figures in reports, and
nothing else: not the dataset, not other agents."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from conftest import SAMPLE
from typer.testing import CliRunner

from cs_qa.cli import app
from cs_qa.dataset.disputes import DisputesError, apply_disputes, load_disputes
from cs_qa.dataset.reader import load_dataset
from cs_qa.reports.scorecard import agent_scorecard

runner = CliRunner()
CONVERSATION, RULE, AGENT = "c-20261116-0003", "language.refusal", "A1011"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("disputes") / "out"
    result = runner.invoke(
        app, ["score", str(SAMPLE / "chat_2026-11-16.jsonl"), "--out", str(folder), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return folder


def _hashes(folder):
    return {
        p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _dispute(disputes, *extra):
    args = [
        "dispute",
        CONVERSATION,
        RULE,
        "--reason",
        "客户要的是退差价，客服在解释规则",
        "--disputes",
        str(disputes),
    ]
    return runner.invoke(app, [*args, *extra])


def test_an_accepted_dispute_changes_the_agents_score_and_nothing_else(out, tmp_path):
    before_files = _hashes(out)
    disputes = tmp_path / "disputes.csv"
    result = _dispute(disputes, "--dataset", str(out), "--reviewer", "王芳")
    assert result.exit_code == 0, result.output
    assert _hashes(out) == before_files  # the dataset is never written

    plain = load_dataset(out)
    applied = apply_disputes(plain, load_disputes(disputes))
    conv_before = plain.conversations.set_index("conversation_id").loc[CONVERSATION]
    conv_after = applied.conversations.set_index("conversation_id").loc[CONVERSATION]
    refusal = plain.rule_results[
        (plain.rule_results["conversation_id"] == CONVERSATION)
        & (plain.rule_results["rule_id"] == RULE)
    ]
    given_back = float(refusal["deducted"].iloc[0])
    assert given_back > 0
    assert conv_after["score"] == conv_before["score"] + given_back
    assert conv_after["passed"] == (conv_after["score"] >= plain.pass_mark)
    assert conv_after["n_violations"] == conv_before["n_violations"] - 1
    # Every other conversation is untouched.
    others_before = plain.conversations[
        plain.conversations["conversation_id"] != CONVERSATION
    ].reset_index(drop=True)
    others_after = applied.conversations[
        applied.conversations["conversation_id"] != CONVERSATION
    ].reset_index(drop=True)
    pd.testing.assert_frame_equal(others_before, others_after)

    card_before, card_after = agent_scorecard(plain, AGENT), agent_scorecard(applied, AGENT)
    assert card_after.agent.mean_score > card_before.agent.mean_score
    assert card_after.agent.findings == card_before.agent.findings - 1
    assert [(o.conversation_id, o.rule_id) for o in card_after.overruled] == [(CONVERSATION, RULE)]
    for other in sorted(set(plain.conversations["agent_id"]) - {AGENT}):
        assert agent_scorecard(applied, other).agent == agent_scorecard(plain, other).agent

    shown = runner.invoke(
        app,
        ["report", str(out), "--agent", AGENT, "--disputes", str(disputes), "--lang", "en"],
        env={"COLUMNS": "200"},
    )
    assert shown.exit_code == 0, shown.output
    assert "overruled" in shown.output and "客户要的是退差价" in shown.output
    html = tmp_path / "card.html"
    runner.invoke(
        app,
        ["report", str(out), "--agent", AGENT, "--disputes", str(disputes), "--html", str(html)],
    )
    assert "申诉成立" in html.read_text(encoding="utf-8")
    assert _hashes(out) == before_files


def test_the_last_decision_is_in_force(out, tmp_path):
    disputes = tmp_path / "disputes.csv"
    assert _dispute(disputes, "--status", "pending").exit_code == 0
    assert _dispute(disputes, "--status", "rejected").exit_code == 0
    table = load_disputes(disputes)
    assert list(table["status"]) == ["rejected"]
    plain = load_dataset(out)
    assert apply_disputes(plain, table) is plain  # nothing accepted: nothing changes


def test_bad_disputes_are_refused(out, tmp_path):
    disputes = tmp_path / "disputes.csv"
    assert _dispute(disputes, "--status", "maybe").exit_code == 2
    assert (
        runner.invoke(
            app, ["dispute", CONVERSATION, RULE, "--reason", " ", "--disputes", str(disputes)]
        ).exit_code
        == 2
    )
    wrong = runner.invoke(
        app,
        [
            "dispute",
            CONVERSATION,
            "opening.nothing",
            "--reason",
            "x",
            "--disputes",
            str(disputes),
            "--dataset",
            str(out),
        ],
    )
    assert wrong.exit_code == 2 and "no finding" in wrong.output
    assert not disputes.exists()
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "conversation_id,rule_id,status\nc-1,,accepted\nc-2,r,nope\n", encoding="utf-8"
    )
    with pytest.raises(DisputesError) as info:
        load_disputes(broken)
    assert f"{broken}:2:" in str(info.value) and f"{broken}:3:" in str(info.value)
    assert runner.invoke(app, ["report", str(out), "--disputes", str(broken)]).exit_code == 2


def test_show_marks_the_overruled_finding(out, tmp_path):
    disputes = tmp_path / "disputes.csv"
    assert _dispute(disputes).exit_code == 0
    args = ["show", str(out), CONVERSATION, "--lang", "en"]
    plain = runner.invoke(app, args, env={"COLUMNS": "200"})
    shown = runner.invoke(app, [*args, "--disputes", str(disputes)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "overruled, no deduction" in shown.output and "overruled" not in plain.output
    html = tmp_path / "c.html"
    runner.invoke(
        app, ["show", str(out), CONVERSATION, "--disputes", str(disputes), "--html", str(html)]
    )
    assert 'class="finding overruled"' in html.read_text(encoding="utf-8")
