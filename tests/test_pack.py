"""Loading a rule pack reports every problem at once, each as file:line: message."""

from __future__ import annotations

import textwrap

import pytest

from cs_qa.packs.loader import load_pack, parse_pack
from cs_qa.packs.problems import PackError

GOOD_RULE = """\
  - id: opening.greeting
    title: 开场问候
    check: required_phrase
    phrases: [您好]
    deduct: 5
    examples:
      - violates: "客服: 在"
      - passes: "客服: 您好"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PackError) as info:
        parse_pack(textwrap.dedent(text), "p.yaml")
    return [str(p) for p in info.value.problems]


def test_three_mistakes_are_all_reported_with_their_lines():
    found = problems(
        """\
        pack: p
        version: "1"
        title: 测试
        lexicons:
          polite: [您好]
        rules:
          - id: a.unknown_key
            title: 未知参数
            check: required_phrase
            phrases: [您好]
            phrasez: [你好]
            deduct: 5
            examples:
              - violates: "客服: 在"
              - passes: "客服: 您好"
          - id: b.unknown_check
            title: 未知检查
            check: no_such_check
            deduct: 5
          - id: c.unknown_lexicon
            title: 未知词表
            check: forbidden_phrase
            phrases: ["@rude"]
            deduct: 5
            examples:
              - violates: "客服: 滚"
              - passes: "客服: 您好"
        """
    )
    assert any(p.startswith("p.yaml:11:") and "unknown key 'phrasez'" in p for p in found), found
    assert any(
        p.startswith("p.yaml:18:") and "unknown check type 'no_such_check'" in p for p in found
    )
    assert any(p.startswith("p.yaml:23:") and "unknown lexicon 'rude'" in p for p in found), found
    assert len(found) == 3


def test_problems_carry_a_reason_code_and_the_rule_they_are_about():
    text = (
        'pack: p\nversion: "1"\ntitle: t\nlexicons:\n  empty: []\nrules:\n'
        + GOOD_RULE.replace("phrases: [您好]", "phrases: [您好]\n    phrasez: [你好]")
        + GOOD_RULE.replace("opening.greeting", "b.check").replace("required_phrase", "nope")
        + GOOD_RULE.replace("opening.greeting", "c.lexicon").replace("[您好]", '["@rude"]')
        + GOOD_RULE.replace("opening.greeting", "d.weight").replace(
            "deduct: 5", "flag: true\n    deduct: 5"
        )
        + GOOD_RULE.replace("opening.greeting", "e.example").replace("客服: 在", "店小二: 在")
        + GOOD_RULE.replace("opening.greeting", "f.twice") * 2
    )
    with pytest.raises(PackError) as info:
        parse_pack(text, "p.yaml")
    found = {(p.code, p.rule_id) for p in info.value.problems}
    assert found == {
        ("empty_list", None),
        ("unknown_key", "opening.greeting"),
        ("unknown_check", "b.check"),
        ("unknown_lexicon", "c.lexicon"),
        ("bad_weight", "d.weight"),
        ("bad_example", "e.example"),
        ("missing_examples", "e.example"),
        ("duplicate_rule", None),
    }, found
    # the text names the rule first, as it always did
    [unknown] = [p for p in info.value.problems if p.code == "unknown_check"]
    assert str(unknown).startswith("p.yaml:") and ": rule b.check: unknown check type 'nope'" in (
        str(unknown)
    )


def test_yaml_syntax_error_names_the_line():
    found = problems('pack: p\nversion: "1"\ntitle: t\nrules:\n  - id: [unclosed\n')
    assert len(found) == 1 and found[0].startswith("p.yaml:") and "YAML" in found[0]


def test_duplicate_ids_and_missing_examples():
    found = problems(
        'pack: p\nversion: "1"\ntitle: t\nrules:\n'
        + GOOD_RULE
        + GOOD_RULE.replace('    examples:\n      - violates: "客服: 在"\n', "    examples:\n")
    )
    assert any("duplicate rule id 'opening.greeting' (first at p.yaml:5)" in p for p in found), (
        found
    )
    assert any("needs at least one violates and one passes example" in p for p in found), found


def test_weight_must_be_exactly_one_of_deduct_fatal_flag():
    found = problems(
        'pack: p\nversion: "1"\ntitle: t\nrules:\n'
        + GOOD_RULE.replace("deduct: 5", "deduct: 5\n    fatal: true")
    )
    assert any("exactly one of deduct" in p for p in found)


def test_bad_parameter_type_and_empty_phrase_list():
    found = problems(
        'pack: p\nversion: "1"\ntitle: t\nrules:\n'
        + GOOD_RULE.replace("phrases: [您好]", "phrases: []")
        + GOOD_RULE.replace("opening.greeting", "x.y").replace(
            "phrases: [您好]", "phrases: [您好]\n    within: {agent_turns: zero}"
        )
    )
    assert any("p.yaml:8:" in p and "empty phrase list" in p for p in found), found
    assert any("within.agent_turns" in p for p in found), found


def test_phrase_that_normalises_to_nothing():
    found = problems(
        'pack: p\nversion: "1"\ntitle: t\nrules:\n' + GOOD_RULE.replace("[您好]", '[您好, "  "]')
    )
    assert any("normalises to nothing" in p for p in found), found


def test_bad_example_notation_points_into_the_example():
    text = 'pack: p\nversion: "1"\ntitle: t\nrules:\n' + GOOD_RULE.replace(
        '- passes: "客服: 您好"', "- passes: |\n          客服: 您好\n          店小二: 在的"
    )
    found = problems(text)
    assert any("unknown speaker '店小二'" in p and p.startswith("p.yaml:14:") for p in found), found


def test_a_marker_in_a_passes_example_is_a_problem_at_its_line():
    text = 'pack: p\nversion: "1"\ntitle: t\nrules:\n' + GOOD_RULE.replace(
        '- passes: "客服: 您好"',
        "- passes: |\n          客户: 在吗\n          > 客服: 您好\n"
        '      - todo_passes: "> 客服: 您好呀"\n'
        "      - violates: |\n          客户: 在吗\n          > 客服: 在",
    )
    with pytest.raises(PackError) as info:
        parse_pack(text, "p.yaml")
    found = [(p.code, p.rule_id, p.line) for p in info.value.problems]
    # the block's marker on its own line; the one-line example on its key's line
    assert found == [
        ("marker_in_passes", "opening.greeting", 14),
        ("marker_in_passes", "opening.greeting", 15),
    ], found
    assert "markers belong in violates examples" in str(info.value.problems[0])
    # markers in violates examples are no problem
    parse_pack(text.replace("> 客服: 您好", "客服: 您好"), "p.yaml")


def test_two_packs_have_their_own_matchers_and_tokenizers():
    a = load_pack(None)
    b = load_pack(None)
    assert a.matcher is not b.matcher
    assert a.matcher.tokenizer is not b.matcher.tokenizer


def test_missing_pack_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a built-in pack"):
        load_pack(tmp_path / "nope.yaml")


# ---------------------------------------------------------------- composition

CHILD = """\
pack: shop
version: "1"
title: 店铺
extends: general
scoring: {pass_mark: 85}
lexicons:
  greeting: [欢迎光临]
override:
  language.refusal:
    deduct: 8
  closing.farewell:
    title: 店铺结束语
    phrases: [感谢您对本店的支持]
    examples:
      - violates: "客服: 再见"
      - passes: "客服: 感谢您对本店的支持"
disable: [closing.more_help]
rules:
  - id: shop.nickname
    title: 亲切称呼
    check: required_phrase
    within: {agent_turns: 3}
    phrases: [亲]
    deduct: 1
    examples:
      - violates: "客服: 您好"
      - passes: "客服: 亲，您好"
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_pack_extends_overrides_and_disables(tmp_path):
    pack = load_pack(write(tmp_path, "shop.yaml", CHILD))
    ids = [r.id for r in pack.rules]
    assert "closing.more_help" not in ids
    assert ids[-1] == "shop.nickname" and ids[0] == "opening.greeting"
    assert pack.pass_mark == 85 and pack.base == 100  # scoring merges with the parent's
    assert pack.path == str(tmp_path / "shop.yaml") and pack.name == "shop"
    assert pack.rule("language.refusal").deduct == 8
    assert pack.rule("language.refusal").examples[0].file == "rules/general.yaml"
    farewell = pack.rule("closing.farewell")
    assert farewell.title == "店铺结束语" and farewell.lists["phrases"] == ["感谢您对本店的支持"]
    assert [e.file for e in farewell.examples] == [str(tmp_path / "shop.yaml")] * 2
    # the inherited greeting rule uses the child's redefined lexicon
    assert pack.rule("opening.greeting").lists["phrases"] == ["欢迎光临"]


def test_inherited_examples_rerun_against_the_overridden_rule(tmp_path):
    from cs_qa.packs.examples import run_examples

    pack = load_pack(write(tmp_path, "shop.yaml", CHILD))
    failing = [o for o in run_examples(pack) if not o.ok]
    # general's greeting examples pass with 您好, which the shop's lexicon no longer accepts
    assert failing and {o.rule.id for o in failing} == {"opening.greeting"}
    assert all(o.example.file == "rules/general.yaml" for o in failing)


def test_composition_mistakes_are_reported_in_the_child(tmp_path):
    text = CHILD.replace("  language.refusal:\n", "  language.refusl:\n").replace(
        "disable: [closing.more_help]", "disable: [closing.more]"
    )
    found = problems_of(write(tmp_path, "shop.yaml", text))
    assert any(":9: override: no inherited rule 'language.refusl'" in p for p in found), found
    assert any(":17: disable: no inherited rule 'closing.more'" in p for p in found), found


def test_extends_cycle_and_missing_parent(tmp_path):
    write(tmp_path, "a.yaml", 'pack: a\nversion: "1"\ntitle: a\nextends: b.yaml\n')
    write(tmp_path, "b.yaml", 'pack: b\nversion: "1"\ntitle: b\nextends: a.yaml\n')
    assert any("cycle" in p for p in problems_of(tmp_path / "a.yaml"))
    write(tmp_path, "c.yaml", 'pack: c\nversion: "1"\ntitle: c\nextends: nowhere.yaml\n')
    assert any("extends:" in p and "nowhere.yaml" in p for p in problems_of(tmp_path / "c.yaml"))


def test_a_new_rule_may_not_reuse_an_inherited_id(tmp_path):
    text = CHILD.replace("id: shop.nickname", "id: opening.greeting")
    found = problems_of(write(tmp_path, "shop.yaml", text))
    assert any("duplicate rule id 'opening.greeting'" in p and "override" in p for p in found)


def problems_of(path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    return [str(p) for p in info.value.problems]
