"""The score formula (扣分制), written once: used by the evaluation of a pack
(`cs_qa.packs.evaluate`) and by disputes, which re-score a conversation after a reviewer
overrules a finding."""

from __future__ import annotations


def final_score(base: float, deducted: float, fatal: bool) -> float:
    """The deduction-scoring formula (扣分制), the one place it is written: the base minus
    what was deducted, never below 0; 0 when a fatal rule (致命项) fired."""
    return 0.0 if fatal else max(0.0, base - deducted)


def passes(score: float, pass_mark: float) -> bool:
    """Whether a score passes the pack's pass mark (合格线)."""
    return score >= pass_mark
