"""The schema of a pack file: the keys of the pack, of its scoring and of every rule
(the rest of a rule's keys are its check's parameters, cs_qa.checks), and how a
schema error becomes a problem at the line of the key it is about."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cs_qa.checks import CheckType
from cs_qa.core.windows import Condition
from cs_qa.packs.problems import ProblemCode, Problems
from cs_qa.packs.safe_yaml import line_of


class Scoring(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base: float = Field(default=100, gt=0)
    pass_mark: float = Field(default=80, ge=0)


class PackHead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pack: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    version: str
    title: str
    title_en: str | None = None
    description: str | None = None
    scoring: Scoring = Scoring()
    extends: str | None = None
    targets: dict[str, Any] | None = None
    override: dict[str, dict[str, Any]] = {}
    disable: list[str] = []
    lexicons: dict[str, list[str]] = {}
    rules: list[Any] = []


class RuleHead(BaseModel):
    """Keys every rule may have; the rest belong to its check type."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
    title: str = Field(min_length=1)
    title_en: str | None = None
    description: str | None = None
    category: str = "其他"
    check: str
    speaker: Literal["agent", "customer", "system"] = "agent"
    channel: Literal["chat", "call", "any"] = "any"
    deduct: float | None = Field(default=None, gt=0)
    cap: float | None = Field(default=None, gt=0)
    fatal: bool = False
    flag: bool = False
    renamed_from: str | None = None
    examples: list[dict[str, str]] = []
    when: Condition | None = None
    unless: Condition | None = None


RULE_KEYS = frozenset(RuleHead.model_fields)


def report_errors(
    problems: Problems,
    exc: ValidationError,
    node: Any,
    default: int = 1,
    check: CheckType | None = None,
    rule: str | None = None,
) -> None:
    """Report each error of a schema (`check` None) or of `check`'s parameter model at
    the line of the key it is about (`node` is the mapping as written), about `rule`."""
    code: ProblemCode
    for err in exc.errors():
        loc = [p for p in err["loc"]]
        line = _locate(node, loc, default)
        where = ".".join(str(p) for p in loc)
        if err["type"] == "extra_forbidden":
            allowed = sorted(RULE_KEYS | set(check.params.model_fields)) if check else None
            code = "unknown_key"
            msg = f"unknown key {where!r}"
            if check is not None:
                msg += f" for check {check.name} (allowed: {', '.join(allowed or [])})"
        elif err["type"] == "missing":
            code = "missing_key"
            msg = f"missing key {where!r}"
        else:
            code = "bad_params" if check is not None else "bad_value"
            text = err["msg"].removeprefix("Value error, ")
            msg = f"{where}: {text}" if where else text
        problems.add(line, code, msg, rule)


def _locate(node: Any, loc: Iterable[Any], default: int) -> int:
    line = default
    for part in loc:
        if hasattr(node, "items") and part in node:
            line = line_of(node, part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            line = line_of(node, part, line)
            node = node[part]
        else:
            break
    return line
