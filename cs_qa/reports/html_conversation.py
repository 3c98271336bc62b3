"""One conversation as a printable page (`cs-qa show --html`): `conversation_html`
turns a `ConversationView` into one HTML document with `cs_qa.reports.html_base.page`
(no scripts), matched phrases in <mark>."""

from __future__ import annotations

from collections.abc import Sequence

from cs_qa.reports.conversation import (
    ConversationView,
    FindingView,
    below_pass_mark,
    finding_parts,
    finding_title,
    header_pairs,
    pack_line,
    score_label,
    speaker_label,
    yes_no,
)
from cs_qa.reports.format import MISSING
from cs_qa.reports.html_base import esc, page, unevaluated_html
from cs_qa.reports.i18n import t


def _marked_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    pieces: list[str] = []
    pos = 0
    for start, end in spans:
        pieces.append(esc(text[pos:start]))
        pieces.append(f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    pieces.append(esc(text[pos:]))
    return "".join(pieces)


def _finding_html(f: FindingView, lang: str) -> str:
    cls = "finding fatal" if f.fatal else ("finding flag" if f.kind == "flag" else "finding")
    cls = "finding overruled" if f.overruled else cls
    mark = "✓" if f.overruled else ("⚑" if f.kind == "flag" else "⚠")
    parts = " · ".join(esc(p) for p in finding_parts(f, lang))
    return (
        f'<div class="{cls}">{mark} <strong>{esc(finding_title(f, lang))}</strong> '
        f'<span class="muted">({esc(f.rule_id)})</span> · {parts}</div>'
    )


def conversation_html(view: ConversationView, lang: str = "zh") -> str:
    """The conversation as a printable HTML page (no scripts): header, the turns with
    matched phrases in <mark> and each turn's findings under its text."""
    below = below_pass_mark(view)
    verdict = t("pass_yes", lang) if view.passed else t("pass_no", lang)
    target = f"{t('pass_mark', lang)} {view.pass_mark:g} · {verdict}"
    tiles = [
        (t("score", lang), score_label(view), "bad" if below else "good", target),
        (t("fatal", lang), yes_no(view.fatal, lang), "bad" if view.fatal else "", ""),
        (t("flagged", lang), yes_no(view.flagged, lang), "bad" if view.flagged else "", ""),
        (t("findings", lang), str(len(view.findings)), "", ""),
    ]
    tile_html = "".join(
        f'<div class="tile"><div class="label">{esc(label)}</div>'
        f'<div class="value {cls}">{esc(value)}</div>'
        + (f'<div class="target">{esc(target)}</div>' if target else "")
        + "</div>"
        for label, value, cls, target in tiles
    )
    header_rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in header_pairs(view, lang)
    )
    body = [
        f"<h1>{esc(t('show_title', lang))} {esc(view.conversation_id)}</h1>",
        f'<p class="sub">{esc(pack_line(view))} · {esc(view.day or MISSING)}</p>',
        f'<table class="kv">{header_rows}</table>',
        f'<div class="tiles">{tile_html}</div>',
    ]
    if view.other_runs:
        other = t("show_other_runs", lang).format(n=view.other_runs)
        body.append(f'<p class="muted">{esc(other)}</p>')

    body.append(f"<h2>{esc(t('show_transcript', lang))}</h2>")
    rows = []
    for turn in view.turns:
        fatal = any(f.fatal for f in turn.findings)
        findings = "".join(_finding_html(f, lang) for f in turn.findings)
        row_cls = f"turn spk-{esc(turn.speaker or 'unknown')}" + (" row-bad" if fatal else "")
        rows.append(
            f'<tr class="{row_cls}"><td class="num">{esc(turn.time_label or MISSING)}</td>'
            f'<td class="speaker">{esc(speaker_label(turn, lang))}</td>'
            f'<td><div class="text">{_marked_html(turn.text, turn.highlights)}</div>'
            f"{findings}</td></tr>"
        )
    head = (
        f'<thead><tr><th class="num">{esc(t("time", lang))}</th>'
        f"<th>{esc(t('show_speaker', lang))}</th><th>{esc(t('show_text', lang))}</th></tr></thead>"
    )
    rows_html = "\n".join(rows)
    body.append(f'<table class="transcript">{head}<tbody>\n{rows_html}\n</tbody></table>')
    if view.general_findings:
        body.append(f"<h2>{esc(t('show_whole_conversation', lang))}</h2>")
        body.append("".join(_finding_html(f, lang) for f in view.general_findings))
    if not view.findings:
        body.append(f'<p class="good">{esc(t("no_violations", lang))}</p>')
    body.extend(unevaluated_html([r.row(lang) for r in view.unevaluated], lang))
    footer = esc(f"cs-qa show · {view.source_file}:{view.source_line}")
    return page(
        f"{t('show_title', lang)} {view.conversation_id}",
        "\n".join(body),
        lang=lang,
        masked=view.masked,
        footer=footer,
    )
