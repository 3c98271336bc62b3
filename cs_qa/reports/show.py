"""One conversation with its findings, read from a written dataset (`cs-qa show`).

Three layers, like the team report and the scorecard:
- `conversation_view` turns a `Dataset` and a conversation id into plain records (the
  conversation row, its turns in order, the findings under the turn they point at and
  the spans of each turn to highlight);
- `highlight_spans` maps the normalised phrases a rule matched back onto the original
  (stored) text of a turn;
- `render_conversation` prints a view with rich, `conversation_html` makes it a
  printable page with `cs_qa.reports.html_base.page`.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cs_qa.core.normalize import _CJK, _t2s, bare
from cs_qa.dataset import aggregate
from cs_qa.dataset.reader import Dataset, load_dataset
from cs_qa.reports.figures import int_or_zero, unevaluated_rules
from cs_qa.reports.format import MISSING, format_offset
from cs_qa.reports.html_base import esc, page, unevaluated_html
from cs_qa.reports.i18n import detail_text, t
from cs_qa.reports.records import UnevaluatedRule
from cs_qa.reports.terminal import masking_notice, render_unevaluated

SUGGESTIONS = 5  # close ids listed for an unknown conversation id
HIGHLIGHT = "bold black on yellow"

# A `matched` value that is a measurement or a marker, not text of the turn.
_MEASUREMENT = re.compile(r"^\d+(?:\.\d+)?(?:s|字/分)$")
_MARKERS = frozenset({"no reply", "never came back"})
_IS_CJK = re.compile(f"[{_CJK}]")  # the class normalize() removes spaces between


class UnknownConversation(KeyError):
    """The conversation id asked for is not in the dataset."""

    def __init__(self, conversation_id: str, close: Sequence[str], total: int) -> None:
        super().__init__(conversation_id)
        self.conversation_id = conversation_id
        self.close = list(close)
        self.total = total

    def __str__(self) -> str:
        if self.close:
            hint = "close ids: " + ", ".join(self.close)
        else:
            hint = f"no close id among {self.total} conversations"
        return f"unknown conversation {self.conversation_id!r}; {hint}"


# ---------------------------------------------------------------------- highlighting


def normalised_with_map(original: str) -> tuple[str, list[int]]:
    """`normalize(original)` built character by character, with for each character of
    the result the index of the original character it came from.

    Each character is folded on its own (NFKC, lower-case); spaces between two Chinese
    characters are dropped, other runs of space become one, leading and trailing space
    goes, as in `normalize()`. OpenCC converts the whole folded text when that keeps its
    length (it reads a lone character differently: 么 alone becomes 幺), else each
    character on its own. The one known difference from `normalize()`: a combining mark
    that NFKC would compose with the character before it stays separate.
    """
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(original):
        for f in unicodedata.normalize("NFKC", c).lower():
            chars.append(f)
            where.append(i)

    kept: list[str] = []
    kept_where: list[int] = []
    j = 0
    while j < len(chars):
        if not chars[j].isspace():
            kept.append(chars[j])
            kept_where.append(where[j])
            j += 1
            continue
        k = j
        while k < len(chars) and chars[k].isspace():
            k += 1
        before = kept[-1] if kept else ""
        after = chars[k] if k < len(chars) else ""
        if before and after and not (_IS_CJK.match(before) and _IS_CJK.match(after)):
            kept.append(" ")
            kept_where.append(where[j])
        j = k

    folded = "".join(kept)
    if folded.isascii():
        return folded, kept_where
    converter = _t2s()
    whole = converter.convert(folded)
    if len(whole) == len(folded):
        return whole, kept_where
    out: list[str] = []
    out_where: list[int] = []
    for c, i in zip(kept, kept_where, strict=True):
        for f in converter.convert(c):
            out.append(f)
            out_where.append(i)
    return "".join(out), out_where


def _occurrences(text: str, phrase: str) -> list[int]:
    starts: list[int] = []
    at = text.find(phrase)
    while at >= 0:
        starts.append(at)
        at = text.find(phrase, at + 1)
    return starts


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def split_matched(matched: str) -> list[str]:
    """The phrases of a finding's `matched` value: several are joined by 、; a
    measurement (45s, 280字/分) or a marker (no reply) gives none."""
    phrases = []
    for part in (matched or "").split("、"):
        part = part.strip()
        if part and part not in _MARKERS and not _MEASUREMENT.match(part):
            phrases.append(part)
    return phrases


def highlight_spans(original: str, phrases: Sequence[str]) -> list[tuple[int, int]]:
    """Spans `[start, end)` of `original` where the normalised `phrases` occur.

    `phrases` are in normalised form (Simplified, half-width, lower-case, no spaces
    between Chinese characters) while `original` is the stored text (Traditional,
    full-width or spaced speech recognition). Every occurrence is returned; a phrase
    not found in the normalised text is looked for among its letters and digits only
    (checks such as repetition report the text without punctuation). Overlapping or
    touching spans are merged, sorted.
    """
    if not original or not phrases:
        return []
    text, where = normalised_with_map(original)
    spans: list[tuple[int, int]] = []
    bare_text: str | None = None
    bare_where: list[int] = []
    for phrase in phrases:
        phrase = phrase.strip()
        if not phrase:
            continue
        starts = _occurrences(text, phrase)
        if starts:
            spans.extend((where[s], where[s + len(phrase) - 1] + 1) for s in starts)
            continue
        needle = bare(phrase)
        if not needle:
            continue
        if bare_text is None:
            kept = [(c, where[i]) for i, c in enumerate(text) if bare(c)]
            bare_text = "".join(c for c, _ in kept)
            bare_where = [i for _, i in kept]
        spans.extend(
            (bare_where[s], bare_where[s + len(needle) - 1] + 1)
            for s in _occurrences(bare_text, needle)
        )
    return _merge(spans)


# ----------------------------------------------------------------------------- view


@dataclass(frozen=True)
class FindingView:
    rule_id: str
    title: str
    title_en: str  # "" when the pack gives none
    category: str
    kind: str  # violation | flag
    deduct: float
    fatal: bool
    matched: str
    detail: str
    turn_index: int | None
    at: str  # mm:ss, "—" when untimed or not at a turn
    overruled: str = ""  # the reviewer's reason when an accepted dispute overruled it
    detail_code: str = ""  # what `detail` says, for other languages (i18n.detail_text)
    detail_args: str = ""


@dataclass(frozen=True)
class TurnView:
    index: int
    speaker: str  # agent | customer | system
    agent_id: str | None
    at_s: float | None
    end_s: float | None
    text: str  # as stored: masked unless the run used --no-mask
    findings: list[FindingView]
    highlights: list[tuple[int, int]]  # spans of `text`

    @property
    def at(self) -> str:
        """mm:ss of the start, "—" when untimed."""
        return format_offset(self.at_s)

    @property
    def time_label(self) -> str:
        """mm:ss, or mm:ss-mm:ss when the turn has an end (calls); "" when untimed."""
        if self.at_s is None:
            return ""
        if self.end_s is None:
            return self.at
        return f"{self.at}-{format_offset(self.end_s)}"


@dataclass(frozen=True)
class ConversationView:
    conversation_id: str
    agent_id: str
    channel: str
    day: str | None
    started_at: str | None
    score: float
    passed: bool
    fatal: bool
    flagged: bool
    pack: str
    pack_version: str
    pack_meta: dict[str, Any]
    pass_mark: float
    base: float
    masked: bool
    source_file: str
    source_line: int
    turns: list[TurnView]
    general_findings: list[FindingView]  # findings that name no turn
    other_runs: int = 0  # other loaded runs holding the same conversation id
    unevaluated: tuple[UnevaluatedRule, ...] = ()  # rules that raised on it

    @property
    def findings(self) -> list[FindingView]:
        """Every finding: those under turns, in turn order, then the general ones."""
        return [f for turn in self.turns for f in turn.findings] + self.general_findings


def _str(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _turn(value: Any) -> int | None:
    """A finding's turn index; None for a finding on the whole conversation."""
    return None if value is None or pd.isna(value) else int(value)


def _bool(value: Any) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


def close_ids(ds: Dataset, conversation_id: str, n: int = SUGGESTIONS) -> list[str]:
    """Up to `n` ids of the dataset that look like `conversation_id`: those containing
    it first, then the closest by difflib."""
    ids = sorted({str(i) for i in ds.conversations["conversation_id"].dropna()})
    wanted = conversation_id.strip()
    found = [i for i in ids if wanted and wanted.lower() in i.lower()][:n]
    for i in difflib.get_close_matches(wanted, ids, n=n, cutoff=0.6):
        if i not in found:
            found.append(i)
    return found[:n]


def _pack_settings(ds: Dataset, pack: str, version: str) -> dict[str, Any]:
    """The manifest's pack entry of the run that scored with `pack` `version` (the last
    run's when none says so)."""
    for manifest in reversed(ds.manifests or [ds.manifest]):
        meta = dict(manifest.get("pack") or {})
        if meta.get("name") == pack and str(meta.get("version", "")) == version:
            return meta
    return ds.pack


def conversation_view(ds: Dataset, conversation_id: str) -> ConversationView:
    """The conversation `conversation_id` of `ds`, its turns and findings.

    When several loaded runs hold the id, the first one (in the order the runs were
    loaded) is shown and `other_runs` counts the rest. Raises `UnknownConversation` (a
    `KeyError`) with a few close ids when the id is not in the dataset.
    """
    conv = ds.conversations
    rows = conv[conv["conversation_id"] == conversation_id]
    if rows.empty:
        raise UnknownConversation(conversation_id, close_ids(ds, conversation_id), len(conv))
    row = rows.iloc[0]
    source_file, source_line = _str(row["source_file"]), int(_float(row["source_line"]) or 0)
    same_source = (rows["source_file"] == source_file) & (rows["source_line"] == source_line)
    if same_source.sum() > 1 and len(ds.paths) > 1:
        # The same input scored in two loaded runs: rows of both carry the same key, so
        # read the first run that holds the conversation on its own.
        for path in ds.paths:
            run = load_dataset(path)
            if (run.conversations["conversation_id"] == conversation_id).any():
                return replace(conversation_view(run, conversation_id), other_runs=len(rows) - 1)

    def own(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[
            (frame["conversation_id"] == conversation_id)
            & (frame["source_file"] == source_file)
            & (frame["source_line"] == source_line)
        ]

    meta = aggregate.rule_meta(ds.rules)
    overruled = own(ds.overruled)
    findings = pd.concat(
        [frame for frame in (own(ds.findings), overruled) if not frame.empty] or [own(ds.findings)]
    )
    reasons = {  # (rule, turn) -> the reviewer's reason, for findings a dispute overruled
        (str(r.rule_id), _turn(r.turn_index)): _str(getattr(r, "dispute_reason", ""))
        for r in overruled.itertuples(index=False)
    }
    by_turn: dict[int, list[FindingView]] = {}
    general: list[FindingView] = []
    turns_frame = (
        own(ds.turns)
        .drop_duplicates("turn_index", keep="first")
        .sort_values("turn_index", kind="stable")
    )
    turn_indexes = {int(i) for i in turns_frame["turn_index"]}
    for f in findings.itertuples(index=False):
        rule_id = str(f.rule_id)
        rule = meta.get(rule_id, {})
        index = _turn(f.turn_index)
        view = FindingView(
            rule_id=rule_id,
            title=_str(f.title) or _str(rule.get("title")) or rule_id,
            title_en=_str(rule.get("title_en")),
            category=_str(f.category) or _str(rule.get("category")),
            kind=_str(f.kind) or "violation",
            deduct=_float(f.deduct) or 0.0,
            fatal=_bool(f.fatal),
            matched=_str(f.matched),
            detail=_str(f.detail),
            turn_index=index,
            at=format_offset(_float(f.at_s)),
            overruled=reasons.get((rule_id, index), ""),
            detail_code=_str(getattr(f, "detail_code", "")),
            detail_args=_str(getattr(f, "detail_args", "")),
        )
        if index is not None and index in turn_indexes:
            by_turn.setdefault(index, []).append(view)
        else:
            general.append(view)

    turns = []
    for r in turns_frame.itertuples(index=False):
        index = int_or_zero(r.turn_index)
        text = _str(r.text)
        own_findings = by_turn.get(index, [])
        phrases = [p for fv in own_findings if not fv.overruled for p in split_matched(fv.matched)]
        turns.append(
            TurnView(
                index=index,
                speaker=_str(r.speaker),
                agent_id=_str(r.agent_id) or None,
                at_s=_float(r.at_s),
                end_s=_float(r.end_s),
                text=text,
                findings=own_findings,
                highlights=highlight_spans(text, phrases),
            )
        )

    pack, version = _str(row["pack"]), _str(row["pack_version"])
    score = _float(row["score"])
    settings = _pack_settings(ds, pack, version)
    return ConversationView(
        conversation_id=conversation_id,
        agent_id=_str(row["agent_id"]) or MISSING,
        channel=_str(row["channel"]),
        day=_str(row["day"]) or None,
        started_at=_str(row["started_at"]) or None,
        score=math.nan if score is None else score,
        passed=_bool(row["passed"]),
        fatal=_bool(row["fatal"]),
        flagged=_bool(row["flagged"]),
        pack=pack,
        pack_version=version,
        pack_meta=settings,
        pass_mark=float(settings.get("pass_mark", ds.pass_mark)),
        base=float(settings.get("base", ds.base)),
        masked=ds.masked,
        source_file=source_file,
        source_line=source_line,
        turns=turns,
        general_findings=general,
        other_runs=len(rows) - 1,
        unevaluated=unevaluated_rules(own(ds.rule_errors), meta),
    )


# ------------------------------------------------------------------------- rendering


def _title(f: FindingView, lang: str) -> str:
    return f.title_en if lang == "en" and f.title_en else f.title


def _speaker(turn: TurnView, lang: str) -> str:
    label = t(f"show_speaker_{turn.speaker}", lang)
    if label.startswith("show_speaker_"):
        label = turn.speaker or MISSING
    return f"{label}({turn.agent_id})" if turn.speaker == "agent" and turn.agent_id else label


def _deduct_label(f: FindingView, lang: str) -> str:
    if f.overruled:
        return f"{t('overruled_short', lang)}: {f.overruled}"
    if f.fatal:
        return t("fatal", lang)
    if f.kind == "flag":
        return t("flagged", lang)
    return f"-{f.deduct:g}"


def _finding_parts(f: FindingView, lang: str) -> list[str]:
    """The pieces of a finding line after its title: deduction, matched, detail."""
    parts = [_deduct_label(f, lang)]
    if f.matched:
        parts.append(f"{t('show_hit', lang)}: {f.matched}")
    if f.detail:
        parts.append(detail_text(f.detail, f.detail_code, f.detail_args, lang))
    return parts


def _below(view: ConversationView) -> bool:
    return not pd.isna(view.score) and view.score < view.pass_mark


def _score_label(view: ConversationView) -> str:
    score = MISSING if pd.isna(view.score) else f"{view.score:g}"
    return f"{score} / {view.base:g}"


def _yes_no(value: bool, lang: str) -> str:
    return t("show_yes", lang) if value else t("show_no", lang)


def _channel(view: ConversationView, lang: str) -> str:
    label = t(f"show_channel_{view.channel}", lang)
    return (view.channel or MISSING) if label.startswith("show_channel_") else label


def _pack(view: ConversationView) -> str:
    parts = [view.pack_meta.get("title"), view.pack or None, view.pack_version or None]
    return " ".join(str(p) for p in parts if p) or MISSING


def _header_pairs(view: ConversationView, lang: str) -> list[tuple[str, str]]:
    when = view.started_at or view.day or MISSING
    return [
        (t("conversation", lang), view.conversation_id),
        (t("agent", lang), view.agent_id),
        (t("show_channel", lang), _channel(view, lang)),
        (t("show_started_at", lang), when),
        (t("pack", lang), _pack(view)),
    ]


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
    line = Text(f"{indent}{mark} {_title(f, lang)}", style=style)
    deduct, *rest = _finding_parts(f, lang)
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
    for key, value in _header_pairs(view, lang):
        grid.add_row(key, Text(value))
    below = _below(view)
    score = Text(_score_label(view), style="bold red" if below else "bold green")
    score.append(f"  ({t('pass_mark', lang)} {view.pass_mark:g}, ", style="")
    score.append(
        t("pass_yes", lang) if view.passed else t("pass_no", lang),
        style="green" if view.passed else "bold red",
    )
    score.append(")")
    grid.add_row(t("score", lang), score)
    grid.add_row(
        t("fatal", lang), Text(_yes_no(view.fatal, lang), style="bold red" if view.fatal else "")
    )
    grid.add_row(
        t("flagged", lang),
        Text(_yes_no(view.flagged, lang), style="magenta" if view.flagged else ""),
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
        line.append(_speaker(turn, lang), style=_SPEAKER_STYLE.get(turn.speaker, ""))
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
    parts = " · ".join(esc(p) for p in _finding_parts(f, lang))
    return (
        f'<div class="{cls}">{mark} <strong>{esc(_title(f, lang))}</strong> '
        f'<span class="muted">({esc(f.rule_id)})</span> · {parts}</div>'
    )


def conversation_html(view: ConversationView, lang: str = "zh") -> str:
    """The conversation as a printable HTML page (no scripts): header, the turns with
    matched phrases in <mark> and each turn's findings under its text."""
    below = _below(view)
    verdict = t("pass_yes", lang) if view.passed else t("pass_no", lang)
    target = f"{t('pass_mark', lang)} {view.pass_mark:g} · {verdict}"
    tiles = [
        (t("score", lang), _score_label(view), "bad" if below else "good", target),
        (t("fatal", lang), _yes_no(view.fatal, lang), "bad" if view.fatal else "", ""),
        (t("flagged", lang), _yes_no(view.flagged, lang), "bad" if view.flagged else "", ""),
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
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in _header_pairs(view, lang)
    )
    body = [
        f"<h1>{esc(t('show_title', lang))} {esc(view.conversation_id)}</h1>",
        f'<p class="sub">{esc(_pack(view))} · {esc(view.day or MISSING)}</p>',
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
            f'<td class="speaker">{esc(_speaker(turn, lang))}</td>'
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
