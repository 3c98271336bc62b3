"""Calibration: how often cs-qa agrees with human reviewers, rule by rule.

Labels are a CSV (or Parquet) file with the columns

    conversation_id, rule_id, violated, score, reviewer, note

A row with a `rule_id` says whether the reviewer judged that rule violated (1) or not (0)
in that conversation; a row with an empty `rule_id` gives the reviewer's overall score
(0-100) for the conversation. `reviewer` and `note` are optional text.

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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

if TYPE_CHECKING:
    from rich.console import Console

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


def suggestions_markdown(suggestions: list[Suggestion], lang: str = "zh") -> str:
    """The suggestions as Markdown: one section per rule."""
    from cs_qa.reports.i18n import t

    out = [f"## {t('cal_suggest_title', lang)}", ""]
    for s in suggestions:
        out.append(
            f"### {s.rule_id} · "
            + t("cal_suggest_counts", lang).format(missed=len(s.missed), fp=len(s.false_alarms))
        )
        out.append("")
        for key, ids, found in (
            ("cal_suggest_missed", s.missed, s.in_missed),
            ("cal_suggest_false_alarms", s.false_alarms, s.in_false_alarms),
        ):
            if not ids:
                continue
            shown = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "")
            out.append(f"- {t(key, lang)}: {shown}")
            if found:
                out.append("  - " + t("cal_suggest_terms", lang) + ": " + _terms_text(found))
        out.append("")
    return "\n".join(out)


def _terms_text(found: list[Term]) -> str:
    return ", ".join(f"{x.text} ({x.wrong}/{x.wrong_of} vs {x.right}/{x.right_of})" for x in found)


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


# ------------------------------------------------------------------------- rendering


def _fmt(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


def _rows(cal: Calibration) -> list[list[str]]:
    rows = []
    for a in [*cal.rules, cal.overall]:
        rows.append(
            [
                a.rule_id,
                str(a.n),
                str(a.tp),
                str(a.fp),
                str(a.fn),
                str(a.missed_na),
                str(a.tn),
                str(a.na),
                _fmt(a.precision),
                _fmt(a.recall),
                _fmt(a.f1),
                _fmt(a.kappa),
            ]
        )
    return rows


_HEADERS = (
    "cal_rule",
    "cal_n",
    "cal_tp",
    "cal_fp",
    "cal_fn",
    "cal_missed_na",
    "cal_tn",
    "cal_na",
    "cal_precision",
    "cal_recall",
    "cal_f1",
    "cal_kappa",
)


def _disagreement_cells(d: Disagreement, lang: str) -> list[str]:
    verdicts = [_verdict(d.human, lang), _verdict(d.tool, lang)]
    return [d.conversation_id, d.rule_id, *verdicts, d.evidence, d.note]


def _verdict(value: int | None, lang: str) -> str:
    from cs_qa.reports.i18n import t

    if value is None:
        return t("cal_not_applicable", lang)
    return t("cal_violated" if value else "cal_not_violated", lang)


def render_calibration(cal: Calibration, console: Console, lang: str = "zh") -> None:
    """Print the per-rule agreement table, the score correlation and the disagreements."""
    from rich.table import Table

    from cs_qa.reports.i18n import t

    table = Table(title=t("cal_title", lang))
    for i, key in enumerate(_HEADERS):
        table.add_column(t(key, lang), justify="left" if i == 0 else "right")
    rows = _rows(cal)
    for row in rows[:-1]:
        table.add_row(*row)
    table.add_section()
    table.add_row(t("cal_overall", lang), *rows[-1][1:], style="bold")
    console.print(table)
    console.print(_spearman_line(cal, lang), markup=False, highlight=False)
    for line in _unknown_lines(cal, lang):
        console.print(line, style="yellow", markup=False, highlight=False)
    if cal.disagreements:
        listing = Table(title=t("cal_disagreements", lang).format(n=len(cal.disagreements)))
        for key in (
            "cal_conversation",
            "cal_rule",
            "cal_human",
            "cal_tool",
            "cal_evidence",
            "cal_note",
        ):
            listing.add_column(t(key, lang), overflow="fold")
        for d in cal.disagreements:
            listing.add_row(*_disagreement_cells(d, lang))
        console.print(listing)


def calibration_markdown(cal: Calibration, lang: str = "zh") -> str:
    """The same report as Markdown (for a pull request or a wiki page)."""
    from cs_qa.reports.i18n import t

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    out = [f"## {t('cal_title', lang)}", ""]
    out.append(line([t(k, lang) for k in _HEADERS]))
    out.append(line(["---"] * len(_HEADERS)))
    rows = _rows(cal)
    out += [line(r) for r in rows[:-1]]
    out.append(line([f"**{t('cal_overall', lang)}**", *rows[-1][1:]]))
    out += ["", _spearman_line(cal, lang), *_unknown_lines(cal, lang), ""]
    if cal.disagreements:
        out.append(f"### {t('cal_disagreements', lang).format(n=len(cal.disagreements))}")
        out.append("")
        keys = ("cal_conversation", "cal_rule", "cal_human", "cal_tool", "cal_evidence", "cal_note")
        out.append(line([t(k, lang) for k in keys]))
        out.append(line(["---"] * len(keys)))
        out += [line(_disagreement_cells(d, lang)) for d in cal.disagreements]
        out.append("")
    return "\n".join(out)


def _spearman_line(cal: Calibration, lang: str) -> str:
    from cs_qa.reports.i18n import t

    return t("cal_spearman", lang).format(rho=_fmt(cal.spearman), n=cal.scored_pairs)


def _unknown_lines(cal: Calibration, lang: str) -> list[str]:
    from cs_qa.reports.i18n import t

    lines = []
    if cal.unknown_conversations:
        shown = ", ".join(cal.unknown_conversations[:5])
        more = "…" if len(cal.unknown_conversations) > 5 else ""
        lines.append(
            t("cal_unknown_conversations", lang).format(
                n=len(cal.unknown_conversations), ids=shown + more
            )
        )
    if cal.unknown_rules:
        lines.append(t("cal_unknown_rules", lang).format(ids=", ".join(cal.unknown_rules)))
    return lines
