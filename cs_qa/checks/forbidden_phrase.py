"""forbidden_phrase: none of the phrases may be said."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from cs_qa.checks import CheckParams, PhraseList, RuleView, Scope, register
from cs_qa.core.model import Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation


class Params(CheckParams):
    phrases: PhraseList
    exceptions: PhraseList = []
    boundary: Literal["char", "word"] = "char"
    skip: list[Scope] = []


@register("forbidden_phrase", Params)
def forbidden_phrase(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """Every turn of the rule's speaker that says one of `phrases` is a finding.

    A hit covered by one of `exceptions` does not count (不会 inside 不会褪色).
    `boundary: word` accepts a hit only where the pack's jieba segmentation has a word
    boundary on both sides, so 滚 alone is caught but 滚筒 is not, 死 but not 死机 and
    not the intensifier in 爱死/累死了. `skip` lists the scopes in which a hit does not
    count: `negated` (不/没/未/无/别 just before it: 不能保证), `conditional` (inside
    如果/若/如 … or before 的话: 如不能正常使用), `question` (its clause asks: 主机也不行吗).
    A phrase list may hold regular expressions as `re:` items (on normalised text).
    Matched lists the phrases said, in order; the finding's span is the first of them as
    written.
    """
    phrases = rule.phrases("phrases")
    hits: list[Hit] = []
    if not conv.mentions(phrases):
        return hits
    for i in conv.turn_indexes(rule.speaker):
        found = conv.find(i, phrases)
        if found:
            seen = list(dict.fromkeys(m.phrase for m in found))
            hits.append(Hit(i, "、".join(seen), span=(found[0].start, found[0].end)))
    return hits
