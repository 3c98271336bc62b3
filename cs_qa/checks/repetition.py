"""repetition: the same canned text sent again and again in one conversation."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from pydantic import Field

from cs_qa.checks import CheckParams, RuleView, explain, register
from cs_qa.core.model import Hit
from cs_qa.core.normalize import bare

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation

SHOWN = 30  # characters of the repeated text kept as the finding's matched value


class Params(CheckParams):
    min_count: int = Field(default=3, ge=2)
    min_chars: int = Field(default=4, ge=1)


# The explanations of its findings (explain), in every report language.
LABELS = {
    "repetition": {
        "zh": "本会话中发送了 {count} 次",
        "en": "sent {count} times in this conversation",
    },
}


@register("repetition", Params, labels=LABELS)
def repetition(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """The same text sent `min_count` times or more (default 3) by the rule's speaker in
    one conversation is a finding (a canned reply pasted over and over instead of an
    answer). Texts are compared normalised and without spaces or punctuation; texts
    shorter than `min_chars` characters (default 4, so 好的, 稍等 and 在的 never count) are
    ignored. One finding per repeated text, at its `min_count`-th occurrence; matched is
    the text (first 30 characters), the span the whole turn. A greeting said twice is not
    a repetition at the default count. Never `na`.
    """
    params = rule.params
    indexes = conv.turn_indexes(rule.speaker)
    keys = {i: bare(conv.texts[i]) for i in indexes}
    if len(set(keys.values())) == len(keys):
        return []  # nothing said twice: the common case, decided without counting
    totals = Counter(keys.values())
    seen: Counter[str] = Counter()
    hits: list[Hit] = []
    for i in indexes:
        key = keys[i]
        if len(key) < params.min_chars:
            continue
        seen[key] += 1
        if seen[key] == params.min_count:
            why = explain("repetition", count=totals[key])
            hits.append(Hit(i, key[:SHOWN], span=(0, len(conv.texts[i])), **why))
    return hits
