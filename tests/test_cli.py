"""The command line through typer's CliRunner: exit codes, help, terminal output."""

from __future__ import annotations

import re
import shutil

import pytest
import typer
from conftest import ROOT, SAMPLE, SAMPLE_MAPPING
from typer.testing import CliRunner

from cs_qa.cli import app

runner = CliRunner()
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command of the app, discovered from it (sub-apps recursively)."""
    found = [
        [*prefix, command.name or command.callback.__name__.replace("_", "-")]
        for command in group.registered_commands
    ]
    for sub in group.registered_groups:
        found += _commands(sub.typer_instance, (*prefix, sub.name))
    return found


COMMANDS = _commands(app)


def test_the_commands_are_discovered():
    assert ["score"] in COMMANDS and ["rules", "diff"] in COMMANDS and len(COMMANDS) >= 10


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example_and_exit_codes(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "Exit codes" in result.output


def test_score_help_names_every_input_suffix():
    from cs_qa.ingest import SUFFIXES

    said = " ".join(runner.invoke(app, ["score", "--help"], terminal_width=200).output.split())
    assert all(suffix in said for suffix in SUFFIXES), said


def test_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert "cs-qa " + " ".join(command) in readme, command


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    result = runner.invoke(
        app, ["score", str(SAMPLE), "--mapping", str(SAMPLE_MAPPING), "--out", str(out)]
    )
    return out, result


def test_score_the_sample_week(scored):
    out, result = scored
    assert result.exit_code == 0, result.output
    for table in (
        "conversations",
        "turns",
        "rule_results",
        "findings",
        "agents",
        "agent_rules",
        "errors",
    ):
        assert list((out / table).glob("*.parquet")), table
    assert (out / "manifest.json").exists()
    assert "团队概览" in result.output and "客服明细" in result.output
    assert "A1011" in result.output
    assert not PHONE.search(result.output)


def test_existing_output_needs_overwrite(scored):
    out, _ = scored
    result = runner.invoke(app, ["score", str(SAMPLE), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert "--overwrite" in result.output


def test_report_team_and_agent(scored):
    out, _ = scored
    team = runner.invoke(app, ["report", str(out), "--lang", "en"])
    assert team.exit_code == 0 and "Team overview" in team.output
    card = runner.invoke(app, ["report", str(out), "--agent", "A1011"])
    assert card.exit_code == 0, card.output
    assert "A1011" in card.output and "证据" in card.output


def test_no_terminal_output_carries_a_phone_number(scored):
    import pandas as pd

    out, _ = scored
    agents = sorted(pd.read_parquet(out / "conversations").agent_id.unique())
    assert len(agents) >= 10
    for agent in agents:
        card = runner.invoke(app, ["report", str(out), "--agent", agent])
        assert card.exit_code == 0
        assert not PHONE.search(card.output), agent


def test_report_unknown_agent_and_not_a_dataset(scored, tmp_path):
    out, _ = scored
    result = runner.invoke(app, ["report", str(out), "--agent", "NOBODY"])
    assert result.exit_code == 2 and "A1011" in result.output
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "manifest.json" in result.output


def test_rejected_records_exit_3_and_strict_exit_1(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = '{"conversation_id": "y", "turns": [{"speaker": "agent", "text": "您好"}]}'
    bad.write_text('{"conversation_id": "x", "turns": []}\n{oops\n' + good + "\n", "utf-8")
    result = runner.invoke(app, ["score", str(bad), "--out", str(tmp_path / "o1")])
    assert result.exit_code == 3
    assert "bad.jsonl:2" in result.output
    result = runner.invoke(
        app, ["score", str(bad), "--out", str(tmp_path / "o2"), "--strict", "-q"]
    )
    assert result.exit_code == 1


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["score", str(tmp_path / "missing.jsonl")]).exit_code == 2
    assert runner.invoke(app, ["score", str(SAMPLE), "--lang", "fr"]).exit_code == 2
    assert runner.invoke(app, ["score", str(SAMPLE), "--map", "nonsense"]).exit_code == 2
    result = runner.invoke(app, ["score", str(SAMPLE), "--rules", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2


def test_mapping_on_the_command_line(tmp_path):
    export = tmp_path / "export.tsv"
    export.write_text("s1\tu\t0\t在吗\ns1\tu\t1\t您好，请问有什么可以帮您\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "score",
            str(export),
            "--out",
            str(tmp_path / "o"),
            "-q",
            "--map",
            "conversation_id=0",
            "--map",
            "speaker=2",
            "--map",
            "text=3",
            "--speaker",
            "0=customer",
            "--speaker",
            "1=agent",
        ],
    )
    assert result.exit_code == 0, result.output


def test_rules_lint_and_test_clean_on_the_builtin_pack():
    assert runner.invoke(app, ["rules", "lint", "general"]).exit_code == 0
    result = runner.invoke(app, ["rules", "test", "general"])
    assert result.exit_code == 0 and " 0 failed" in result.output
    listing = runner.invoke(app, ["rules", "list"])
    assert listing.exit_code == 0 and "opening.greeting" in listing.output


def test_rules_test_names_a_broken_example(tmp_path):
    pack = tmp_path / "general.yaml"
    shutil.copy(ROOT / "rules" / "general.yaml", pack)
    text = pack.read_text(encoding="utf-8")
    # the greeting's first violating example now greets: it must be reported as failing
    pack.write_text(
        text.replace("          > 客服: 在\n", "          > 客服: 您好\n", 1), encoding="utf-8"
    )
    result = runner.invoke(app, ["rules", "test", str(pack)])
    assert result.exit_code == 1
    assert "general::opening.greeting::violates[0]" in result.output


def test_rules_lint_reports_problems_with_lines(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text(
        'pack: p\nversion: "1"\ntitle: t\nrules:\n'
        "  - id: a\n    title: x\n    check: nope\n    deduct: 1\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "lint", str(pack)])
    assert result.exit_code == 1
    assert f"{pack}:7: rule a: unknown check type 'nope'" in result.output


def test_rules_list_check_types_documents_every_check():
    from cs_qa.checks import all_checks

    result = runner.invoke(app, ["rules", "list", "--check-types"])
    assert result.exit_code == 0
    for name in all_checks():
        assert name in result.output
    assert "limit_seconds" in result.output and "@lexicon" in result.output
    # the conditions every rule may carry, with their windows
    for word in ("when:", "unless:", "same_sentence", "from_end", "any: [...]", "count"):
        assert word in result.output, word


def test_rules_test_todo_examples_and_junit(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text(
        """\
pack: p
version: "1"
title: t
rules:
  - id: refusal
    title: 拒绝
    check: forbidden_phrase
    phrases: [不能]
    deduct: 5
    examples:
      - violates: "客服: 不能退"
      - passes: "客服: 可以退"
      - todo_violates: "客服: 退不了"
      - passes: "客服: 不能退"
""",
        encoding="utf-8",
    )
    xml = tmp_path / "out" / "junit.xml"
    result = runner.invoke(app, ["rules", "test", str(pack), "--junit-xml", str(xml)])
    assert result.exit_code == 1
    assert "p::refusal::passes[1]" in result.output and "expected no violation" in result.output
    assert "TODO p::refusal::todo_violates[0]" in result.output and "known gap" in result.output
    assert "2 passed, 1 failed, 1 skipped" in result.output

    import xml.etree.ElementTree as ET

    suite = ET.parse(xml).getroot().find("testsuite")
    assert (
        suite.get("tests") == "4" and suite.get("failures") == "1" and suite.get("skipped") == "1"
    )
    failure = suite.find("testcase[@name='passes[1]']/failure")
    assert failure is not None and "不能退" in failure.text


def test_rules_test_exits_1_when_a_pack_has_problems(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: p\nversion: 1\n", encoding="utf-8")
    assert runner.invoke(app, ["rules", "test", str(pack)]).exit_code == 1


def test_rules_diff_lists_conversations_and_agents_of_a_reweighted_rule(tmp_path):
    head = tmp_path / "head.yaml"
    text = (ROOT / "rules" / "general.yaml").read_text(encoding="utf-8")
    start = text.index("id: language.refusal")
    at = text.index("deduct: 5", start)
    head.write_text(text[:at] + "deduct: 8" + text[at + len("deduct: 5") :], encoding="utf-8")
    args = ["rules", "diff", "--base", "general", "--head", str(head), str(SAMPLE)]
    result = runner.invoke(app, [*args, "--format", "markdown", "--limit", "500"])
    assert result.exit_code == 0, result.output
    assert "language.refusal -5→-8" in result.output
    assert "| A1011 |" in result.output  # the new agent refuses most: an affected agent
    import pandas as pd

    from cs_qa.engine.run import score_inputs
    from cs_qa.packs.loader import load_pack

    out = tmp_path / "out"
    score_inputs([SAMPLE], load_pack(None), out)
    findings = pd.read_parquet(out / "findings")
    fatal = set(findings.loc[findings.fatal, "conversation_id"])  # stay at 0 either way
    refusals = findings.loc[findings.rule_id == "language.refusal", "conversation_id"]
    # two refusals deduct the cap (10) at either weight: only a single one changes
    fired = set(refusals[~refusals.duplicated(keep=False)]) - fatal
    listed = {
        line.split(" | ")[0].strip("| ") for line in result.output.splitlines() if "-5→-8" in line
    }
    assert listed == fired
    gated = runner.invoke(app, [*args, "--fail-if-pass-rate-drops", "0.5", "--lang", "en"])
    assert gated.exit_code == 1 and "pass rate dropped" in gated.output
    assert runner.invoke(app, [*args, "--format", "html"]).exit_code == 2


def test_readme_composition_example_loads(tmp_path):
    from cs_qa.packs.loader import load_pack

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Composing packs") :]
    block = section[section.index("```yaml\n") + 8 : section.index("```\n", 10)]
    path = tmp_path / "my-shop.yaml"  # extends: ecommerce resolves to the built-in pack
    path.write_text(block, encoding="utf-8")
    pack = load_pack(path)
    assert pack.name == "my-shop" and pack.pass_mark == 85
    assert pack.rule("language.refusal").deduct == 8
    assert "commitment.unauthorized" not in {r.id for r in pack.rules}
