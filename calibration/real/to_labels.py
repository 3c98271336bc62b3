"""Turn reviewers' wide label sheets into a cs-qa labels file.

    python calibration/real/to_labels.py first-1.csv ... first-6.csv \
        --adjudicated adjudicated.csv --exclude FIRST_SESSION_ID > labels.csv

A sheet has one row per session: `session_id`, one 0/1 column per rubric item and a
`note` (see RUBRIC.md); its reviewer is named after the sheet (`first-3.csv` ->
`reviewer-first-3`). Each item becomes a row of `cs-qa calibrate`'s labels format
(`conversation_id, rule_id, violated, score, reviewer, note`), named by the general
pack's rule it measures; the note keeps the part about that item. `--adjudicated` (rows
`session_id, item, value, reason`) replaces the values the adjudicator decided, with
reviewer `adjudicator` and the reason as the note. `--exclude` leaves a session out (the
export's first session, whose id is the marker the repository's check for leaked real
rows looks for).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

# Rubric item -> the rule it measures. `complaint` is the complaint detector behind
# risk.complaint, `handoff` the hand-off closing.handoff marks (both flagged for review).
ITEMS = {
    "greeting": "opening.greeting",
    "farewell": "closing.farewell",
    "more_help": "closing.more_help",
    "refusal": "language.refusal",
    "forbidden": "language.forbidden",
    "abusive": "language.abusive",
    "complaint": "risk.complaint",
    "empathy": "empathy.complaint",
    "promise": "commitment.unauthorized",
    "handoff": "closing.handoff",
}


def item_note(note: str, item: str) -> str:
    """The part of a sheet's note about `item` ("refusal: … ; complaint: …")."""
    parts = [p.strip() for p in note.split(";")]
    return "; ".join(p for p in parts if p.split(":")[0].strip().startswith(item))


def rows(sheet: Path, decided: dict[tuple[str, str], tuple[str, str]]) -> list[list[str]]:
    out = []
    reviewer = f"reviewer-{sheet.stem}"
    with sheet.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for item, rule in ITEMS.items():
                value, note = r[item], item_note(r["note"], item)
                by = reviewer
                if (r["session_id"], item) in decided:
                    value, reason = decided[(r["session_id"], item)]
                    by, note = "adjudicator", f"{item}: {reason}"
                out.append([r["session_id"], rule, value, "", by, note])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sheets", nargs="+", type=Path)
    parser.add_argument("--adjudicated", type=Path)
    parser.add_argument("--exclude", action="append", default=[])
    args = parser.parse_args()
    decided: dict[tuple[str, str], tuple[str, str]] = {}
    if args.adjudicated:
        with args.adjudicated.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                decided[(r["session_id"], r["item"])] = (r["value"], r["reason"])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["conversation_id", "rule_id", "violated", "score", "reviewer", "note"])
    for sheet in args.sheets:
        writer.writerows(r for r in rows(sheet, decided) if r[0] not in args.exclude)


if __name__ == "__main__":
    main()
