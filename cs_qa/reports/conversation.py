"""One conversation with its findings, read from a written dataset (`cs-qa show`):
`conversation_view` turns a `Dataset` and a conversation id into plain records (the
conversation row, its turns in order, the findings under the turn they point at and the
spans of each turn to highlight); the labels both renderers print (speaker, deduction,
score, channel, header) are here too. `terminal_conversation` prints a view with rich,
`html_conversation` makes it a printable page."""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from cs_qa.dataset import aggregate
from cs_qa.dataset.reader import Dataset, load_dataset
from cs_qa.reports.figures import bool_or_false, int_or_zero, text_or_empty, unevaluated_rules
from cs_qa.reports.format import MISSING, format_offset
from cs_qa.reports.highlight import highlight_spans, split_matched
from cs_qa.reports.i18n import detail_text, t
from cs_qa.reports.records import UnevaluatedRule

SUGGESTIONS = 5  # close ids listed for an unknown conversation id


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


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _turn(value: Any) -> int | None:
    """A finding's turn index; None for a finding on the whole conversation."""
    return None if value is None or pd.isna(value) else int(value)


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
    source_file, source_line = (
        text_or_empty(row["source_file"]),
        int(_float(row["source_line"]) or 0),
    )
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
        (str(r.rule_id), _turn(r.turn_index)): text_or_empty(getattr(r, "dispute_reason", ""))
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
            title=text_or_empty(f.title) or text_or_empty(rule.get("title")) or rule_id,
            title_en=text_or_empty(rule.get("title_en")),
            category=text_or_empty(f.category) or text_or_empty(rule.get("category")),
            kind=text_or_empty(f.kind) or "violation",
            deduct=_float(f.deduct) or 0.0,
            fatal=bool_or_false(f.fatal),
            matched=text_or_empty(f.matched),
            detail=text_or_empty(f.detail),
            turn_index=index,
            at=format_offset(_float(f.at_s)),
            overruled=reasons.get((rule_id, index), ""),
            detail_code=text_or_empty(getattr(f, "detail_code", "")),
            detail_args=text_or_empty(getattr(f, "detail_args", "")),
        )
        if index is not None and index in turn_indexes:
            by_turn.setdefault(index, []).append(view)
        else:
            general.append(view)

    turns = []
    for r in turns_frame.itertuples(index=False):
        index = int_or_zero(r.turn_index)
        text = text_or_empty(r.text)
        own_findings = by_turn.get(index, [])
        phrases = [p for fv in own_findings if not fv.overruled for p in split_matched(fv.matched)]
        turns.append(
            TurnView(
                index=index,
                speaker=text_or_empty(r.speaker),
                agent_id=text_or_empty(r.agent_id) or None,
                at_s=_float(r.at_s),
                end_s=_float(r.end_s),
                text=text,
                findings=own_findings,
                highlights=highlight_spans(text, phrases),
            )
        )

    pack, version = text_or_empty(row["pack"]), text_or_empty(row["pack_version"])
    score = _float(row["score"])
    settings = _pack_settings(ds, pack, version)
    return ConversationView(
        conversation_id=conversation_id,
        agent_id=text_or_empty(row["agent_id"]) or MISSING,
        channel=text_or_empty(row["channel"]),
        day=text_or_empty(row["day"]) or None,
        started_at=text_or_empty(row["started_at"]) or None,
        score=math.nan if score is None else score,
        passed=bool_or_false(row["passed"]),
        fatal=bool_or_false(row["fatal"]),
        flagged=bool_or_false(row["flagged"]),
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


def finding_title(f: FindingView, lang: str) -> str:
    """A finding's rule title in `lang` (the Chinese title when there is no English one)."""
    return f.title_en if lang == "en" and f.title_en else f.title


def speaker_label(turn: TurnView, lang: str) -> str:
    """Who speaks a turn, in `lang`; an agent's turn names the agent."""
    label = t(f"show_speaker_{turn.speaker}", lang)
    if label.startswith("show_speaker_"):
        label = turn.speaker or MISSING
    return f"{label}({turn.agent_id})" if turn.speaker == "agent" and turn.agent_id else label


def deduct_label(f: FindingView, lang: str) -> str:
    """What a finding costs: overruled (with the reason), fatal, flagged or the deduction."""
    if f.overruled:
        return f"{t('overruled_short', lang)}: {f.overruled}"
    if f.fatal:
        return t("fatal", lang)
    if f.kind == "flag":
        return t("flagged", lang)
    return f"-{f.deduct:g}"


def finding_parts(f: FindingView, lang: str) -> list[str]:
    """The pieces of a finding line after its title: deduction, matched, detail."""
    parts = [deduct_label(f, lang)]
    if f.matched:
        parts.append(f"{t('show_hit', lang)}: {f.matched}")
    if f.detail:
        parts.append(detail_text(f.detail, f.detail_code, f.detail_args, lang))
    return parts


def below_pass_mark(view: ConversationView) -> bool:
    """Whether the conversation scored below its pass mark."""
    return not pd.isna(view.score) and view.score < view.pass_mark


def score_label(view: ConversationView) -> str:
    """The score out of the base ("72 / 100"), "—" for an unscored conversation."""
    score = MISSING if pd.isna(view.score) else f"{view.score:g}"
    return f"{score} / {view.base:g}"


def yes_no(value: bool, lang: str) -> str:
    """是/否 (yes/no) in `lang`."""
    return t("show_yes", lang) if value else t("show_no", lang)


def channel_label(view: ConversationView, lang: str) -> str:
    """The conversation's channel in `lang` (as stored when it has no label)."""
    label = t(f"show_channel_{view.channel}", lang)
    return (view.channel or MISSING) if label.startswith("show_channel_") else label


def pack_line(view: ConversationView) -> str:
    """The pack that scored the conversation: title, name and version."""
    parts = [view.pack_meta.get("title"), view.pack or None, view.pack_version or None]
    return " ".join(str(p) for p in parts if p) or MISSING


def header_pairs(view: ConversationView, lang: str) -> list[tuple[str, str]]:
    """The (label, value) pairs at the top of a conversation: id, agent, channel, start, pack."""
    when = view.started_at or view.day or MISSING
    return [
        (t("conversation", lang), view.conversation_id),
        (t("agent", lang), view.agent_id),
        (t("show_channel", lang), channel_label(view, lang)),
        (t("show_started_at", lang), when),
        (t("pack", lang), pack_line(view)),
    ]
