"""A calibration for people: the per-rule agreement table, the score correlation and the
disagreements in the terminal (`render_calibration`) or as Markdown
(`calibration_markdown`), and the suggestions as Markdown (`suggestions_markdown`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from cs_qa.reports.calibrate import Calibration, Disagreement
from cs_qa.reports.calibration_suggestions import Suggestion, Term

if TYPE_CHECKING:
    from rich.console import Console


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
