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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

LABEL_COLUMNS = ("conversation_id", "rule_id", "violated", "score", "reviewer", "note")
REQUIRED = ("conversation_id", "rule_id")


class LabelsError(ValueError):
    """A labels file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Labels:
    rules: pd.DataFrame  # conversation_id, rule_id, violated (0/1), reviewer, note, line
    scores: pd.DataFrame  # conversation_id, score, reviewer, line


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


def calibrate(
    labels: Labels,
    conversations: pd.DataFrame,
    rule_results: pd.DataFrame,
    findings: pd.DataFrame,
) -> Calibration:
    """Compare `labels` with a dataset's tables (`conversations`, `rule_results`,
    `findings` as `cs_qa.report.load_dataset` reads them)."""
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
    disagreements: list[Disagreement] = []
    unknown_conversations: set[str] = set()
    unknown_rules: set[str] = set()
    for row in labels.rules.itertuples(index=False):
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
        if verdict == "na":
            tool = None
            counts["missed_na" if row.violated else "na"] += 1
        else:
            tool = 1 if verdict in ("violation", "flag") else 0
            cell = {(1, 1): "tp", (0, 1): "fp", (1, 0): "fn", (0, 0): "tn"}[(row.violated, tool)]
            counts[cell] += 1
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
    for row in findings.itertuples(index=False):
        key = (row.conversation_id, row.rule_id)
        text = f"「{row.matched}」 {row.evidence}".strip() if row.matched else str(row.evidence)
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
    from cs_qa.i18n import t

    if value is None:
        return t("cal_not_applicable", lang)
    return t("cal_violated" if value else "cal_not_violated", lang)


def render_calibration(cal: Calibration, console, lang: str = "zh") -> None:  # type: ignore[no-untyped-def]
    """Print the per-rule agreement table, the score correlation and the disagreements."""
    from rich.table import Table

    from cs_qa.i18n import t

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
    from cs_qa.i18n import t

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
    from cs_qa.i18n import t

    return t("cal_spearman", lang).format(rho=_fmt(cal.spearman), n=cal.scored_pairs)


def _unknown_lines(cal: Calibration, lang: str) -> list[str]:
    from cs_qa.i18n import t

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
