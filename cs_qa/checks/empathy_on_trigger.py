"""empathy_on_trigger: a complaint must be answered with empathy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from cs_qa.checks import CheckParams, PhraseList, RuleView, Scope, explain, next_turns, register
from cs_qa.core.model import Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    triggers: PhraseList
    phrases: PhraseList
    trigger_speaker: Literal["customer", "agent", "system"] = "customer"
    agent_turns: int = Field(default=1, ge=1)
    once: bool = False
    exceptions: PhraseList = []
    skip: list[Scope] = []


# The explanations of its findings (explain), in every report language.
LABELS = {
    "complaint_unanswered": {
        "zh": "投诉无人回应",
        "en": "complaint left unanswered",
    },
    "no_empathy": {
        "zh": "「{trigger}」之后没有安抚",
        "en": "no empathy after 「{trigger}」",
    },
}


@register("empathy_on_trigger", Params, labels=LABELS)
def empathy_on_trigger(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """When a `trigger_speaker` turn contains one of `triggers` (投诉, 差评, 太慢了 …), one
    of the next `agent_turns` turns of the rule's speaker must contain one of `phrases`
    (empathy such as 理解您的心情, 抱歉让您). Several trigger turns before one reply are
    one occasion. A miss points at the first reply that should have shown empathy, or at
    the trigger turn when nobody answered it. With `once: true` only the first occasion
    is judged: once the customer's first complaint has been met (or not), the complaints
    that follow are the same grievance going on. `na` when nothing triggered the rule.
    The span is the trigger as written when the finding is at the trigger turn, none at a
    reply (what is missing there has no place).
    """
    params = rule.params
    triggers = rule.phrases("triggers")
    empathy = rule.phrases("phrases")
    if not conv.mentions(triggers):
        return None
    occasions = 0
    hits: list[Hit] = []
    covered_until = -1  # replies already judged for an earlier trigger
    for i, turn in enumerate(conv.turns):
        if turn.speaker != params.trigger_speaker or i <= covered_until:
            continue
        found = conv.find(i, triggers)
        if not found:
            continue
        occasions += 1
        window = next_turns(conv, rule.speaker, i, params.agent_turns)
        trigger = found[0].phrase
        if not window:
            where = (found[0].start, found[0].end)
            hits.append(Hit(i, trigger, span=where, **explain("complaint_unanswered")))
            break
        covered_until = window[0]
        if conv.first_match(window, empathy) is None:
            hits.append(Hit(window[0], trigger, **explain("no_empathy", trigger=trigger)))
        if params.once:
            break
    return hits if occasions else None
