"""Work units: the pieces a scoring run is split into, for any engine.

A unit is a whole input file, or a byte range of a large JSON Lines file that still
reports true line numbers. `score_unit` reads, scores and masks one unit and returns
its rows as Arrow tables; engines (in-process, a process pool, Dask) only decide where
units run. The driver merges results in unit order, so the dataset does not depend on
the engine or the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from cs_qa.ingest import read_file
from cs_qa.ingest.encoding import file_encoding
from cs_qa.ingest.jsonl import read_jsonl_range
from cs_qa.ingest.mapping import ColumnMapping
from cs_qa.mask import mask as mask_text
from cs_qa.model import Conversation, ConversationResult, Rejected
from cs_qa.pack import RulePack, load_pack
from cs_qa.schema import TABLES
from cs_qa.scoring import score

ROW_TABLES = ("conversations", "turns", "rule_results", "findings", "errors")
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
    return UnitResult(unit, rows.tables(), read)


def _keep(text: str) -> str:
    return text


@dataclass
class Rows:
    """Rows of the row tables, filled conversation by conversation and turned into
    columns once per unit (zip(*rows) is far cheaper than appending value by value)."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in ROW_TABLES})

    def _append(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def tables(self) -> dict[str, pa.Table]:
        out = {}
        for name, rows in self.rows.items():
            schema = TABLES[name]
            if not rows:
                out[name] = schema.empty_table()
                continue
            transposed = zip(*rows, strict=True)  # every row has one value per column
            columns = [
                pa.array(column, type=f.type) for column, f in zip(transposed, schema, strict=True)
            ]
            out[name] = pa.Table.from_arrays(columns, schema=schema)
        return out

    def reject(self, item: Rejected, hide: Callable[[str], str]) -> None:
        self._append(
            "errors", (item.source_file, item.source_line, item.conversation_id, hide(item.reason))
        )

    def add(self, result: ConversationResult, pack: RulePack, hide: Callable[[str], str]) -> None:
        conv = result.conversation
        cid, src, line = conv.conversation_id, conv.source_file, conv.source_line
        times = result.response_times
        self._append(
            "conversations",
            (
                cid,
                conv.channel,
                conv.agent_id,
                conv.started_at.isoformat() if conv.started_at else None,
                conv.started_at.date().isoformat() if conv.started_at else None,
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
                src,
                line,
            ),
        )
        for i, turn in enumerate(conv.turns):
            self._append(
                "turns",
                (
                    cid,
                    i,
                    turn.speaker,
                    turn.agent_id,
                    turn.at_s,
                    turn.end_s,
                    hide(turn.text),
                    src,
                    line,
                ),
            )
        for rr in result.rule_results:
            self._append(
                "rule_results", (cid, conv.agent_id, rr.rule_id, rr.status, rr.deducted, src, line)
            )
        # Tables are ordered by (source_file, source_line, turn_index); rule order breaks ties.
        ordered = sorted(result.findings, key=lambda f: (f.turn_index is None, f.turn_index or 0))
        for f in ordered:
            self._append(
                "findings",
                (
                    cid,
                    f.agent_id,
                    f.rule_id,
                    f.title,
                    f.category,
                    f.kind,
                    f.deduct,
                    f.fatal,
                    f.turn_index,
                    f.speaker,
                    f.at_s,
                    hide(f.matched),
                    hide(f.detail),
                    hide(f.evidence),
                    src,
                    line,
                ),
            )


def duration(conv: Conversation) -> float | None:
    """Seconds from the first turn's start to the last turn's end (or start)."""
    if not conv.timed:
        return None
    starts = [t.at_s for t in conv.turns if t.at_s is not None]
    ends = [t.end_s if t.end_s is not None else t.at_s for t in conv.turns]
    return max(e for e in ends if e is not None) - min(starts)
