"""Building one rule of a pack from its YAML mapping: the keys every rule has
(cs_qa.packs.schema), the parameters of its check (the check's own model, after its
phrase lists' `@lexicon` references are expanded), its conditions and its examples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from cs_qa import checks
from cs_qa.checks import PHRASE_STEPS, PHRASES
from cs_qa.core.matching import PhraseSet
from cs_qa.core.windows import CONDITION_KEYS
from cs_qa.packs.model import EXAMPLE_KINDS, Example, Rule
from cs_qa.packs.notation import NotationError, read_example
from cs_qa.packs.phrases import expand
from cs_qa.packs.problems import Problems
from cs_qa.packs.safe_yaml import line_of, plain
from cs_qa.packs.schema import RULE_KEYS, RuleHead, report_errors


@dataclass(slots=True)
class RuleSource:
    """One rule as written (possibly merged with a child pack's override), and where:
    the file and line of the rule, and the file its examples come from."""

    node: Any
    file: str
    line: int
    examples_file: str


def build_rule(src: RuleSource, lexicons: dict[str, list[str]], problems: Problems) -> Rule | None:
    """The rule `src` describes, with its parameters validated by its check's model,
    its phrase lists expanded and compiled, and its examples parsed; None when it has a
    problem (every problem is reported to `problems`)."""
    node, line = src.node, src.line
    data = plain(node)
    rid = str(data.get("id", f"#{line}"))
    head_data = {k: v for k, v in data.items() if k in RULE_KEYS}
    params_data = {k: v for k, v in data.items() if k not in RULE_KEYS}
    try:
        head = RuleHead.model_validate(head_data)
    except ValidationError as exc:
        report_errors(problems, exc, node, line, rule=rid)
        return None
    check = checks.get(head.check)
    if check is None:
        known = ", ".join(checks.all_checks())
        problems.add(
            line_of(node, "check", line),
            "unknown_check",
            f"unknown check type {head.check!r} ({known})",
            rid,
        )
        return None
    ok = True
    weights = [head.deduct is not None, head.fatal, head.flag]
    if sum(weights) != 1:
        problems.add(
            line, "bad_weight", "give exactly one of deduct: N, fatal: true, flag: true", rid
        )
        ok = False
    if head.cap is not None and head.deduct is None:
        problems.add(line_of(node, "cap", line), "bad_weight", "cap goes with deduct", rid)
        ok = False
    if check.flag_only and not head.flag:
        problems.add(
            line, "bad_weight", f"check {check.name} marks for review: give flag: true", rid
        )
        ok = False
    # Expand lexicon references in phrase lists before validating parameters.
    phrase_fields = [name for name, f in check.params.model_fields.items() if PHRASES in f.metadata]
    step_fields = [
        name for name, f in check.params.model_fields.items() if PHRASE_STEPS in f.metadata
    ]
    lists: dict[str, list[str]] = {}
    for name in phrase_fields:
        expanded = expand(problems, params_data.get(name), rid, name, node, line, lexicons)
        if expanded is None:
            continue
        if not expanded and name != "exceptions" and not problems.about(rid):
            problems.add(line_of(node, name, line), "empty_list", f"{name}: empty phrase list", rid)
        params_data[name] = lists[name] = expanded
    for name in step_fields:
        value = params_data.get(name)
        if not isinstance(value, list):
            continue  # the params model reports the type
        steps = []
        for i, step in enumerate(value):
            if not isinstance(step, list):
                problems.add(
                    line_of(node, name, line),
                    "bad_params",
                    f"{name}.{i}: a step is a list of phrases, e.g. [文明用语]",
                    rid,
                )
                continue
            expanded = expand(problems, step, rid, f"{name}.{i}", node, line, lexicons)
            if not expanded and not problems.about(rid):
                problems.add(
                    line_of(node, name, line), "empty_list", f"{name}.{i}: empty phrase list", rid
                )
            expanded = expanded or []
            steps.append(expanded)
            lists[f"{name}.{i}"] = expanded
        params_data[name] = steps
    try:
        params = check.params.model_validate(params_data)
    except ValidationError as exc:
        report_errors(problems, exc, node, line, check, rid)
        return None
    if not ok:
        return None
    if problems.about(rid):
        return None
    for name in phrase_fields:
        lists.setdefault(name, list(getattr(params, name) or []))
    exceptions = lists.get("exceptions", [])
    word = getattr(params, "boundary", "char") == "word"
    skip = getattr(params, "skip", ())
    sets = {
        name: PhraseSet.of(phrases, exceptions, word, skip)
        for name, phrases in lists.items()
        if name != "exceptions"
    }
    if exceptions:
        # on their own too, for checks that match by other means (regex)
        sets["exceptions"] = PhraseSet.of(exceptions, (), word)
    for key in CONDITION_KEYS:
        cond = getattr(head, key)
        leaves = list(cond.leaves(key)) if cond is not None else []
        names = {leaf.name for _, leaf in leaves if leaf.name}
        for path, leaf in leaves:
            if leaf.window is not None and leaf.window.of and leaf.window.of not in names:
                known = f" (names: {', '.join(sorted(names))})" if names else ""
                problems.add(
                    line_of(node, key, line),
                    "unknown_condition",
                    f"{path}: of: {leaf.window.of!r} names no condition{known}",
                    rid,
                )
        for path, leaf in leaves:
            expanded = expand(problems, leaf.phrases, rid, f"{path}.phrases", node, line, lexicons)
            if not expanded:
                if not problems.about(rid):
                    problems.add(
                        line_of(node, key, line), "empty_list", f"{path}: empty phrase list", rid
                    )
                continue
            lists[path] = expanded
            sets[path] = PhraseSet.of(expanded, (), False, leaf.skip)
    if problems.about(rid):
        return None
    rule = Rule(
        id=head.id,
        title=head.title,
        check=check,
        params=params,
        category=head.category,
        title_en=head.title_en,
        description=head.description,
        speaker=head.speaker,
        channel=head.channel,
        deduct=head.deduct or 0.0,
        cap=head.cap,
        fatal=head.fatal,
        flag=head.flag,
        renamed_from=head.renamed_from,
        file=src.file,
        line=line,
        lists=lists,
        sets=sets,
        when=head.when,
        unless=head.unless,
    )
    problems.file = src.examples_file
    rule.examples = read_examples(node, rule, problems)
    problems.file = src.file
    return rule


def read_examples(node: Any, rule: Rule, problems: Problems) -> list[Example]:
    """The `examples:` of a rule, each parsed from the example notation
    (cs_qa.packs.notation); a rule needs at least one `violates` and one `passes`, and
    only violates examples may mark (`>`) the turns the rule must flag."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    seq = node.get("examples") or []
    out: list[Example] = []
    counts = dict.fromkeys(EXAMPLE_KINDS, 0)
    for i, item in enumerate(seq):
        line = line_of(seq, i, rule.line)
        if len(item) != 1:
            problems.add(
                line,
                "bad_example",
                f"an example has one key: {', '.join(EXAMPLE_KINDS)}",
                rule.id,
            )
            continue
        kind, text = next(iter(item.items()))
        if kind not in EXAMPLE_KINDS:
            problems.add(
                line,
                "bad_example",
                f"unknown example kind {kind!r} ({', '.join(EXAMPLE_KINDS)})",
                rule.id,
            )
            continue
        # A literal block (|) starts on the line after its key, one turn a line;
        # any other scalar is reported on its key's line.
        block = isinstance(text, LiteralScalarString)
        try:
            read = read_example(str(text), f"{rule.id}::{kind}[{counts[kind]}]")
        except NotationError as exc:
            at = line + 1 + exc.offset if block else line
            problems.add(at, "bad_example", f"example {kind}: {exc}", rule.id)
            continue
        if read.marked and kind in ("passes", "todo_passes"):
            at = line + 1 + read.marker_offsets[0] if block else line
            problems.add(
                at,
                "marker_in_passes",
                f"example {kind}: a turn is marked with '>' (a turn the rule must flag); "
                "markers belong in violates examples",
                rule.id,
            )
        out.append(Example(kind, str(text), problems.file, line, counts[kind], read.conversation))
        counts[kind] += 1
    if not counts["violates"] or not counts["passes"]:
        problems.add(
            rule.line,
            "missing_examples",
            "needs at least one violates and one passes example",
            rule.id,
        )
    return out
