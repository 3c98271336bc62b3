"""required_phrase: one of the phrases must be said within a window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cs_qa.checks import CheckParams, PhraseList, RuleView, Scope, Window, explain, register
from cs_qa.core.model import Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    phrases: PhraseList
    within: Window = Window(agent_turns=1)
    exceptions: PhraseList = []
    skip: list[Scope] = []


# The explanations of its findings (explain), in every report language.
LABELS = {
    "missing": {
        "zh": "缺少：{phrases}",
        "en": "missing: {phrases}",
    },
}


@register("required_phrase", Params, labels=LABELS)
def required_phrase(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """One of `phrases` must appear in a turn of the rule's speaker inside `within`
    (`agent_turns: N` first N turns, `last_agent_turns: N` last N, `seconds: N` turns
    starting within N s, `all_turns: true` at any point). A miss points at the first turn
    of the window (the speaker's first turn when nothing was said in time), with no span
    (nothing was said to point at). `na` when the speaker never spoke, or the window is
    timed and the conversation is not.
    """
    params = rule.params
    window = params.within.select(conv, rule.speaker)
    spoken = conv.turn_indexes(rule.speaker)
    if window is None or not spoken:
        return None
    if window and conv.first_match(window, rule.phrases("phrases")) is not None:
        return []
    where = window[0] if window else conv.turn_indexes(rule.speaker)[0]
    return [Hit(where, "", **explain("missing", phrases="、".join(rule.lists["phrases"][:5])))]
