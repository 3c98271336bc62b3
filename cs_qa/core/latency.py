"""Response time (DESIGN.md, "Response time").

From the first customer message of an unanswered block to the next agent message, start
to start. System turns neither open nor close a block. A customer block after the
agent's last message is ignored (a closing 谢谢 needs no reply).
"""

from __future__ import annotations

from typing import NamedTuple

from cs_qa.core.model import Conversation


class Response(NamedTuple):
    customer_index: int  # first customer turn of the block
    agent_index: int  # the agent turn that answered it
    seconds: float


def responses(conversation: Conversation) -> list[Response] | None:
    """Every answered customer block in order; None when the conversation is untimed."""
    if not conversation.timed:
        return None
    out: list[Response] = []
    open_at: int | None = None
    for i, turn in enumerate(conversation.turns):
        if turn.speaker == "customer":
            if open_at is None:
                open_at = i
        elif turn.speaker == "agent" and open_at is not None:
            asked = conversation.turns[open_at].at_s or 0.0
            out.append(Response(open_at, i, max(0.0, (turn.at_s or 0.0) - asked)))
            open_at = None
    return out


def never_answered(conversation: Conversation) -> int | None:
    """The first customer turn when the agent never spoke at all, else None."""
    if any(t.speaker == "agent" for t in conversation.turns):
        return None
    return next((i for i, t in enumerate(conversation.turns) if t.speaker == "customer"), None)
