"""speech_rate: the agent must not speak faster than a listener can follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from cs_qa.checks import CheckParams, RuleView, explain, register
from cs_qa.core.model import Hit
from cs_qa.core.normalize import spoken_chars

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    max_chars_per_minute: float = Field(default=280, gt=0)
    min_chars: int = Field(default=15, ge=1)


# The explanations of its findings (explain), in every report language.
LABELS = {
    "speech_rate": {
        "zh": "{chars} 字用时 {seconds:.1f} 秒（上限 {limit:g}字/分）",
        "en": "{chars} characters in {seconds:.1f} s (limit {limit:g}字/分)",
    },
    "speech_rate_call": {
        "zh": "整通电话 {chars} 字用时 {seconds:.1f} 秒（上限 {limit:g}字/分）",
        "en": "whole call {chars} characters in {seconds:.1f} s (limit {limit:g}字/分)",
    },
}


@register("speech_rate", Params, labels=LABELS)
def speech_rate(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """The rule's speaker must not speak faster than `max_chars_per_minute` characters
    (letters and digits of the normalised text; spaces and punctuation do not count)
    per minute of a turn's duration (`end` - `start`). Each turn with at least
    `min_chars` characters over the limit is a finding, matched like 340字/分; exactly
    the limit passes. Over the whole call (all characters / all time of the speaker's
    timed turns): too fast with no single turn over the limit is one finding at the
    speaker's longest turn. `na` unless the speaker's turns have start and end times.
    A measurement: findings have no span.
    """
    params = rule.params
    limit = params.max_chars_per_minute
    timed = [
        (i, spoken_chars(conv.texts[i]), t.end_s - t.at_s)
        for i in conv.turn_indexes(rule.speaker)
        if (t := conv.turns[i]).at_s is not None and t.end_s is not None and t.end_s > t.at_s
    ]
    if not timed:
        return None
    hits = [
        Hit(i, f"{rate(n, s):.0f}字/分", **explain("speech_rate", chars=n, seconds=s, limit=limit))
        for i, n, s in timed
        if n >= params.min_chars and rate(n, s) > limit
    ]
    chars = sum(n for _, n, _ in timed)
    seconds = sum(s for _, _, s in timed)
    if not hits and rate(chars, seconds) > limit:
        longest = max(timed, key=lambda x: x[2])[0]
        hits.append(
            Hit(
                longest,
                f"{rate(chars, seconds):.0f}字/分",
                **explain("speech_rate_call", chars=chars, seconds=seconds, limit=limit),
            )
        )
    return hits


def rate(chars: int, seconds: float) -> float:
    """Characters per minute, rounded so that float noise never crosses a limit."""
    return round(chars * 60 / seconds, 6)
