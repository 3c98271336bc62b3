"""Every exit code DESIGN.md lists, one test each (Ctrl-C's 130 is in test_interrupt.py).

score: 0 all scored, 3 some records rejected (--strict: 1), 2 usage or rule-pack errors,
1 failure. rules lint / rules test: 0 clean, 1 problems found, 2 usage. verify: 0, 1, 2.
"""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLE
from typer.testing import CliRunner

from cs_qa.cli import app

runner = CliRunner()
GOOD = SAMPLE / "chat_2026-11-16.jsonl"

FAILING_PACK = """\
pack: failing
version: "1"
title: 例子不符
scoring: {base: 100, pass_mark: 80}
rules:
  - id: language.rude
    title: 不礼貌
    category: 服务用语
    check: forbidden_phrase
    speaker: agent
    phrases: [不知道]
    deduct: 5
    examples:
      - passes: |
          客户: 在吗
          客服: 我不知道
"""


@pytest.fixture
def bad_input(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = GOOD.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(good + "\n{not json\n", encoding="utf-8")
    return path


def _code(*args: str) -> int:
    return runner.invoke(app, list(args)).exit_code


def test_score_0_when_everything_is_scored(tmp_path):
    assert _code("score", str(GOOD), "--out", str(tmp_path / "o"), "--quiet") == 0


def test_score_3_when_some_records_are_rejected(bad_input, tmp_path):
    assert _code("score", str(bad_input), "--out", str(tmp_path / "o"), "--quiet") == 3


def test_score_strict_makes_rejections_1(bad_input, tmp_path):
    args = ("score", str(bad_input), "--out", str(tmp_path / "o"), "--quiet", "--strict")
    assert _code(*args) == 1


def test_score_2_on_a_pack_that_does_not_load(tmp_path):
    pack = tmp_path / "broken.yaml"
    pack.write_text("pack: x\nrules: [", encoding="utf-8")
    assert _code("score", str(GOOD), "--rules", str(pack), "--out", str(tmp_path / "o")) == 2


def test_score_2_on_usage_errors(tmp_path):
    assert _code("score", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")) == 2
    assert _code("score", str(GOOD), "--engine", "spark", "--out", str(tmp_path / "o")) == 2
    assert _code("score", str(GOOD), "--bogus-option") == 2
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("", encoding="utf-8")
    assert _code("score", str(GOOD), "--out", str(tmp_path / "taken"), "--quiet") == 2


def test_score_1_on_a_failure(tmp_path):
    # The output's parent is a file: writing the dataset fails (not a usage problem).
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["score", str(GOOD), "--out", str(blocker / "out"), "--quiet"])
    assert result.exit_code == 1
    assert "cannot write the dataset" in result.output and str(blocker) in result.output


def test_rules_lint_0_1_2(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: x\nversion: 1\nrules: []\n", encoding="utf-8")
    assert _code("rules", "lint", "rules/general.yaml") == 0
    assert _code("rules", "lint", str(broken)) == 1
    assert _code("rules", "lint", str(tmp_path / "missing.yaml")) == 2


def test_rules_test_0_1_2(tmp_path):
    failing = tmp_path / "failing.yaml"
    failing.write_text(FAILING_PACK, encoding="utf-8")
    assert _code("rules", "test", "rules/general.yaml") == 0
    assert _code("rules", "test", str(failing)) == 1
    assert _code("rules", "test", str(tmp_path / "missing.yaml")) == 2


def test_verify_0_1_2(tmp_path):
    out = tmp_path / "o"
    assert _code("score", str(GOOD), "--out", str(out), "--quiet") == 0
    assert _code("verify", str(out), "--inputs-root", str(SAMPLE)) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["counts"]["read"] += 1
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert _code("verify", str(out)) == 1
    assert _code("verify", str(tmp_path)) == 2
