"""flag: a phrase that marks the conversation for review (complaint risk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cs_qa.checks import RuleView, register
from cs_qa.checks.forbidden_phrase import Params as PhraseParams
from cs_qa.checks.forbidden_phrase import forbidden_phrase

if TYPE_CHECKING:
    from cs_qa.core.matching import PreparedConversation
    from cs_qa.core.model import Hit


class Params(PhraseParams):
    """The parameters of forbidden_phrase: `phrases`, `exceptions`, `boundary`."""


@register("flag", Params, flag_only=True)
def flag(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """Every turn of the rule's speaker (usually `speaker: customer`) that says one of
    `phrases` (投诉, 12315, 差评, 曝光 …) marks the conversation for review, with no
    deduction; the rule must say `flag: true`. Phrases match as in forbidden_phrase:
    `exceptions` cancel a hit they cover (投诉 inside 不投诉), `boundary: word` accepts
    only whole words; the span is the first phrase said, as written. Never `na`.
    """
    return forbidden_phrase(conv, rule)
