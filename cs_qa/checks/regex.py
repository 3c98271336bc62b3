"""regex: a pattern on a speaker's normalised text, for what phrase lists cannot say."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import regex
from pydantic import Field, field_validator

from cs_qa.checks import CheckParams, PhraseList, RuleView, register
from cs_qa.core.model import Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation

MAX_PATTERN = 500  # characters in one pattern
# Copies of an item that counted repeats ({n}, {n,m}) make, nested ones multiplied: the
# `regex` package expands them when it compiles, which has no timeout.
MAX_REPEAT = 1_000
TIMEOUT_S = 0.5  # per search; the `regex` package can stop a runaway pattern, `re` cannot


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


class Params(CheckParams):
    patterns: list[str] = Field(min_length=1)
    exceptions: PhraseList = []

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            if len(p) > MAX_PATTERN:
                raise ValueError(
                    f"pattern {p[:30]!r}… is {len(p)} characters, more than {MAX_PATTERN}"
                )
            # before compiling: compiling a huge counted repeat takes all the memory
            risk = pattern_risk(p)
            if risk:
                raise ValueError(f"pattern {p!r} {risk}")
            try:
                compiled(p)
            except regex.error as exc:
                raise ValueError(f"pattern {p!r} does not compile: {exc}") from exc
        return patterns


# ------------------------------------------------------------- catastrophic backtracking

_QUANT = re.compile(r"(?:[*+?]|\{(\d*)(,?)(\d*)\})([?+]?)")
# What may follow "(?" to open a group (its content follows) or make a whole item.
_GROUP_OPEN = re.compile(r"\?(?:P?<[^\W\d]\w*>|<[=!]|[:=!>|]|[a-zA-Z-]+:)")
# An escape: \p{Han}, \N{name} and \x{41} are one item, as is \d or \(.
_ESCAPE = re.compile(r"\\(?:[pPN]\{[^}]*\}|x\{[0-9a-fA-F]*\}|.)", re.DOTALL)
_ITEM = re.compile(r"\?(?:[a-zA-Z-]*|P=\w+|P>\w+|&\w+|R|[-+]?\d+)\)")


@dataclass(slots=True)
class _Group:
    start: int
    quantified: bool = False  # contains a quantifier that can match varying lengths
    copies: int = 1  # the most copies counted repeats inside make of one item
    overlapping: bool = False  # contains alternatives that can match the same text
    alternatives: list[str | None] = field(default_factory=list)  # None: not plain text
    current: str | None = ""

    def close(self) -> None:
        alts = [*self.alternatives, self.current]
        if len(alts) > 1:
            plain = [a for a in alts if a is not None]
            prefix = any(
                i != j and b.startswith(a) for i, a in enumerate(plain) for j, b in enumerate(plain)
            )
            if len(plain) < len(alts) or prefix:
                self.overlapping = True


def _quantifier(pattern: str, at: int) -> tuple[int, bool, bool, int] | None:
    """The quantifier at `at`: (its end, whether it repeats (can match more than once),
    whether the length it matches varies (not possessive), how many copies of its item
    the regex compiler makes), or None."""
    m = _QUANT.match(pattern, at)
    if not m:
        return None
    text = m.group(0)
    if text[0] == "{":
        low, comma, high = m.group(1), m.group(2), m.group(3)
        if not low and not high:
            return None  # "{}" or "{,}" is literal text
        lo = int(low or 0)
        hi = int(high) if high else (None if comma else lo)
    else:
        lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[text[0]]
    repeats = hi is None or hi > 1
    varies = (hi is None or hi != lo) and m.group(4) != "+"
    return m.end(), repeats, varies, max(1, lo if hi is None else hi)


def pattern_risk(pattern: str) -> str | None:
    """Why `pattern` can take exponential time on some text or too much memory to
    compile, or None.

    Counted repeats may make at most `MAX_REPEAT` copies of an item, nested ones
    multiplied (`(?:a{100}){100}` makes 10,000). And, conservative and simple: a group
    repeated by a quantifier (`+`, `*`, `{n,m}`, `{n}` with n > 1) must not contain a
    quantifier that matches varying lengths (`(a+)+`, `(.*a){10}`, `(?:x+y?)+`), nor
    alternatives that are not plain text or of which one is the start of another
    (`(a|aa)+`, `(\\d|[0-9])+`), since the regex engine then tries every way of splitting
    the text between the repetitions. Possessive quantifiers (`a++`) do not count. The
    pattern is not compiled (it may not compile)."""
    stack = [_Group(-1)]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        group = stack[-1]
        closed: _Group | None = None
        start = i
        if c == "\\":
            group.current = None
            escape = _ESCAPE.match(pattern, i)
            i = escape.end() if escape else i + 2
        elif c == "[":
            group.current = None
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
        elif c == "(":
            group.current = None
            if pattern.startswith("(?#", i):
                end = pattern.find(")", i)
                i = n if end < 0 else end + 1
                continue  # a comment: not an item
            item = _ITEM.match(pattern, i + 1)
            if item:
                i = item.end()  # (?i), (?P=name), (?R): an item without content
            else:
                opened = _GROUP_OPEN.match(pattern, i + 1)
                stack.append(_Group(i))
                i = opened.end() if opened else i + 1
                continue
        elif c == ")" and len(stack) > 1:
            closed = stack.pop()
            closed.close()
            i += 1
            group = stack[-1]
        elif c == "|":
            group.alternatives.append(group.current)
            group.current = ""
            i += 1
            continue
        else:
            if c in ".^$" or group.current is None:
                group.current = None
            else:
                group.current += c
            i += 1
        q = _quantifier(pattern, i)
        copies = closed.copies if closed is not None else 1
        if closed is not None:
            start = closed.start
            if q and q[1] and (closed.quantified or closed.overlapping):
                snippet = pattern[closed.start : q[0]]
                if closed.quantified:
                    why = "repeats a group that contains a quantifier"
                else:
                    why = "repeats a group whose alternatives can match the same text"
                return (
                    f"{why} ({snippet}), which can take exponential time on some texts; "
                    "rewrite it without the nesting (e.g. a+ rather than (a+)+, "
                    "(?:a|b)+ rather than (a|ab)+)"
                )
            group.quantified |= closed.quantified
            group.overlapping |= closed.overlapping
        if q:
            group.current = None
            group.quantified |= q[2]
            i = q[0]
            copies *= q[3]
            if copies > MAX_REPEAT:
                return (
                    f"repeats {pattern[start:i]} {copies:,} times in all, more than "
                    f"{MAX_REPEAT:,} (compiling it would take too much memory); "
                    "use + or * or a smaller count"
                )
        group.copies = max(group.copies, copies)
    return None


@register("regex", Params)
def regex_check(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """Every turn of the rule's speaker whose normalised text matches one of `patterns`
    (the `regex` package's syntax; text is Simplified, half-width, lower-case) is a
    finding, unless one of `exceptions` covers the match. A search that runs longer than
    half a second makes the rule `na` for that conversation instead of hanging the run.
    Matched is the first match of the first pattern that matches; the span is where it
    was written.
    """
    params = rule.params
    exceptions = rule.sets.get("exceptions")
    hits: list[Hit] = []
    for i in conv.turn_indexes(rule.speaker):
        text = conv.texts[i]
        covers = conv.spans(i, exceptions) if exceptions else []
        for pattern in params.patterns:
            try:
                found = [
                    m
                    for m in compiled(pattern).finditer(text, timeout=TIMEOUT_S)
                    if m.end() > m.start()
                    and not any(a <= m.start() and m.end() <= b for a, b in covers)
                ]
            except TimeoutError:
                return None
            if found:
                hits.append(Hit(i, found[0].group(0), span=found[0].span()))
                break
    return hits
