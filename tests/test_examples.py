"""Every example of every built-in pack, as its own test id:
`pytest -k opening.greeting` runs one rule, e.g. general::opening.greeting::violates[0]."""

from __future__ import annotations

import warnings

import pytest

from cs_qa.packs.examples import run_example
from cs_qa.packs.loader import builtin_packs, load_pack

CASES = [
    pytest.param(pack, rule, example, id=f"{pack.name}::{rule.id}::{example.name}")
    for name in sorted(builtin_packs())
    for pack in [load_pack(name)]
    for rule in pack.rules
    for example in rule.examples
]


@pytest.mark.parametrize(("pack", "rule", "example"), CASES)
def test_example(pack, rule, example):
    outcome = run_example(pack, rule, example)
    if example.todo:
        if outcome.ok:
            # a fixed gap is news, not a failure: say so, and let the owner promote it
            warnings.warn(f"{outcome.test_id} now behaves: make it a real example", stacklevel=1)
            return
        pytest.xfail(f"known gap: {example.text!r}")
    expected = "violation" if example.expects_violation else "no violation"
    assert outcome.ok, (
        f"{rule.id} {example.name}: expected {expected}, got {outcome.status} "
        f"{[(f.matched, f.detail) for f in outcome.findings]}\n{example.text}"
    )


def test_default_pack_has_the_rule_ids_reports_refer_to():
    ids = {r.id for r in load_pack(None).rules}
    assert {
        "opening.greeting",
        "closing.farewell",
        "closing.more_help",
        "language.refusal",
        "language.forbidden",
        "language.abusive",
        "latency.first_response",
        "latency.reply",
        "empathy.complaint",
    } <= ids


def test_every_rule_has_both_kinds_of_example():
    for name in builtin_packs():
        for rule in load_pack(name).rules:
            kinds = {e.kind for e in rule.examples}
            assert {"violates", "passes"} <= kinds, rule.id
