"""sequence: after a trigger, a script of steps must be said in order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from cs_qa.checks import (
    CheckParams,
    PhraseList,
    PhraseSteps,
    RuleView,
    explain,
    next_turns,
    register,
)
from cs_qa.core.model import Explanation, Hit

if TYPE_CHECKING:
    from cs_qa.core.matching import PhraseSet, PreparedConversation


class Params(CheckParams):
    trigger: PhraseList
    steps: PhraseSteps = Field(min_length=1)
    trigger_speaker: Literal["customer", "agent", "system"] = "customer"
    agent_turns: int = Field(default=6, ge=1)
    exceptions: PhraseList = []


def _step_at(
    conv: PreparedConversation, window: list[int], step: PhraseSet, turn: int, offset: int
) -> tuple[int, int] | None:
    """Where a step is first said at or after (`turn` of `window`, character `offset`):
    the window position of the turn and the offset just after the phrase."""
    for pos in range(turn, len(window)):
        start = offset if pos == turn else 0
        found = [m for m in conv.find(window[pos], step) if m.start >= start]
        if found:
            return pos, found[0].end
    return None


def _walk(
    conv: PreparedConversation, window: list[int], steps: list[PhraseSet]
) -> tuple[int | None, int]:
    """The first step not said in order within `window` (None when all were), and the
    turn where the last step found was said."""
    turn = offset = 0
    for k, step in enumerate(steps):
        at = _step_at(conv, window, step, turn, offset)
        if at is None:
            return k, window[turn]
        turn, offset = at
    return None, window[turn]


def _describe(
    conv: PreparedConversation,
    window: list[int],
    steps: list[PhraseSet],
    k: int,
    rule: RuleView[Params],
) -> Explanation:
    phrases = rule.lists[f"steps.{k}"]
    label = f"{phrases[0]}{'…' if len(phrases) > 1 else ''}"
    if k and _step_at(conv, window, steps[k], 0, 0) is not None:
        return explain("step_out_of_order", step=k + 1, label=label, before=k)
    return explain("step_missing", step=k + 1, label=label)


# The explanations of its findings (explain), in every report language.
LABELS = {
    "no_reply_after": {
        "zh": "「{phrase}」之后没有回应",
        "en": "no reply after 「{phrase}」",
    },
    "step_missing": {
        "zh": "缺少第 {step} 步（{label}）",
        "en": "missing step {step} ({label})",
    },
    "step_out_of_order": {
        "zh": "第 {step} 步（{label}）顺序不对：在第 {before} 步之前说",
        "en": "step {step} ({label}) out of order: said before step {before}",
    },
}


@register("sequence", Params, labels=LABELS)
def sequence(conv: PreparedConversation, rule: RuleView[Params]) -> list[Hit] | None:
    """When a `trigger_speaker` turn (default customer) contains one of `trigger` (an
    insult, for the abusive-customer script), the next `agent_turns` turns (default 6) of
    the rule's speaker must say each of `steps` in order: a step is a phrase list, and each
    step must come after the previous one, in a later turn or later in the same turn
    (文明用语, then 录音…自重, then 再见). A step that is missing or out of order is a finding
    at the speaker's first turn after the trigger (at the trigger turn when nobody
    answered it); matched is the trigger phrase, the detail names the step.

    Trigger turns before and during the script belong to one occasion; a trigger after a
    complete script starts a new one, except that a trigger nobody answers after a complete
    script is not held against the speaker (the script ended the conversation). After an
    incomplete script, a trigger past its window starts a new occasion. `na` when nothing
    triggered the rule. The span is the trigger as written for a finding at the trigger
    turn, none for a missing or misplaced step.
    """
    params = rule.params
    trigger = rule.phrases("trigger")
    if not conv.mentions(trigger):
        return None
    steps = [rule.phrases(f"steps.{k}") for k in range(len(params.steps))]
    occasions = 0
    completed = False  # the last occasion's script was complete
    hits: list[Hit] = []
    covered_until = -1  # turns that belong to the last occasion
    for i, turn in enumerate(conv.turns):
        if turn.speaker != params.trigger_speaker or i <= covered_until:
            continue
        found = conv.find(i, trigger)
        if not found:
            continue
        phrase = found[0].phrase
        window = next_turns(conv, rule.speaker, i, params.agent_turns)
        if not window:
            if not completed:
                occasions += 1
                why = explain("no_reply_after", phrase=phrase)
                hits.append(Hit(i, phrase, span=(found[0].start, found[0].end), **why))
            break
        occasions += 1
        missing, end = _walk(conv, window, steps)
        if missing is None:
            completed = True
            covered_until = end
            continue
        completed = False
        covered_until = window[-1]
        hits.append(Hit(window[0], phrase, **_describe(conv, window, steps, missing, rule)))
    return hits if occasions else None
