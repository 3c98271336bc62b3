"""interruption: the agent must not talk over the customer."""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from typing import TYPE_CHECKING

from pydantic import Field

from cs_qa.checks import CheckParams, RuleView, explain, register, seconds
from cs_qa.core.model import Hit
from cs_qa.core.normalize import spoken_chars

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    min_overlap_seconds: float = Field(default=2, gt=0)
    min_chars: int = Field(default=4, ge=1)


# The explanations of its findings (explain), in every report language.
LABELS = {
    "interruption": {
        "zh": "与对方同时说话 {overlap:g} 秒",
        "en": "spoke over the {other} for {overlap:g} s",
    },
}


@register("interruption", Params, labels=LABELS)
def interruption(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """A turn of the rule's speaker that starts while a turn of the other party (the
    customer, for an agent rule) that started earlier is still running, and overlaps it
    by at least `min_overlap_seconds`, is a finding (one per interrupting turn, matched
    like 2.5s). Overlap = the earlier of both ends minus the interrupting start; touching
    segments (one ends as the other starts) do not overlap. Backchannels do not count: the
    interrupting turn needs at least `min_chars` characters besides spaces and
    punctuation (嗯嗯, 好的 are fine). `na` unless those turns have start and end times.
    A measurement: findings have no span.
    """
    params = rule.params
    other = "customer" if rule.speaker == "agent" else "agent"
    mine, theirs = conv.turn_indexes(rule.speaker), conv.turn_indexes(other)
    turns = conv.turns
    if any(turns[i].at_s is None or turns[i].end_s is None for i in mine + theirs):
        return None
    hits: list[Hit] = []
    # The other party's turns by start, with the latest end among the first k of them:
    # the turn running longest past a start gives the largest overlap (n log n, so a
    # call of thousands of segments is not compared pair by pair).
    spans = sorted((turns[c].at_s or 0.0, turns[c].end_s or 0.0) for c in theirs)
    starts = [s for s, _ in spans]
    reach = list(accumulate((e for _, e in spans), max))
    for a in mine:
        start, end = turns[a].at_s or 0.0, turns[a].end_s or 0.0
        if spoken_chars(conv.texts[a]) < params.min_chars:
            continue
        earlier = bisect_left(starts, start)  # their turns that started before this one
        latest = reach[earlier - 1] if earlier else 0.0
        overlap = round(min(end, latest) - start, 3) if latest > start else 0.0
        if overlap >= params.min_overlap_seconds:
            why = explain("interruption", other=other, overlap=overlap)
            hits.append(Hit(a, seconds(overlap), **why))
    return hits
