"""Calibration: how often cs-qa agrees with human reviewers, rule by rule.

The labels (`cs_qa.reports.calibration_labels`) say per (conversation, rule) whether a
reviewer judged the rule violated, and per conversation the reviewer's overall score.
The tool's verdict for a (conversation, rule) is its `rule_results` status: `violation`
or `flag` is 1, `pass` is 0. `na` (cs-qa found the rule could not apply) is left out of
the confusion table when the reviewer found no violation either (latency without times),
but counted as a miss in a column of its own when the reviewer marked the rule violated:
cs-qa failed to see what made the rule apply (a complaint it did not recognise), and
leaving such rows out would make recall look better than it is. Labels for conversations
or rules the dataset does not have are counted apart. Per rule: the cells, precision,
recall, F1 and Cohen's kappa; overall, the same pooled over every rule, and the Spearman correlation
of cs-qa's scores with the reviewers' scores. Pure: DataFrames in, a `Calibration` out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from cs_qa.reports.calibration_labels import Labels


@dataclass(frozen=True)
class Agreement:
    """The confusion table of one rule (or of all rules pooled) and what follows from it."""

    rule_id: str
    tp: int  # both say violated
    fp: int  # cs-qa says violated, the reviewer does not
    fn: int  # the reviewer says violated, cs-qa does not
    tn: int  # both say not violated
    na: int = 0  # cs-qa says the rule cannot apply and the reviewer agrees (left out)
    missed_na: int = 0  # the reviewer says violated, cs-qa says the rule cannot apply

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.missed_na + self.tn

    @property
    def missed(self) -> int:
        """Every violation cs-qa did not report: judged fine, or judged not to apply."""
        return self.fn + self.missed_na

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.missed)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if math.isnan(p) or math.isnan(r):
            return math.nan
        return _ratio(2 * p * r, p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return _ratio(self.tp + self.tn, self.n)

    @property
    def kappa(self) -> float:
        """Cohen's kappa: agreement beyond chance; NaN when chance agreement is total
        (both raters gave one answer only)."""
        n = self.n
        if not n:
            return math.nan
        observed = (self.tp + self.tn) / n
        fn = self.missed
        expected = ((self.tp + self.fp) * (self.tp + fn) + (fn + self.tn) * (self.fp + self.tn)) / (
            n * n
        )
        return _ratio(observed - expected, 1 - expected) if expected != 1 else math.nan


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


@dataclass(frozen=True)
class Disagreement:
    conversation_id: str
    rule_id: str
    human: int
    tool: int | None  # None: cs-qa said the rule does not apply (na)
    evidence: str  # the finding's matched text and turn (tool says violated), else ""
    note: str  # the reviewer's note
    reviewer: str


@dataclass
class Calibration:
    rules: list[Agreement]
    overall: Agreement
    disagreements: list[Disagreement]
    spearman: float = math.nan  # cs-qa score vs human score
    scored_pairs: int = 0  # conversations with both scores
    unknown_conversations: list[str] = field(default_factory=list)
    unknown_rules: list[str] = field(default_factory=list)
    # rule -> cell (tp, fp, fn, missed_na, tn) -> the conversations in it
    members: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def calibrate(
    labels: Labels,
    conversations: pd.DataFrame,
    rule_results: pd.DataFrame,
    findings: pd.DataFrame,
) -> Calibration:
    """Compare `labels` with a dataset's tables (`conversations`, `rule_results`,
    `findings` as `cs_qa.dataset.reader.load_dataset` reads them)."""
    status = {
        (c, r): s
        for c, r, s in zip(
            rule_results["conversation_id"],
            rule_results["rule_id"],
            rule_results["status"],
            strict=True,
        )
    }
    known_conversations = set(conversations["conversation_id"])
    known_rules = set(rule_results["rule_id"])
    evidence = _evidence(findings)
    cells: dict[str, dict[str, int]] = {}
    members: dict[str, dict[str, list[str]]] = {}
    disagreements: list[Disagreement] = []
    unknown_conversations: set[str] = set()
    unknown_rules: set[str] = set()
    for row in labels.rule_labels():
        if row.conversation_id not in known_conversations:
            unknown_conversations.add(row.conversation_id)
            continue
        if row.rule_id not in known_rules:
            unknown_rules.add(row.rule_id)
            continue
        counts = cells.setdefault(
            row.rule_id, {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "na": 0, "missed_na": 0}
        )
        verdict = status.get((row.conversation_id, row.rule_id), "na")
        tool: int | None
        if verdict in ("na", "error"):  # not applied, or the rule raised: said nothing
            tool = None
            cell = "missed_na" if row.violated else "na"
        else:
            tool = 1 if verdict in ("violation", "flag") else 0
            cell = {(1, 1): "tp", (0, 1): "fp", (1, 0): "fn", (0, 0): "tn"}[(row.violated, tool)]
        counts[cell] += 1
        members.setdefault(row.rule_id, {}).setdefault(cell, []).append(row.conversation_id)
        if tool != row.violated and (tool is not None or row.violated):
            disagreements.append(
                Disagreement(
                    row.conversation_id,
                    row.rule_id,
                    row.violated,
                    tool,
                    evidence.get((row.conversation_id, row.rule_id), ""),
                    row.note,
                    row.reviewer,
                )
            )
    per_rule = [Agreement(rule, **counts) for rule, counts in sorted(cells.items())]
    pooled = Agreement(
        "(all)",
        *(
            sum(getattr(a, k) for a in per_rule)
            for k in ("tp", "fp", "fn", "tn", "na", "missed_na")
        ),
    )
    human = labels.scores.groupby("conversation_id")["score"].mean()
    tool_scores = conversations.set_index("conversation_id")["score"]
    both = pd.concat([tool_scores.rename("tool"), human.rename("human")], axis=1, join="inner")
    unknown_conversations |= set(human.index) - known_conversations
    return Calibration(
        rules=per_rule,
        overall=pooled,
        disagreements=sorted(disagreements, key=lambda d: (d.rule_id, d.conversation_id)),
        spearman=spearman(both["tool"], both["human"]) if len(both) >= 3 else math.nan,
        scored_pairs=len(both),
        unknown_conversations=sorted(unknown_conversations),
        unknown_rules=sorted(unknown_rules),
        members=members,
    )


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman's rank correlation (ties get their average rank); NaN when either side
    is constant."""
    ra, rb = a.rank(method="average"), b.rank(method="average")
    if ra.nunique() < 2 or rb.nunique() < 2:
        return math.nan
    return float(ra.corr(rb))


def _evidence(findings: pd.DataFrame) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    columns = (findings[c] for c in ("conversation_id", "rule_id", "matched", "evidence"))
    for conversation_id, rule_id, matched, evidence in zip(*columns, strict=True):
        key = (conversation_id, rule_id)
        text = f"「{matched}」 {evidence}".strip() if matched else str(evidence)
        found[key] = f"{found[key]} | {text}" if key in found else text
    return found
