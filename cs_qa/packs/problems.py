"""Problems found while loading a pack: every one is collected before any is reported,
each as `file:line: message`, and a `PackError` carries them all.

A problem carries a reason code beside its text, and the id of the rule it is about, so
that problems can be grouped, counted and filtered without matching their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ProblemCode = Literal[
    # the file as YAML (cs_qa.packs.safe_yaml)
    "too_large",  # a file, a list, a lexicon or the whole pack over a size limit
    "too_deep",  # nested more than the YAML depth limit
    "yaml",  # not valid YAML
    "yaml_tag",  # a YAML tag that is not plain data
    "not_mapping",  # the pack or a rule is not a mapping
    # keys and values (cs_qa.packs.schema, the checks' parameter models)
    "unknown_key",
    "missing_key",
    "bad_value",  # a value of a pack or rule key
    "bad_params",  # a value of a check's parameters
    "bad_weight",  # not exactly one of deduct, fatal, flag; cap without deduct; flag-only
    "unknown_check",
    "unknown_condition",  # `of:` names no condition of the rule
    # the pack as a whole (cs_qa.packs.loader)
    "no_rules",
    "duplicate_rule",
    "bad_extends",  # the pack extended cannot be found, or extends this one again
    "needs_extends",  # disable: or override: without extends:
    "unknown_rule",  # disable: or override: names no inherited rule
    "bad_override",
    "bad_targets",
    # phrase lists and lexicons (cs_qa.packs.phrases)
    "unknown_lexicon",
    "empty_list",
    "empty_phrase",  # a phrase that normalises to nothing
    "long_phrase",
    "bad_pattern",  # a `re:` item the regex check's safety rules refuse
    # examples (cs_qa.packs.rule_loader)
    "bad_example",
    "missing_examples",
    "marker_in_passes",  # a `passes` example pins a turn (`>`) the rule must flag
]


@dataclass(frozen=True, slots=True)
class PackProblem:
    """One problem at a line of a file: its reason `code`, its `message`, and the id of
    the rule it is about (None for the pack as a whole), which the text names first."""

    file: str
    line: int
    code: ProblemCode
    message: str
    rule_id: str | None = None

    @property
    def text(self) -> str:
        """The problem as the user reads it, after `file:line: `."""
        return self.message if self.rule_id is None else f"rule {self.rule_id}: {self.message}"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


class PackError(Exception):
    """Every problem found while loading a pack."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Problems:
    """The problems of one pack being loaded, reported against `file`: the file being
    read at the moment (a pack it extends, or the file a rule or its examples came
    from), which the loader moves as it goes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[PackProblem] = []

    def add(self, line: int, code: ProblemCode, message: str, rule: str | None = None) -> None:
        """Report `message` at `line` of the current file, about rule `rule` if given."""
        self.found.append(PackProblem(self.file, line, code, message, rule))

    def about(self, rule_id: str) -> bool:
        """Whether a problem has been reported for rule `rule_id` (so it is not built)."""
        return any(p.rule_id == rule_id for p in self.found)

    def sorted(self) -> list[PackProblem]:
        """The problems found, each once, by line."""
        return sorted(set(self.found), key=lambda p: (p.line, p.text))
