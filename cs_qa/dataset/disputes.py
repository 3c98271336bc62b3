"""Disputes (复核/申诉): findings a reviewer overruled, kept in a file of their own.

A disputes file is a CSV with the columns

    conversation_id, rule_id, status, reason, reviewer, recorded_at

one row per decision, appended by `cs-qa dispute`; the last row for a (conversation,
rule) is the one in force, so a dispute can be recorded as `pending` and later decided
`accepted` or `rejected`. A dataset is never changed: reports given the file apply the
accepted disputes in memory (`apply_disputes`): the rule's result in that conversation
counts as a pass, its deduction is given back (the score, pass/fail and fatal flag are
recomputed from the remaining results with the pack's base and pass mark), its findings
leave every count and are listed as overruled, and the agents' figures are recomputed.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cs_qa.core.scoring import final_score, passes
from cs_qa.dataset import aggregate

if TYPE_CHECKING:
    from cs_qa.dataset.reader import Dataset

COLUMNS = ("conversation_id", "rule_id", "status", "reason", "reviewer", "recorded_at")
STATUSES = ("accepted", "rejected", "pending")


class DisputesError(ValueError):
    """A disputes file that cannot be used; the message names the file and line."""


def record_dispute(
    path: Path,
    conversation_id: str,
    rule_id: str,
    *,
    reason: str,
    reviewer: str = "",
    status: str = "accepted",
    at: datetime,
) -> None:
    """Append one decision to the disputes file at `path` (created with its header)."""
    if status not in STATUSES:
        raise DisputesError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if not reason.strip():
        raise DisputesError("a dispute needs a reason")
    if path.exists():
        load_disputes(path)  # never append to a file that is not a disputes file
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(COLUMNS)
        writer.writerow(
            [
                conversation_id,
                rule_id,
                status,
                reason.strip(),
                reviewer,
                at.isoformat("T", "seconds"),
            ]
        )


def load_disputes(path: Path) -> pd.DataFrame:
    """The decisions in force: one row per (conversation_id, rule_id), the last one in
    the file. Every problem is reported at once as `file:line: reason`."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DisputesError(f"{path}: cannot read disputes ({exc})") from exc
    missing = [c for c in COLUMNS[:3] if c not in raw.columns]
    if missing:
        raise DisputesError(f"{path}:1: missing column(s) {', '.join(missing)}")
    frame = raw.reindex(columns=list(COLUMNS)).astype(object).fillna("").astype(str)
    problems = []
    for line, row in enumerate(frame.itertuples(index=False), 2):
        if not row.conversation_id or not row.rule_id:
            problems.append(f"{path}:{line}: conversation_id and rule_id are required")
        elif row.status not in STATUSES:
            problems.append(f"{path}:{line}: status must be one of {', '.join(STATUSES)}")
    if problems:
        raise DisputesError("\n".join(problems))
    return frame.drop_duplicates(["conversation_id", "rule_id"], keep="last").reset_index(drop=True)


def apply_disputes(ds: Dataset, disputes: pd.DataFrame) -> Dataset:
    """The dataset as it reads with the accepted disputes applied (see the module
    docstring); `ds` itself is not changed."""
    accepted = disputes[disputes["status"] == "accepted"]
    keys = set(keys_in_order(accepted))
    if not keys:
        return ds
    reasons = dict(zip(keys_in_order(accepted), accepted["reason"], strict=True))

    def hit(frame: pd.DataFrame) -> pd.Series:
        pairs = zip(frame["conversation_id"], frame["rule_id"], strict=True)
        return pd.Series([p in keys for p in pairs], index=frame.index, dtype=bool)

    results = ds.rule_results.copy()
    overruled_results = hit(results) & results["status"].isin(["violation", "flag"])
    results.loc[overruled_results, "status"] = "pass"
    results.loc[overruled_results, "deducted"] = 0.0

    found = hit(ds.findings)
    overruled = ds.findings[found].copy()
    overruled["dispute_reason"] = [
        reasons[(c, r)]
        for c, r in zip(overruled["conversation_id"], overruled["rule_id"], strict=True)
    ]
    findings = ds.findings[~found].reset_index(drop=True)

    changed = set(results.loc[overruled_results, "conversation_id"])
    conversations = _rescore(ds, ds.conversations.copy(), results, findings, changed)
    return replace(
        ds,
        conversations=conversations,
        rule_results=results,
        findings=findings,
        agents=aggregate.agents_table(conversations, findings),
        agent_rules=aggregate.agent_rules_table(results, ds.rules),
        overruled=overruled.reset_index(drop=True),
    )


def keys_in_order(frame: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(frame["conversation_id"], frame["rule_id"], strict=True))


def _rescore(
    ds: Dataset,
    conversations: pd.DataFrame,
    results: pd.DataFrame,
    findings: pd.DataFrame,
    changed: set[str],
) -> pd.DataFrame:
    """Score, fatal, passed and n_violations of the `changed` conversations, from their
    remaining rule results (DESIGN.md scoring: base minus deductions, 0 when fatal)."""
    fatal_rules = {str(r["id"]) for r in ds.rules if r.get("fatal")}
    mine = results[results["conversation_id"].isin(changed)]
    violations = mine[mine["status"] == "violation"]
    deducted = violations.groupby("conversation_id")["deducted"].sum()
    fatal = set(violations.loc[violations["rule_id"].isin(fatal_rules), "conversation_id"])
    flagged = set(mine.loc[mine["status"] == "flag", "conversation_id"])
    counted = findings[findings["kind"] == "violation"]
    n_violations = (
        counted[counted["conversation_id"].isin(changed)].groupby("conversation_id").size()
    )
    rows = conversations["conversation_id"].isin(changed)
    for index in conversations.index[rows]:
        cid = conversations.at[index, "conversation_id"]
        score = final_score(ds.base, float(deducted.get(cid, 0.0)), cid in fatal)
        conversations.at[index, "score"] = score
        conversations.at[index, "fatal"] = cid in fatal
        conversations.at[index, "passed"] = passes(score, ds.pass_mark)
        conversations.at[index, "flagged"] = cid in flagged
        conversations.at[index, "n_violations"] = int(n_violations.get(cid, 0))
    return conversations
