"""Fault containment: a check that raises on one conversation costs that rule on that
conversation, not the batch (status `error`, a `rule_errors` row, exit 3)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SAMPLE
from typer.testing import CliRunner

from cs_qa.checks import CheckParams, register
from cs_qa.cli import app
from cs_qa.core.model import Hit
from cs_qa.dataset.reader import load_dataset
from cs_qa.engine.run import score_inputs
from cs_qa.packs.loader import load_pack

DAY = SAMPLE / "chat_2026-11-16.jsonl"
VICTIM = json.loads(DAY.read_text(encoding="utf-8").splitlines()[3])["conversation_id"]


class Params(CheckParams):
    conversation: str


@register("test_raises_on", Params)
def raises_on(conv, rule) -> list[Hit] | None:  # type: ignore[no-untyped-def]
    """Raises on one conversation (a bug no test imagined); elsewhere flags 测试违规."""
    if conv.conversation.conversation_id == rule.params.conversation:
        raise ZeroDivisionError("division by zero in the [bold]test[/bold] check")
    turns = conv.conversation.turns
    return [Hit(i, "测试违规") for i, turn in enumerate(turns) if "测试违规" in turn.text]


PACK = """\
pack: fragile
version: "1"
title: 会出错的规则包
extends: general
rules:
  - id: test.fragile
    title: 会出错的规则
    check: test_raises_on
    conversation: {victim}
    deduct: 50
    examples:
      - passes: |
          客服: 您好
      - violates: |
          客服: 测试违规
"""


def _pack(tmp_path, victim: str):
    path = tmp_path / f"fragile-{len(victim)}.yaml"
    path.write_text(PACK.format(victim=victim), encoding="utf-8")
    return path


def _tables(out):
    data = load_dataset(out)
    return {
        name: getattr(data, name).reset_index(drop=True)
        for name in ("conversations", "turns", "rule_results", "findings", "errors")
    }, data


def test_a_raising_check_costs_one_rule_on_one_conversation(tmp_path):
    broken = score_inputs([DAY], load_pack(str(_pack(tmp_path, VICTIM))), tmp_path / "broken")
    fine = score_inputs([DAY], load_pack(str(_pack(tmp_path, "nobody"))), tmp_path / "fine")
    assert broken.scored == fine.scored > 1 and broken.rule_errors == 1 and fine.rule_errors == 0
    assert broken.manifest["counts"]["rule_errors"] == 1

    got, data = _tables(tmp_path / "broken")
    want, _ = _tables(tmp_path / "fine")
    failed = data.rule_errors.iloc[0]
    assert (failed.conversation_id, failed.rule_id, failed.error_type) == (
        VICTIM,
        "test.fragile",
        "ZeroDivisionError",
    )
    assert "division by zero" in failed.message and failed.source_line == 4
    # Every other result is what it is without the fault.
    status = got["rule_results"]
    hit = (status.conversation_id == VICTIM) & (status.rule_id == "test.fragile")
    assert status.loc[hit, "status"].tolist() == ["error"]
    assert want["rule_results"].loc[hit, "status"].tolist() == ["pass"]
    status.loc[hit, "status"] = "pass"
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_like=True)
    # Not evaluated is not applicable: the rule's rate leaves that conversation out.
    rates = data.agent_rules[data.agent_rules.rule_id == "test.fragile"]
    assert rates.applicable.sum() == broken.scored - 1


def test_score_exits_3_and_says_which_rule_could_not_be_evaluated(tmp_path):
    pack = _pack(tmp_path, VICTIM)
    runner = CliRunner()
    args = ["score", str(DAY), "--rules", str(pack), "--out", str(tmp_path / "o"), "-w", "1"]
    result = runner.invoke(app, [*args, "--lang", "en"])
    assert result.exit_code == 3, result.output
    assert "test.fragile" in result.output and "ZeroDivisionError" in result.output
    assert "[bold]test[/bold]" in result.output  # the message is text, never markup
    strict = runner.invoke(app, [*args, "--overwrite", "--strict", "--quiet"])
    assert strict.exit_code == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports_name_the_rule_that_could_not_be_evaluated(tmp_path, lang):
    score_inputs([DAY], load_pack(str(_pack(tmp_path, VICTIM))), tmp_path / "o")
    result = CliRunner().invoke(app, ["report", str(tmp_path / "o"), "--lang", lang])
    assert result.exit_code == 0, result.output
    said = "could not be evaluated" if lang == "en" else "未能评估"
    assert said in result.output and "test.fragile" in result.output
    page = tmp_path / "team.html"
    result = CliRunner().invoke(
        app, ["report", str(tmp_path / "o"), "--lang", lang, "--html", str(page)]
    )
    assert result.exit_code == 0, result.output
    assert said in page.read_text(encoding="utf-8")
    # The scorecard of the agent whose conversation it was says so too; others do not.
    victim = load_dataset(tmp_path / "o").rule_errors.iloc[0].agent_id
    card = CliRunner().invoke(
        app, ["report", str(tmp_path / "o"), "--agent", victim, "--lang", lang]
    )
    assert card.exit_code == 0 and said in card.output
    page = tmp_path / "card.html"
    args = ["report", str(tmp_path / "o"), "--agent", victim, "--lang", lang, "--html", str(page)]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert said in page.read_text(encoding="utf-8")
    # So does the conversation itself.
    shown = CliRunner().invoke(app, ["show", str(tmp_path / "o"), VICTIM, "--lang", lang])
    assert shown.exit_code == 0 and said in shown.output and "ZeroDivisionError" in shown.output
    page = tmp_path / "show.html"
    args = ["show", str(tmp_path / "o"), VICTIM, "--lang", lang, "--html", str(page)]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert said in page.read_text(encoding="utf-8")
    other = next(a for a in load_dataset(tmp_path / "o").agents.agent_id if a != victim)
    card = CliRunner().invoke(app, ["report", str(tmp_path / "o"), "--agent", other])
    assert card.exit_code == 0 and "未能评估" not in card.output
