"""hold: a hold (请您稍等) must be short, and a long one ends with thanks for waiting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from cs_qa.checks import CheckParams, PhraseList, RuleView, explain, register, seconds
from cs_qa.core.model import Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    phrases: PhraseList
    return_phrases: PhraseList
    limit_seconds: float = Field(default=30, gt=0)
    apology_after_seconds: float = Field(default=10, ge=0)
    exceptions: PhraseList = []


# The explanations of its findings (explain), in every report language.
LABELS = {
    "hold_no_return": {
        "zh": "「{phrase}」之后再没有回来",
        "en": "hold 「{phrase}」 with no return",
    },
    "hold_limit": {
        "zh": "等待 {waited:g} 秒：超过 {limit:g} 秒",
        "en": "hold of {waited:g} s: limit {limit:g} s",
    },
    "hold_no_thanks": {
        "zh": "等待 {waited:g} 秒：回来时没有致谢",
        "en": "hold of {waited:g} s: no thanks for waiting",
    },
    "hold_limit_no_thanks": {
        "zh": "等待 {waited:g} 秒：超过 {limit:g} 秒；回来时没有致谢",
        "en": "hold of {waited:g} s: limit {limit:g} s; no thanks for waiting",
    },
}


@register("hold", Params, labels=LABELS)
def hold(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """A turn of the rule's speaker containing one of `phrases` (请您稍等, 为您查询 …)
    starts a hold at the end of that turn; the speaker's next turn is the return. A return
    more than `limit_seconds` after the hold started is a finding (exactly the limit
    passes), and so is a hold longer than `apology_after_seconds` whose return has none
    of `return_phrases` (久等了, 感谢您的耐心等待 …; shorter holds need no etiquette).
    Either is one finding at the return turn, matched like 45s. A hold in the speaker's
    last turn is a finding at that turn: the speaker never came back. A return that puts
    the customer on hold again starts a new hold. `exceptions` cancel a phrase they cover
    (为您查询到 is an answer, not a hold). `na` when no hold phrase is said or the
    conversation has no timestamps. A hold never returned from has the hold phrase as its
    span; a measured hold has none.
    """
    params = rule.params
    if not conv.timed:
        return None
    holds, thanks = rule.phrases("phrases"), rule.phrases("return_phrases")
    if not conv.mentions(holds):
        return None
    mine = conv.turn_indexes(rule.speaker)
    hits: list[Hit] = []
    held = False
    for i, back in zip(mine, [*mine[1:], None], strict=True):
        found = conv.find(i, holds)
        if not found:
            continue
        held = True
        if back is None:
            why = explain("hold_no_return", phrase=found[0].phrase)
            hits.append(Hit(i, "never came back", span=(found[0].start, found[0].end), **why))
            break
        turn = conv.turns[i]
        began = turn.ends_s or 0.0
        waited = round((conv.turns[back].at_s or 0.0) - began, 3)
        problems = []
        if waited > params.limit_seconds:
            problems.append("limit")
        if waited > params.apology_after_seconds and not conv.find(back, thanks):
            problems.append("no_thanks")
        if problems:
            why = explain("hold_" + "_".join(problems), waited=waited, limit=params.limit_seconds)
            hits.append(Hit(back, seconds(waited), **why))
    return hits if held else None
