"""short_reply: a bare one-word answer (嗯, 哦, 在) instead of a real reply."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from cs_qa.checks import CheckParams, PhraseList, RuleView, explain, register
from cs_qa.core.model import Hit
from cs_qa.core.normalize import bare

if TYPE_CHECKING:
    from cs_qa.core.matching import PhraseSet, PreparedConversation


class Params(CheckParams):
    replies: PhraseList


# The explanations of its findings (explain), in every report language.
LABELS = {
    "bare_reply": {
        "zh": "只回了「{said}」",
        "en": "bare reply 「{said}」",
    },
}


@register("short_reply", Params, labels=LABELS)
def short_reply(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """Every turn of the rule's speaker whose whole text is one of `replies` (嗯, 哦, 在,
    好, ok …) is a finding: a one-word answer that says nothing (惜字如金). Text and
    phrases are compared normalised, without spaces, punctuation or emoticon marks, and
    with a repeated character or short word counted once, so 嗯嗯～, 「嗯。」 and 嗯 are the
    same reply (and 好的好的 is 好的), while a longer reply that contains 嗯 is not one.
    Matched is the bare reply, the span the whole turn. On calls, a 嗯 said while the
    other party is still talking is listening (a backchannel), not a reply, and does not
    count. Never `na`: a conversation without such a turn passes.
    """
    replies = _bare_replies(rule.phrases("replies"))
    hits: list[Hit] = []
    for i in conv.turn_indexes(rule.speaker):
        said = bare(conv.texts[i], collapse=True)
        if said in replies and not _backchannel(conv, i):
            why = explain("bare_reply", said=said)
            hits.append(Hit(i, said, span=(0, len(conv.texts[i])), **why))
    return hits


@lru_cache(maxsize=32)
def _bare_replies(replies: PhraseSet) -> frozenset[str]:
    # Once per rule, not once per conversation.
    return frozenset(b for b in (bare(p, collapse=True) for p in replies.phrases) if b)


def _backchannel(conv: PreparedConversation, index: int) -> bool:
    """Whether turn `index` starts while an earlier turn of another speaker is running."""
    turn = conv.turns[index]
    if turn.at_s is None:
        return False
    return any(
        other.speaker not in (turn.speaker, "system")
        and other.end_s is not None
        and other.at_s is not None
        and other.at_s < turn.at_s < other.end_s
        for other in conv.turns[:index]
    )
