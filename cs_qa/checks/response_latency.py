"""response_latency: the agent answers the customer within a time limit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from cs_qa.checks import CheckParams, RuleView, explain, register
from cs_qa.core.latency import never_answered
from cs_qa.core.model import Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    limit_seconds: float = Field(gt=0)
    applies_to: Literal["first", "later", "all"] = "all"


# The explanations of its findings (explain), in every report language.
LABELS = {
    "never_answered": {
        "zh": "客服始终未回复",
        "en": "the agent never answered",
    },
    "waited": {
        "zh": "客户等待 {seconds:.0f} 秒（上限 {limit:g} 秒）",
        "en": "customer waited {seconds:.0f} s (limit {limit:g} s)",
    },
}


@register("response_latency", Params, labels=LABELS)
def response_latency(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """Response time from the first message of an unanswered customer block to the next
    agent message (start to start) must not exceed `limit_seconds`; exactly the limit
    passes. `applies_to`: `first` (the first response), `later` (every later reply) or
    `all`. A conversation where the agent never spoke breaks the first response.
    System turns neither open nor close a block; a customer block after the agent's last
    message needs no reply. `na` without timestamps. A measurement: findings have no span.
    """
    params = rule.params
    measured = conv.responses()
    if measured is None:
        return None
    hits: list[Hit] = []
    if params.applies_to in ("first", "all") and not conv.turn_indexes("agent"):
        silent = never_answered(conv.conversation)
        if silent is not None:
            return [Hit(silent, "no reply", **explain("never_answered"))]
    if params.applies_to == "first":
        measured = measured[:1]
    elif params.applies_to == "later":
        measured = measured[1:]
    for r in measured:
        if r.seconds > params.limit_seconds:
            hits.append(
                Hit(
                    r.agent_index,
                    f"{r.seconds:.0f}s",
                    **explain("waited", seconds=r.seconds, limit=params.limit_seconds),
                )
            )
    return hits
