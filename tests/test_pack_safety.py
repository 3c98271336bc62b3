"""A rule pack is data from whoever wrote it: loading it runs no code, refuses regex
patterns that can backtrack catastrophically, and bounds its sizes, each problem as
file:line: message."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packs import one_rule, status

from cs_qa.checks.regex import MAX_PATTERN, MAX_REPEAT, Params, pattern_risk
from cs_qa.packs import loader, phrases
from cs_qa.packs.loader import builtin_packs, load_pack, parse_pack
from cs_qa.packs.phrases import MAX_LIST_PHRASES, MAX_PHRASE_CHARS
from cs_qa.packs.problems import PackError
from cs_qa.packs.safe_yaml import MAX_PACK_BYTES

HEAD = 'pack: p\nversion: "1"\ntitle: 测试\n'
RULE = """\
rules:
  - id: greeting
    title: 问候
    check: required_phrase
    phrases: [您好]
    deduct: 5
    examples:
      - violates: "客服: 在"
      - passes: "客服: 您好"
"""


def problems(text: str, name: str = "p.yaml") -> list[str]:
    with pytest.raises(PackError) as info:
        parse_pack(text, name)
    return [str(p) for p in info.value.problems]


def load_problems(path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    return [str(p) for p in info.value.problems]


# ------------------------------------------------------------------ YAML: no Python objects


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ('!!python/object/apply:os.system ["touch {target}"]', "!!python/object/apply:os.system"),
        ('!!python/object/new:os.system ["touch {target}"]', "!!python/object/new:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ('!!python/object/apply:subprocess.call [["touch", "{target}"]]', "!!python/object/apply"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!custom x", "!custom"),
    ],
)
def test_python_and_other_tags_are_refused_and_nothing_runs(tmp_path, value, tag):
    target = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(
        HEAD.replace("title: 测试", "title: " + value.format(target=target)) + RULE,
        encoding="utf-8",
    )
    found = load_problems(path)
    assert not target.exists(), "loading a pack ran code"
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}:3: YAML tag {tag}"), found
    assert "not allowed" in found[0] and "plain data" in found[0]


def test_every_tagged_value_is_reported_and_none_is_built(tmp_path):
    target = tmp_path / "pwned"
    text = HEAD + RULE.replace(
        "phrases: [您好]", f'phrases: [!!python/object/apply:os.system ["touch {target}"]]'
    ).replace('"客服: 在"', "!!python/name:os.system")
    found = problems(text)
    assert not target.exists()
    assert [p.split(": YAML tag")[0] for p in found] == ["p.yaml:8", "p.yaml:11"], found


def test_a_tagged_document_is_refused():
    found = problems("--- !!python/object:os.Foo\n" + HEAD + RULE)
    assert found == [
        "p.yaml:1: YAML tag !!python/object:os.Foo is not allowed: a rule pack is plain data "
        "(mappings, lists, strings, numbers, true/false, null)"
    ]


def test_plain_tags_written_out_are_fine():
    pack = parse_pack(HEAD.replace("title: 测试", "title: !!str 测试") + RULE, "p.yaml")
    assert pack.title == "测试"


def test_an_alias_bomb_is_refused_quickly():
    levels = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
        for i in range(6)  # 10**7 values: over the bound, not beyond memory
    )
    started = time.monotonic()
    found = problems(HEAD + levels + RULE)
    assert time.monotonic() - started < 5
    assert len(found) == 1, found
    assert found[0].startswith("p.yaml:1: the pack has 12,345,"), found
    assert found[0].endswith("values when its aliases (*name) are expanded, more than 1,000,000")


def test_aliases_within_the_bound_are_fine():
    text = HEAD + "lexicons:\n  polite: &polite [您好, 你好]\n" + RULE.replace("[您好]", "*polite")
    assert parse_pack(text, "p.yaml").rules[0].lists["phrases"] == ["您好", "你好"]


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deep_nesting_is_a_problem_not_a_crash(depth):
    started = time.monotonic()
    found = problems(HEAD + RULE + "description: " + "[" * depth + "]" * depth + "\n")
    assert found == ["p.yaml:1: YAML: nested more than 100 levels deep"]
    assert time.monotonic() - started < 5


def test_deep_block_nesting_is_a_problem_not_a_crash():
    nested = "".join(f"{'  ' * i}k{i}:\n" for i in range(150)) + "  " * 150 + "x\n"
    found = problems(
        HEAD + RULE + "targets:\n" + "".join("  " + line for line in nested.splitlines(True))
    )
    assert found == ["p.yaml:1: YAML: nested more than 100 levels deep"]


# ------------------------------------------------------------------ regex patterns


def regex_rule(pattern: str) -> str:
    return f"""\
rules:
  - id: privacy.card
    title: 索要密码
    check: regex
    patterns: ['{pattern}']
    deduct: 10
    examples:
      - violates: "客服: 请告诉我银行卡密码"
      - passes: "客服: 您好"
"""


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+", r"(a*)*", r"(\d+)*", r"(a|aa)+", r"(.*a){10}", r"(?:x+y?)+", r"x((a+)b)+"],
)
def test_nested_quantifiers_are_refused_at_load_naming_rule_and_line(pattern):
    found = problems(HEAD + regex_rule(pattern))
    assert len(found) == 1, found
    assert found[0].startswith("p.yaml:8: rule privacy.card: patterns: pattern "), found
    assert "exponential time" in found[0] and "rewrite it" in found[0]


def test_the_message_quotes_the_repeated_group():
    [found] = problems(HEAD + regex_rule(r"密码(\d+)*$"))
    assert r"repeats a group that contains a quantifier ((\d+)*)" in found
    [found] = problems(HEAD + regex_rule(r"(卡|卡号)+"))
    assert "repeats a group whose alternatives can match the same text ((卡|卡号)+)" in found


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d{4}",
        r"(您好|你好)",
        r"[0-9]{11}",
        r"(请问|麻烦).{0,6}(还有|其他)",
        r"(银行卡|卡)的?密码",
        r"(\d{3}-)?\d{4}",
        r"(?:您好|你好)+",
        r"([0-9]{4})+",
        r"\p{Han}+",
        r"[(]a+[)]+",
        r"(a++)+",
    ],
)
def test_ordinary_patterns_load(pattern):
    assert pattern_risk(pattern) is None
    parse_pack(HEAD + regex_rule(pattern), "p.yaml")


def test_counted_repeats_that_compile_to_too_much_are_refused_before_compiling():
    # (?:a{100}){100} would be 10,000 copies of a; nested deeper, compiling it takes
    # gigabytes (the regex package expands counted repeats, with no timeout)
    [found] = problems(HEAD + regex_rule(r"密码(?:a{100}){100}"))
    assert found.startswith("p.yaml:8: rule privacy.card: patterns: pattern ")
    assert f"repeats (?:a{{100}}){{100}} 10,000 times in all, more than {MAX_REPEAT:,}" in found
    [found] = problems(HEAD + regex_rule(r"\d{1001}"))
    assert f"1,001 times in all, more than {MAX_REPEAT:,}" in found
    parse_pack(HEAD + regex_rule(r"密码.{0,1000}"), "p.yaml")  # at the bound: fine


@settings(max_examples=200, deadline=None)  # randomisation: the profile (conftest.py)
@given(st.text(st.sampled_from("()[]{}|\\?*+.^$:<>=!#,-pPN0123456789a密")))
def test_the_pattern_scanner_never_fails_on_any_text(pattern):
    risk = pattern_risk(pattern)
    assert risk is None or risk.startswith("repeats ")
    try:
        Params(patterns=[pattern])
    except ValueError as exc:  # pydantic's ValidationError, naming the pattern
        assert f"pattern {pattern!r} " in str(exc)
        assert ("does not compile" in str(exc)) == (risk is None), exc


def test_long_and_broken_patterns_are_refused_at_load():
    [found] = problems(HEAD + regex_rule("密码" * (MAX_PATTERN // 2 + 1)))
    assert found.startswith("p.yaml:8: rule privacy.card: patterns: pattern '密码")
    assert f"{MAX_PATTERN + 2} characters, more than {MAX_PATTERN}" in found
    [found] = problems(HEAD + regex_rule("(密码"))
    assert found.startswith("p.yaml:8: rule privacy.card: patterns: pattern '(密码' does not")


def test_built_in_packs_still_load():
    for name in builtin_packs():
        load_pack(name)


def test_a_slow_pattern_that_slips_through_makes_the_rule_na_not_a_hang():
    # Every known slow shape is refused at load, so build the rule around the check.
    pack = one_rule(regex_rule("密码").removeprefix("rules:\n"))
    slow = r"(a|aa)+$"
    assert pattern_risk(slow) is not None
    # replace, not assign: the rule builds the view its check sees from its parameters
    pack.rules[0] = replace(pack.rules[0], params=Params.model_construct(patterns=[slow]))
    started = time.monotonic()
    st, findings = status(pack, "客服: " + "a" * 80 + "b")
    assert time.monotonic() - started < 5, "the regex timeout did not stop the search"
    assert st == "na" and findings == []
    assert status(pack, "客服: aaa")[0] == "violation"  # the same rule still matches


# ------------------------------------------------------------------ sizes


def test_a_phrase_longer_than_the_limit_is_refused_where_written():
    long = "您" * (MAX_PHRASE_CHARS + 1)
    text = (
        HEAD + f"lexicons:\n  polite: [您好, {long}]\n" + RULE.replace("[您好]", f"[您好, {long}]")
    )
    found = problems(text)
    assert len(found) == 2, found
    assert found[0].startswith("p.yaml:5: lexicon 'polite': phrase '您您")
    assert found[1].startswith("p.yaml:10: rule greeting: phrases: phrase '您您")
    assert all(
        f"{MAX_PHRASE_CHARS + 1} characters, more than {MAX_PHRASE_CHARS}" in p for p in found
    )
    # exactly at the limit is fine
    parse_pack(HEAD + RULE.replace("[您好]", f"[{long[:-1]}]"), "p.yaml")


def test_a_phrase_list_longer_than_the_limit_is_refused():
    many = ", ".join(f"词{i}" for i in range(MAX_LIST_PHRASES + 1))
    found = problems(HEAD + RULE.replace("[您好]", f"[{many}]"))
    assert found == [
        f"p.yaml:8: rule greeting: phrases: {MAX_LIST_PHRASES + 1:,} phrases, more than "
        f"{MAX_LIST_PHRASES:,} in one list; put them in a lexicon (lexicons: name: [...]) "
        "and write @name"
    ]


def test_a_script_step_longer_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(phrases, "MAX_LIST_PHRASES", 2)
    body = """\
    - id: abuse.script
      title: 辱骂应对
      check: sequence
      trigger: [滚]
      steps: [[请您文明用语], [抱歉, 不好意思, 对不起]]
      deduct: 5
      examples:
        - violates: "客户: 滚\\n客服: 好的"
        - passes: "客户: 滚\\n客服: 请您文明用语，抱歉"
    """
    with pytest.raises(PackError, match=r"t.yaml:10: rule abuse.script: steps.1: 3 phrases"):
        one_rule(body)


def test_a_lexicon_larger_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(phrases, "MAX_LEXICON_PHRASES", 3)
    found = problems(HEAD + "lexicons:\n  polite: [您好, 你好, 您早, 早上好]\n" + RULE)
    assert found == ["p.yaml:5: lexicon 'polite' has 4 phrases, more than 3; split it"]


def test_a_pack_with_too_many_phrases_in_all_is_refused(monkeypatch):
    monkeypatch.setattr(loader, "MAX_PACK_PHRASES", 4)
    text = (
        HEAD + "lexicons:\n  a: [您好, 你好]\n  b: [再见, 拜拜]\n" + RULE.replace("[您好]", "[早]")
    )
    found = problems(text)
    assert found == [
        "p.yaml:1: the pack has 5 distinct phrases (lexicons and rules together), more than 4"
    ]
    parse_pack(text.replace("[早]", "[您好]"), "p.yaml")  # 4 distinct: fine


def test_a_pack_file_larger_than_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    text = HEAD + RULE
    path.write_text(text + "#" * (MAX_PACK_BYTES + 1 - len(text.encode())) + "\n", "utf-8")
    found = load_problems(path)
    assert found == [
        f"{path}:1: the pack file is {MAX_PACK_BYTES + 2:,} bytes, more than "
        f"{MAX_PACK_BYTES:,}; split it into packs"
    ]
    big_text = text + "#" * MAX_PACK_BYTES
    assert problems(big_text) == [
        f"p.yaml:1: the pack is more than {MAX_PACK_BYTES:,} bytes; split it into packs"
    ]
    child = tmp_path / "child.yaml"
    child.write_text(HEAD + "extends: big.yaml\nrules: []\n", "utf-8")
    assert load_problems(child) == [
        f"{child}:4: extends: {path}: the pack file is {MAX_PACK_BYTES + 2:,} bytes, more than "
        f"{MAX_PACK_BYTES:,}; split it into packs"
    ]


# ------------------------------------------------------------------ example lines


def test_a_broken_one_line_example_is_reported_on_its_own_line():
    text = HEAD + RULE.replace('"客服: 在"', '"客服 在"')
    found = problems(text)
    assert found == [
        "p.yaml:5: rule greeting: needs at least one violates and one passes example",
        "p.yaml:11: rule greeting: example violates: cannot read turn '客服 在': "
        "expected '客服: text'",
    ]


def test_a_broken_block_example_is_reported_on_the_turn():
    text = HEAD + RULE.replace(
        '- passes: "客服: 您好"', "- passes: |\n          客户: 在吗\n          谁: 您好"
    )
    found = problems(text)
    assert found[-1] == (
        "p.yaml:14: rule greeting: example passes: unknown speaker '谁' "
        "(use 客服/坐席, 客户/顾客 or 系统)"
    )


def test_a_block_example_with_mixed_timing_names_the_odd_turn():
    text = HEAD + RULE.replace(
        '- passes: "客服: 您好"',
        "- passes: |\n"
        "          [00:01] 客户: 在吗\n"
        "          客服: 您好\n"
        "          [00:09] 客户: 好",
    )
    found = problems(text)
    assert any(
        p.startswith("p.yaml:14: rule greeting: example passes: give a time on every turn")
        for p in found
    ), found
