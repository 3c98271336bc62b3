"""Helpers for check tests: one-rule packs and the status of a rule on a transcript."""

from __future__ import annotations

import textwrap

from cs_qa.packs.evaluate import score
from cs_qa.packs.loader import parse_pack
from cs_qa.packs.model import RulePack
from cs_qa.packs.notation import parse_example


def one_rule(body: str, scoring: str = "{base: 100, pass_mark: 80}") -> RulePack:
    """A pack with the rule(s) in `body` (examples are required, so give trivial ones)."""
    text = f"""\
pack: t
version: "1"
title: 测试
scoring: {scoring}
rules:
{textwrap.indent(textwrap.dedent(body).strip(), "  ")}
"""
    return parse_pack(text, "t.yaml")


def status(pack: RulePack, transcript: str, rule_id: str | None = None) -> tuple[str, list]:
    """The first rule's status on a transcript in the example notation, and its findings."""
    if rule_id is not None:
        pack = pack.only(rule_id)
    result = score(parse_example(textwrap.dedent(transcript)), pack)
    return result.rule_results[0].status, result.findings
