"""silence: no dead air on a call, except an announced hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from cs_qa.checks import CheckParams, PhraseList, RuleView, explain, register, seconds
from cs_qa.core.model import Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    limit_seconds: float = Field(default=10, gt=0)
    hold_phrases: PhraseList = []
    exceptions: PhraseList = []


# The explanations of its findings (explain), in every report language.
LABELS = {
    "silence": {
        "zh": "冷场 {gap:g} 秒（上限 {limit:g} 秒）",
        "en": "{gap:g} s of silence (limit {limit:g} s)",
    },
}


@register("silence", Params, labels=LABELS)
def silence(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """Dead air longer than `limit_seconds` between turns (the next turn's start minus
    the end of the speech before it: the latest `end`, or `start` where a turn has no
    end) is a finding at the turn that breaks the silence, matched like 14s; exactly the
    limit passes. Every speaker counts, system turns too; a segment still running under
    a shorter one is not silence. A gap right after a turn of the rule's speaker that
    says one of `hold_phrases` (请您稍等; `exceptions` cancel a phrase they cover) is an
    announced hold, left to the `hold` check. `na` without timestamps. A measurement:
    findings have no span.
    """
    params = rule.params
    if not conv.timed:
        return None
    announced = rule.phrases("hold_phrases")
    hits: list[Hit] = []
    last: int | None = None  # the turn whose end is the latest so far
    for i, turn in enumerate(conv.turns):
        if last is not None:
            gap = round((turn.at_s or 0.0) - ended(conv, last), 3)
            if gap > params.limit_seconds and not (
                conv.turns[last].speaker == rule.speaker and conv.find(last, announced)
            ):
                hits.append(
                    Hit(i, seconds(gap), **explain("silence", gap=gap, limit=params.limit_seconds))
                )
        if last is None or ended(conv, i) >= ended(conv, last):
            last = i
    return hits


def ended(conv: PreparedConversation, i: int) -> float:
    turn = conv.turns[i]
    return turn.ends_s or 0.0
