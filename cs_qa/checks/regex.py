"""regex: a pattern on a speaker's normalised text, for what phrase lists cannot say."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex
from pydantic import Field, field_validator

from cs_qa.checks import CheckParams, PhraseList, register
from cs_qa.model import Hit

if TYPE_CHECKING:
    from cs_qa.matching import PreparedConversation
    from cs_qa.pack import Rule

MAX_PATTERN = 500
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
                raise ValueError(f"pattern longer than {MAX_PATTERN} characters")
            try:
                compiled(p)
            except regex.error as exc:
                raise ValueError(f"pattern {p!r} does not compile: {exc}") from exc
        return patterns


@register("regex", Params)
def regex_check(conv: PreparedConversation, rule: Rule) -> list[Hit] | None:
    """Every turn of the rule's speaker whose normalised text matches one of `patterns`
    (the `regex` package's syntax; text is Simplified, half-width, lower-case) is a
    finding, unless one of `exceptions` covers the match. A search that runs longer than
    half a second makes the rule `na` for that conversation instead of hanging the run.
    """
    params: Params = rule.params  # type: ignore[assignment]
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
                hits.append(Hit(i, found[0].group(0)))
                break
    return hits
