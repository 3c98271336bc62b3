"""One conversation in the terminal (`cs-qa show`): `render_conversation` prints a
`ConversationView` turn by turn, matched phrases highlighted and each finding under its
turn."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cs_qa.reports.conversation import (
    ConversationView,
    FindingView,
    below_pass_mark,
    finding_parts,
    finding_title,
    header_pairs,
    score_label,
    speaker_label,
    yes_no,
)
from cs_qa.reports.i18n import t
from cs_qa.reports.terminal import masking_notice, render_unevaluated

HIGHLIGHT = "bold black on yellow"


def _styled(text: str, spans: Sequence[tuple[int, int]], style: str = HIGHLIGHT) -> Text:
    out = Text()
    pos = 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(text[start:end], style=style)
        pos = end
    out.append(text[pos:])
    return out


_SPEAKER_STYLE = {"agent": "bold cyan", "customer": "bold green", "system": "dim"}


def _finding_text(f: FindingView, lang: str, indent: str = "    ") -> Text:
    mark = "✓" if f.overruled else ("⚑" if f.kind == "flag" else "⚠")
    style = "bold red" if f.fatal else ("magenta" if f.kind == "flag" else "yellow")
    style = "dim" if f.overruled else style
    # The whole line takes the finding's colour: red for a fatal item.
    line = Text(f"{indent}{mark} {finding_title(f, lang)}", style=style)
    deduct, *rest = finding_parts(f, lang)
    line.append(f" {deduct}", style="bold" if f.fatal else "")
    for part in rest:
        line.append(f" · {part}")
    return line


def render_conversation(view: ConversationView, console: Console, lang: str = "zh") -> None:
    """Print the conversation: header, each turn with its matched phrases highlighted and
    its findings indented under it, then the findings that name no turn."""
    console.print(masking_notice(view.masked, lang))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in header_pairs(view, lang):
        grid.add_row(key, Text(value))
    below = below_pass_mark(view)
    score = Text(score_label(view), style="bold red" if below else "bold green")
    score.append(f"  ({t('pass_mark', lang)} {view.pass_mark:g}, ", style="")
    score.append(
        t("pass_yes", lang) if view.passed else t("pass_no", lang),
        style="green" if view.passed else "bold red",
    )
    score.append(")")
    grid.add_row(t("score", lang), score)
    grid.add_row(
        t("fatal", lang), Text(yes_no(view.fatal, lang), style="bold red" if view.fatal else "")
    )
    grid.add_row(
        t("flagged", lang),
        Text(yes_no(view.flagged, lang), style="magenta" if view.flagged else ""),
    )
    console.print(
        Panel(grid, title=f"{t('show_title', lang)} · {view.conversation_id}", title_align="left")
    )
    if view.other_runs:
        console.print(Text(t("show_other_runs", lang).format(n=view.other_runs), style="yellow"))

    for turn in view.turns:
        line = Text()
        if turn.time_label:
            line.append(f"[{turn.time_label}] ", style="dim")
        line.append(speaker_label(turn, lang), style=_SPEAKER_STYLE.get(turn.speaker, ""))
        line.append(": ")
        line.append_text(_styled(turn.text, turn.highlights))
        console.print(line)
        for f in turn.findings:
            console.print(_finding_text(f, lang))

    if view.general_findings:
        console.print(Text(t("show_whole_conversation", lang), style="bold"))
        for f in view.general_findings:
            console.print(_finding_text(f, lang, indent="  "))
    if not view.findings:
        console.print(Text(t("no_violations", lang), style="green"))
    render_unevaluated(view.unevaluated, console, lang)
