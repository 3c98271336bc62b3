"""What a rule owner could change after a calibration (`cs-qa calibrate --suggest`):
per rule, the conversations cs-qa missed and its false alarms, and the words or short
n-grams over-represented in each (candidates for a lexicon, an exception or a scope).
Pure: a `Calibration` and the dataset's tables in, `Suggestion`s out."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from cs_qa.reports.calibrate import Calibration


@dataclass(frozen=True)
class Term:
    """A word or short n-gram and how much more often it occurs where cs-qa is wrong."""

    text: str
    wrong: int  # conversations (or evidence turns) of the wrong side that contain it
    wrong_of: int
    right: int  # ... of the side cs-qa got right
    right_of: int

    @property
    def lift(self) -> float:
        # add-one smoothing: a term seen in 3 of 4 misses and in no agreed conversation
        # still ranks below one seen in 30 of 40
        return ((self.wrong + 1) / (self.wrong_of + 2)) / ((self.right + 1) / (self.right_of + 2))


@dataclass(frozen=True)
class Suggestion:
    """What a rule owner reads for one rule: its misses and false alarms, and the terms
    over-represented in each (candidates for a lexicon, an exception or a scope)."""

    rule_id: str
    missed: list[str]  # conversations: fn and missed_na
    false_alarms: list[str]
    in_missed: list[Term]  # vs the conversations both judged fine
    in_false_alarms: list[Term]  # evidence of false alarms vs evidence of true findings


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
# Export placeholders ([数字x]) and emoticon codes are no words.
_CODE = re.compile(r"\[[^\[\]]{1,6}\]")


def terms(text: str, sizes: tuple[int, ...] = (2, 3, 4)) -> set[str]:
    """The distinct character n-grams (2-4 characters) of the Chinese runs of `text` and
    its Latin/number words, on normalised text: what a phrase list could say."""
    from cs_qa.core.normalize import normalize

    found: set[str] = set()
    for run in _CJK_RUN.findall(_CODE.sub(" ", normalize(text))):
        if run.isascii():
            if len(run) > 1:
                found.add(run)
            continue
        for n in sizes:
            found.update(run[i : i + n] for i in range(len(run) - n + 1))
    return found


def over_represented(
    wrong: list[str], right: list[str], limit: int = 10, min_count: int = 2
) -> list[Term]:
    """Terms found in at least `min_count` of the `wrong` texts, ranked by how much more
    often they occur there than in the `right` texts; a term that is only part of a
    higher-ranked longer one with the same counts is left out."""
    wrong_sets = [terms(t) for t in wrong]
    right_sets = [terms(t) for t in right]
    counts: dict[str, int] = {}
    for found in wrong_sets:
        for term in found:
            counts[term] = counts.get(term, 0) + 1
    scored = []
    for term, n in counts.items():
        if n < min_count:
            continue
        m = sum(term in found for found in right_sets)
        scored.append(Term(term, n, len(wrong), m, len(right)))
    scored.sort(key=lambda t: (-t.lift, -t.wrong, -len(t.text), t.text))
    picked: list[Term] = []
    for t in scored:
        if any(t.text in p.text and (t.wrong, t.right) == (p.wrong, p.right) for p in picked):
            continue
        picked.append(t)
        if len(picked) == limit:
            break
    return picked


def suggest(cal: Calibration, turns: pd.DataFrame, findings: pd.DataFrame) -> list[Suggestion]:
    """Per rule with a disagreement: the misses and false alarms, the terms of the missed
    conversations over-represented against those both judged fine, and the terms of the
    false alarms' evidence over-represented against the evidence of true findings."""
    text_of = turns.groupby("conversation_id")["text"].agg(lambda t: "\n".join(map(str, t)))
    out = []
    for rule_id, cells in sorted(cal.members.items()):
        missed = cells.get("fn", []) + cells.get("missed_na", [])
        false_alarms = cells.get("fp", [])
        if not missed and not false_alarms:
            continue
        fine = cells.get("tn", []) + cells.get("na", [])
        mine = findings[findings["rule_id"] == rule_id]
        evidence = mine.groupby("conversation_id")["evidence"].agg(lambda t: "\n".join(map(str, t)))
        out.append(
            Suggestion(
                rule_id,
                missed,
                false_alarms,
                over_represented(
                    [text_of.get(c, "") for c in missed], [text_of.get(c, "") for c in fine]
                ),
                over_represented(
                    [evidence.get(c, "") for c in false_alarms],
                    [evidence.get(c, "") for c in cells.get("tp", [])],
                ),
            )
        )
    return out
