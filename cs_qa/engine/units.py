"""Work units: the pieces a scoring run is split into, for any engine.

A unit is a whole input file, or a byte range of a large JSON Lines file that still
reports true line numbers. `score_unit` reads, scores and masks one unit and returns
its rows as Arrow tables; engines (in-process, a process pool, Dask) only decide where
units run. The driver merges results in unit order, so the dataset does not depend on
the engine or the number of workers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

import numpy as np
import pyarrow as pa

from cs_qa.core.mask import mask as mask_text
from cs_qa.core.model import Conversation, ConversationResult, Rejected
from cs_qa.dataset.schema import TABLES
from cs_qa.ingest import read_file
from cs_qa.ingest.encoding import file_encoding
from cs_qa.ingest.jsonl import read_jsonl_range
from cs_qa.ingest.mapping import ColumnMapping
from cs_qa.packs.evaluate import score
from cs_qa.packs.loader import load_pack
from cs_qa.packs.model import RulePack

ROW_TABLES = ("conversations", "turns", "rule_results", "findings", "errors", "rule_errors")
CHUNK_BYTES = 4 << 20  # JSON Lines files larger than this are split between workers


@dataclass(frozen=True, slots=True)
class WorkUnit:
    path: str  # where the worker reads it
    name: str  # the file as the dataset names it (relative, "/" separators)
    start: int = 0  # byte range of a JSON Lines file; end None = the whole file
    end: int | None = None
    first_line: int = 1


@dataclass
class UnitResult:
    unit: WorkUnit
    tables: dict[str, pa.Table]
    read: int = 0
    # For each child table (turns, rule_results, findings): the row of `conversations`
    # each of its rows belongs to. Not written; lets the driver drop a conversation's
    # rows exactly, even when several records share one source line.
    owners: dict[str, np.ndarray] = field(default_factory=dict)


def plan_units(
    files: Sequence[tuple[Path, str]],
    chunk_bytes: int | None = None,
    mapping: ColumnMapping | None = None,
) -> list[WorkUnit]:
    """One unit per file, large JSON Lines files split on line boundaries."""
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    units: list[WorkUnit] = []
    for path, name in files:
        size = path.stat().st_size if path.exists() else 0
        if path.suffix.lower() != ".jsonl" or size <= chunk_bytes or _wide(path, mapping):
            units.append(WorkUnit(str(path), name))
            continue
        units.extend(_split(path, name, size, chunk_bytes))
    return units


def _wide(path: Path, mapping: ColumnMapping | None) -> bool:
    # UTF-16/32 line breaks are not single bytes: such a file is read whole.
    encoding = file_encoding(path, mapping.encoding if mapping else None).lower()
    return encoding.replace("-", "").startswith(("utf16", "utf32"))


def _split(path: Path, name: str, size: int, chunk_bytes: int) -> Iterator[WorkUnit]:
    start, line = 0, 1
    with path.open("rb") as f:
        while start < size:
            f.seek(min(start + chunk_bytes, size))
            f.readline()  # finish the line the boundary fell in
            end = min(f.tell(), size)
            f.seek(start)
            block = f.read(end - start)
            yield WorkUnit(str(path), name, start, end, line)
            line += block.count(b"\n")
            start = end


@lru_cache(maxsize=4)
def _pack(spec: str, sha256: str) -> RulePack:
    # Loaded once per worker process; the hash keys the cache to the pack's content.
    return load_pack(spec)


def score_unit(
    unit: WorkUnit,
    pack: RulePack | tuple[str, str],
    mapping: ColumnMapping | None = None,
    mask: bool = True,
) -> UnitResult:
    """Read, score and mask one unit. `pack` is a loaded pack, or (spec, sha256) for a
    worker to load (and keep) itself."""
    if isinstance(pack, tuple):
        pack = _pack(*pack)
    rows = Rows()
    hide = mask_text if mask else _keep
    path = Path(unit.path)
    items = (
        read_file(path, unit.name, mapping)
        if unit.end is None
        else read_jsonl_range(path, unit.name, mapping, unit.start, unit.end, unit.first_line)
    )
    read = 0
    for item in items:
        read += 1
        if isinstance(item, Rejected):
            rows.reject(item, hide)
        else:
            rows.add(score(item, pack), pack, hide)
    owners = rows.owners()
    return UnitResult(unit, rows.tables(owners), read, owners)


def _args_json(args: dict[str, object] | None, hide: Callable[[str], str]) -> str:
    """A finding's detail values as JSON, text values masked like every stored text
    (numbers are measurements, not personal data)."""
    if not args:
        return ""
    shown = {k: hide(v) if isinstance(v, str) else v for k, v in args.items()}
    return json.dumps(shown, ensure_ascii=False, sort_keys=True)


def _keep(text: str) -> str:
    return text


def masked_span(original: str, masked: str, start: int, end: int) -> tuple[int, int]:
    """The span `[start, end)` of `original` moved into `masked`, its masked form, whose
    masks may be shorter or longer than what they hide (a card number becomes ****1234,
    an e-mail's name z***): text outside the masks keeps its place, shifted; a span end
    inside a mask goes to the end of the mask (a start to its start), so the span covers
    what now stands for it. Unmasked text is the same in both, so the two align
    (difflib) on it."""
    new_start, new_end = 0, len(masked)
    blocks = SequenceMatcher(None, original, masked, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, _ in blocks:
        if i1 <= start < i2:
            new_start = j1 + (start - i1) if tag == "equal" else j1
            break
    for tag, i1, i2, j1, j2 in blocks:
        if i1 < end <= i2:
            new_end = j1 + (end - i1) if tag == "equal" else j2
            break
    return new_start, max(new_start, new_end)


class Rows:
    """The row tables of one unit, filled conversation by conversation as columns.

    Columns repeated on every child row (conversation id, agent, source file and line of
    turns, rule results and findings) are stored once per conversation and spread with
    one Arrow `take` per unit; rule ids are the pack's, tiled. Appending to a few lists
    per conversation instead of building a tuple per row is most of what keeps output
    cheap next to scoring.
    """

    CONVERSATION_COLUMNS = TABLES["conversations"].names
    TURN_OWN = ("speaker", "agent_id", "at_s", "end_s", "text")
    FINDING_OWN = (
        "agent_id", "rule_id", "title", "category", "kind", "deduct", "fatal",
        "turn_index", "speaker", "at_s", "matched", "detail", "evidence", "detail_code",
        "detail_args", "span_start", "span_end",
    )  # fmt: skip
    RULE_ERROR_OWN = ("rule_id", "error_type", "message")

    def __init__(self) -> None:
        self.conv: dict[str, list] = {c: [] for c in self.CONVERSATION_COLUMNS}
        self.turn_counts: list[int] = []
        self.turns: dict[str, list] = {c: [] for c in self.TURN_OWN}
        self.rule_ids: list[str] | None = None
        self.statuses: list[str] = []
        self.deducted: list[float] = []
        self.finding_owner: list[int] = []
        self.findings: dict[str, list] = {c: [] for c in self.FINDING_OWN}
        self.errors: dict[str, list] = {c: [] for c in TABLES["errors"].names}
        self.rule_error_owner: list[int] = []
        self.rule_errors: dict[str, list] = {c: [] for c in self.RULE_ERROR_OWN}

    def reject(self, item: Rejected, hide: Callable[[str], str]) -> None:
        for column, value in zip(
            self.errors,
            (
                item.source_file,
                item.source_line,
                item.conversation_id,
                hide(item.reason),
                item.code,
            ),
            strict=True,
        ):
            self.errors[column].append(value)

    def add(self, result: ConversationResult, pack: RulePack, hide: Callable[[str], str]) -> None:
        conv = result.conversation
        times = result.response_times
        started = conv.started_at
        row = (
            conv.conversation_id,
            conv.channel,
            conv.agent_id,
            started.isoformat() if started else None,
            started.date().isoformat() if started else None,
            len(conv.turns),
            duration(conv),
            times[0] if times else None,
            sum(times) / len(times) if times else None,
            max(times) if times else None,
            result.score,
            result.fatal,
            result.passed,
            result.flagged,
            sum(1 for f in result.findings if f.kind == "violation"),
            pack.name,
            pack.version,
            conv.source_file,
            conv.source_line,
            "; ".join(conv.notes) if conv.notes else None,
        )
        for column, value in zip(self.conv.values(), row, strict=True):
            column.append(value)
        owner = len(self.turn_counts)
        self.turn_counts.append(len(conv.turns))
        turns = conv.turns
        own = self.turns
        own["speaker"].extend(map(_SPEAKER, turns))
        own["agent_id"].extend(map(_AGENT, turns))
        own["at_s"].extend(map(_AT, turns))
        own["end_s"].extend(map(_END, turns))
        own["text"].extend(map(hide, map(_TEXT, turns)))
        if self.rule_ids is None:
            self.rule_ids = [rr.rule_id for rr in result.rule_results]
        self.statuses.extend(map(_STATUS, result.rule_results))
        self.deducted.extend(map(_DEDUCTED, result.rule_results))
        # Tables are ordered by (source_file, source_line, turn_index); rule order breaks ties.
        ordered = sorted(result.findings, key=lambda f: (f.turn_index is None, f.turn_index or 0))
        found = self.findings
        for f in ordered:
            self.finding_owner.append(owner)
            found["agent_id"].append(f.agent_id)
            found["rule_id"].append(f.rule_id)
            found["title"].append(f.title)
            found["category"].append(f.category)
            found["kind"].append(f.kind)
            found["deduct"].append(f.deduct)
            found["fatal"].append(f.fatal)
            found["turn_index"].append(f.turn_index)
            found["speaker"].append(f.speaker)
            found["at_s"].append(f.at_s)
            found["matched"].append(hide(f.matched))
            found["detail"].append(hide(f.detail))
            evidence = hide(f.evidence)
            found["evidence"].append(evidence)
            found["detail_code"].append(f.detail_code)
            found["detail_args"].append(_args_json(f.detail_args, hide))
            start, end = f.span_start, f.span_end
            if start is not None and end is not None and evidence != f.evidence:
                start, end = masked_span(f.evidence, evidence, start, end)
            found["span_start"].append(start)
            found["span_end"].append(end)
        for failed in result.rule_errors:
            self.rule_error_owner.append(owner)
            self.rule_errors["rule_id"].append(failed.rule_id)
            self.rule_errors["error_type"].append(failed.error_type)
            # an exception's message may quote the conversation: masked like evidence
            self.rule_errors["message"].append(hide(failed.message))

    def owners(self) -> dict[str, np.ndarray]:
        """The `conversations` row of every row of the child tables."""
        counts = np.asarray(self.turn_counts, dtype=np.int64)
        return {
            "turns": np.repeat(np.arange(len(counts)), counts),
            "rule_results": np.repeat(np.arange(len(counts)), len(self.rule_ids or ())),
            "findings": np.asarray(self.finding_owner, dtype=np.int64),
            "rule_errors": np.asarray(self.rule_error_owner, dtype=np.int64),
        }

    def tables(self, owner: dict[str, np.ndarray] | None = None) -> dict[str, pa.Table]:
        """The unit's row tables; `owner` is `self.owners()` when the caller has it."""
        conversations = _table("conversations", self.conv)
        counts = np.asarray(self.turn_counts, dtype=np.int64)
        owner = owner if owner is not None else self.owners()
        owners, per_rule = owner["turns"], owner["rule_results"]
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        turn_index = np.arange(len(owners)) - starts
        return {
            "conversations": conversations,
            "turns": _table(
                "turns",
                {**self.turns, "turn_index": turn_index},
                _spread(conversations, owners, ("conversation_id", "source_file", "source_line")),
            ),
            "rule_results": _table(
                "rule_results",
                {
                    "rule_id": (self.rule_ids or []) * len(counts),
                    "status": self.statuses,
                    "deducted": self.deducted,
                },
                _spread(
                    conversations,
                    per_rule,
                    ("conversation_id", "agent_id", "source_file", "source_line"),
                ),
            ),
            "findings": _table(
                "findings",
                self.findings,
                _spread(
                    conversations,
                    owner["findings"],
                    ("conversation_id", "source_file", "source_line"),
                ),
            ),
            "errors": _table("errors", self.errors),
            "rule_errors": _table(
                "rule_errors",
                self.rule_errors,
                _spread(
                    conversations,
                    owner["rule_errors"],
                    ("conversation_id", "agent_id", "source_file", "source_line"),
                ),
            ),
        }


def _spread(
    conversations: pa.Table, owners: np.ndarray, columns: Sequence[str]
) -> dict[str, pa.Array]:
    """Columns of `conversations` repeated for each child row (its owner's row index)."""
    index = pa.array(owners, type=pa.int64())
    return {c: conversations[c].take(index) for c in columns}


def _table(name: str, columns: dict, spread: dict[str, pa.Array] | None = None) -> pa.Table:
    schema = TABLES[name]
    spread = spread or {}
    arrays = [
        spread[f.name] if f.name in spread else pa.array(columns[f.name], type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def duration(conv: Conversation) -> float | None:
    """Seconds from the first turn's start to the last turn's end (or start); None
    unless every turn has a start."""
    starts = list(map(_AT, conv.turns))
    if not starts or None in starts:
        return None
    # every turn has a start, so an end: the test only narrows the type
    ends = [end for t in conv.turns if (end := t.ends_s) is not None]
    return max(ends) - min(starts)


# Column getters: map() with these runs in C, a list comprehension in the interpreter.
_SPEAKER, _AGENT, _AT, _END, _TEXT = map(
    attrgetter, ("speaker", "agent_id", "at_s", "end_s", "text")
)
_STATUS, _DEDUCTED = attrgetter("status"), attrgetter("deducted")
