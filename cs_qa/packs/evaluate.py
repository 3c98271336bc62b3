"""Evaluating a pack: a conversation and a pack in, a `ConversationResult` out.

Deduction scoring (扣分制): start from the pack's base, deduct per finding up to the
rule's cap, a fatal rule (致命项) sets the score to 0, a flag rule marks the conversation
for review without deducting. A rule whose check raises on a conversation (a bug, or an
input no test imagined) is contained: its result is `error`, with the exception kept in
`rule_errors`, and every other rule is scored as usual. Pure: no files, no clock, no
terminal.
"""

from __future__ import annotations

from cs_qa.core import windows as conditions
from cs_qa.core.matching import PreparedConversation
from cs_qa.core.model import Conversation, ConversationResult, Finding, Hit, RuleError, RuleResult
from cs_qa.core.scoring import final_score, passes
from cs_qa.packs.model import Rule, RulePack


def score(conversation: Conversation, pack: RulePack) -> ConversationResult:
    """Run every rule of `pack` on `conversation` and score it."""
    prepared = PreparedConversation(conversation, pack.matcher)
    results: list[RuleResult] = []
    errors: list[RuleError] = []
    findings: list[Finding] = []
    total = 0.0
    fatal = flagged = False
    channel = conversation.channel
    for rule in pack.rules:
        if rule.channel != "any" and rule.channel != channel:
            results.append(RuleResult(rule.id, "na", 0.0))
            continue
        try:
            hits = _run(rule, prepared)
        except Exception as exc:  # contained: one rule on one conversation, not the batch
            results.append(RuleResult(rule.id, "error", 0.0))
            errors.append(RuleError(rule.id, type(exc).__name__, str(exc)))
            continue
        if not hits:
            results.append(RuleResult(rule.id, "na" if hits is None else "pass", 0.0))
            continue
        deducted = 0.0
        for hit in hits:
            step = rule.deduct
            if rule.cap is not None:
                step = max(0.0, min(step, rule.cap - deducted))
            deducted += step
            findings.append(_finding(prepared, rule, hit, step))
        if rule.flag:
            flagged = True
            results.append(RuleResult(rule.id, "flag", 0.0))
        else:
            fatal = fatal or rule.fatal
            total += deducted
            results.append(RuleResult(rule.id, "violation", deducted))
    final = final_score(pack.base, total, fatal)
    measured = prepared.responses() or []
    return ConversationResult(
        conversation=conversation,
        score=final,
        fatal=fatal,
        passed=passes(final, pack.pass_mark),
        flagged=flagged,
        rule_results=results,
        findings=findings,
        response_times=[r.seconds for r in measured],
        rule_errors=errors,
    )


def _run(rule: Rule, prepared: PreparedConversation) -> list[Hit] | None:
    """The rule's hits on the conversation after its conditions; None when it is `na`."""
    conditional = rule.when is not None or rule.unless is not None
    if conditional and not conditions.gate(rule.when, rule.unless, prepared, rule.sets):
        return None
    hits = rule.check.run(prepared, rule.view)
    if hits and conditional:
        hits = conditions.apply(rule.when, rule.unless, prepared, rule.sets, hits)
    return hits


def _finding(prepared: PreparedConversation, rule: Rule, hit: Hit, deducted: float) -> Finding:
    conversation = prepared.conversation
    turn = conversation.turns[hit.turn_index] if hit.turn_index is not None else None
    # the hit's span is in the normalised text; the finding's in the original (evidence)
    span = None
    if hit.span is not None and hit.turn_index is not None:
        span = prepared.original_span(hit.turn_index, *hit.span)
    agent = (turn.agent_id if turn is not None and turn.speaker == "agent" else None) or (
        conversation.agent_id
    )
    return Finding(
        conversation_id=conversation.conversation_id,
        agent_id=agent,
        rule_id=rule.id,
        title=rule.title,
        category=rule.category,
        kind="flag" if rule.flag else "violation",
        deduct=deducted,
        fatal=rule.fatal,
        turn_index=hit.turn_index,
        speaker=turn.speaker if turn is not None else None,
        at_s=turn.at_s if turn is not None else None,
        matched=hit.matched,
        detail=hit.detail,
        evidence=turn.text if turn is not None else "",
        detail_code=hit.code,
        detail_args=hit.args,
        span_start=span[0] if span else None,
        span_end=span[1] if span else None,
    )
