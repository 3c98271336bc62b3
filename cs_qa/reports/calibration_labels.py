"""Human QA labels for calibration (`cs-qa calibrate --labels`).

Labels are a CSV (or Parquet) file with the columns

    conversation_id, rule_id, violated, score, reviewer, note

A row with a `rule_id` says whether the reviewer judged that rule violated (1) or not (0)
in that conversation; a row with an empty `rule_id` gives the reviewer's overall score
(0-100) for the conversation. `reviewer` and `note` are optional text. `load_labels`
reads and checks such a file, every problem reported at once as `file:line: reason`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd

LABEL_COLUMNS = ("conversation_id", "rule_id", "violated", "score", "reviewer", "note")
REQUIRED = ("conversation_id", "rule_id")


class LabelsError(ValueError):
    """A labels file that cannot be used; the message names the file and line."""


class RuleLabel(NamedTuple):
    """A reviewer's verdict on one rule in one conversation (a row of `Labels.rules`)."""

    conversation_id: str
    rule_id: str
    violated: int  # 0 or 1
    reviewer: str
    note: str


@dataclass(frozen=True)
class Labels:
    rules: pd.DataFrame  # conversation_id, rule_id, violated (0/1), reviewer, note, line
    scores: pd.DataFrame  # conversation_id, score, reviewer, line

    def rule_labels(self) -> list[RuleLabel]:
        """The rows of `rules` as records, in order."""
        rows = self.rules[list(RuleLabel._fields)].itertuples(index=False, name=None)
        return [RuleLabel(*row) for row in rows]


def load_labels(path: Path) -> Labels:
    """Read and check a labels file (CSV with a header, or Parquet). Every problem is
    reported at once as `file:line: reason` (the header is line 1)."""
    try:
        if path.suffix.lower() == ".parquet":
            raw = pd.read_parquet(path)
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise LabelsError(f"{path}: cannot read labels ({exc})") from exc
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise LabelsError(
            f"{path}:1: missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(LABEL_COLUMNS)})"
        )
    frame = raw.reindex(columns=list(LABEL_COLUMNS)).astype(object)
    frame = frame.where(frame.notna(), "").astype(str).apply(lambda col: col.str.strip())
    frame["line"] = range(2, len(frame) + 2)
    problems: list[str] = []
    rules, scores = [], []
    seen: dict[tuple[str, str], int] = {}
    for row in frame.itertuples(index=False):
        where = f"{path}:{row.line}"
        if not row.conversation_id:
            problems.append(f"{where}: no conversation_id")
            continue
        if row.rule_id:
            if row.violated not in ("0", "1", "0.0", "1.0"):
                problems.append(f"{where}: violated must be 0 or 1, not {row.violated!r}")
                continue
            key = (row.conversation_id, row.rule_id)
            if key in seen:
                problems.append(
                    f"{where}: {key[0]} / {key[1]} labelled again (first at line {seen[key]})"
                )
                continue
            seen[key] = row.line
            rules.append(
                (
                    row.conversation_id,
                    row.rule_id,
                    int(float(row.violated)),
                    row.reviewer,
                    row.note,
                    row.line,
                )
            )
        else:
            try:
                score = float(row.score)
            except ValueError:
                problems.append(f"{where}: a row without rule_id gives a score, got {row.score!r}")
                continue
            if not 0 <= score <= 100:
                problems.append(f"{where}: score {score:g} is outside 0-100")
                continue
            scores.append((row.conversation_id, score, row.reviewer, row.line))
    if problems:
        raise LabelsError("\n".join(problems))
    return Labels(
        pd.DataFrame(
            rules, columns=["conversation_id", "rule_id", "violated", "reviewer", "note", "line"]
        ),
        pd.DataFrame(scores, columns=["conversation_id", "score", "reviewer", "line"]),
    )
