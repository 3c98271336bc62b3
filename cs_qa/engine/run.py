"""A scoring run: input files in, dataset out. The adapter around the pure core.

The inputs are planned into work units (cs_qa.engine.units); an engine scores them, in this
process or in a pool of worker processes; the driver merges the results in unit order,
drops duplicate conversation ids (listing them in `errors`), writes the tables and keeps
the per-agent figures as running totals (cs_qa.dataset.aggregate.AgentTotals), so memory
does not grow with the input.
Every input conversation ends up in exactly one of `conversations` or `errors`.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cs_qa import __version__
from cs_qa.core.model import Rejected
from cs_qa.dataset.aggregate import AgentTotals
from cs_qa.dataset.schema import TABLES
from cs_qa.dataset.store import DatasetWriter, file_sha256
from cs_qa.engine.lifeline import die_with
from cs_qa.engine.units import UnitResult, WorkUnit, plan_units, score_unit
from cs_qa.ingest import SUFFIXES, discover
from cs_qa.ingest.mapping import ColumnMapping
from cs_qa.packs.model import RulePack

Progress = Callable[[int, int, int, int], None]  # (units done, units, read, rejected)
ENGINES = ("local", "dask")  # where units are scored: this machine, or a Dask cluster


@dataclass
class RunSummary:
    out: Path
    files: int = 0  # input files found
    read: int = 0
    scored: int = 0
    rejected: int = 0
    findings: int = 0
    rule_errors: int = 0  # (conversation, rule) pairs whose check raised: status `error`
    errors: list[Rejected] = field(default_factory=list)  # the first few, for the terminal
    # the first few rule errors, for the terminal: (source, conversation, rule, error)
    rule_error_samples: list[tuple[str, str, str, str]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    def nothing_scored(self) -> str | None:
        """Why the run scored no conversation at all (None when it scored some): a
        scheduled job must not take an empty export for a quiet day."""
        if self.scored:
            return None
        if not self.files:
            return "no input file matched (expected " + ", ".join(SUFFIXES) + ")"
        if not self.read:
            return f"the {self.files} input file(s) held no records"
        return f"none of the {self.read} record(s) read could be scored (see the errors table)"


def default_workers() -> int:
    return os.cpu_count() or 1


def score_inputs(
    inputs: Sequence[Path],
    pack: RulePack,
    out: Path,
    *,
    mapping: ColumnMapping | None = None,
    mask: bool = True,
    overwrite: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
) -> RunSummary:
    """Score every conversation in `inputs` with `pack` and write the dataset to `out`.
    The dataset is the same for any number of `workers` and either `engine`:

    - "local": in this process, or a pool of `workers` processes (`run_units`);
    - "dask": on the Dask cluster at `scheduler`, or a LocalCluster of `workers`
      processes when None (cs_qa.engine.dask_engine; raises its EngineError when dask is
      missing or the cluster unusable).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    if scheduler is not None and engine != "dask":
        raise ValueError("a scheduler address needs the dask engine")
    started = datetime.now(UTC)
    cwd = Path.cwd()
    files = discover(inputs)
    units = plan_units(files, mapping=mapping)
    writer = DatasetWriter(out, overwrite=overwrite)
    merger = Merger(writer, pack, RunSummary(out=out, files=len(files)))
    try:
        # closing(): an engine's cluster or pool is shut down even when merging fails
        with closing(
            _engine_results(engine, scheduler, units, pack, mapping, mask, workers)
        ) as results:
            for done, result in enumerate(results, 1):
                merger.add(result)
                if progress is not None:
                    progress(done, len(units), merger.summary.read, merger.summary.rejected)
        summary = merger.finish()
        summary.manifest = {
            "tool": "cs-qa",
            "tool_version": __version__,
            "masked": mask,
            "pack": pack.describe(),
            "rules": [r.describe() for r in pack.rules],
            "inputs": [_describe_input(p, n, cwd) for p, n in files],
            "counts": {
                "read": summary.read,
                "scored": summary.scored,
                "rejected": summary.rejected,
                "findings": summary.findings,
                "rule_errors": summary.rule_errors,
            },
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        writer.commit(summary.manifest)
    except BaseException:
        writer.abort()
        raise
    return summary


def _engine_results(
    engine: str,
    scheduler: str | None,
    units: Sequence[WorkUnit],
    pack: RulePack,
    mapping: ColumnMapping | None,
    mask: bool,
    workers: int,
) -> Generator[UnitResult, None, None]:
    """The unit results of `engine`, in unit order (closing this closes the engine)."""
    if engine == "dask":
        from cs_qa.engine.dask_engine import run_units_dask  # dask is optional and slow to import

        yield from run_units_dask(units, pack, mapping, mask, scheduler=scheduler, workers=workers)
    else:
        yield from run_units(units, pack, mapping, mask, workers)


def run_units(
    units: Sequence[WorkUnit],
    pack: RulePack,
    mapping: ColumnMapping | None,
    mask: bool,
    workers: int,
) -> Iterator[UnitResult]:
    """Unit results in unit order: in this process, or in a pool of `workers` processes
    with a bounded number of units in flight (memory stays flat)."""
    if workers <= 1 or len(units) <= 1:
        for unit in units:
            yield score_unit(unit, pack, mapping, mask)
        return
    spec = (pack.source or pack.path, pack.sha256)
    window = workers * 2
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)
    )
    finished = False
    try:
        pending: list[Future[UnitResult]] = []
        todo = iter(units)
        for unit in todo:
            pending.append(pool.submit(score_unit, unit, spec, mapping, mask))
            if len(pending) >= window:
                break
        while pending:
            result = pending.pop(0).result()
            for unit in todo:
                pending.append(pool.submit(score_unit, unit, spec, mapping, mask))
                break
            yield result
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Interrupted (Ctrl-C) or failed: stop the workers now rather than let them finish
    units for a run that will not be written, and never wait on the pool unboundedly (an
    interrupt can land while it is starting a worker)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=10)
    # A worker killed while sending its result leaves half a message in the result pipe,
    # and the pool's manager thread would wait for the rest forever (and Python waits for
    # that thread at exit). With every worker gone, closing this process's own end of the
    # pipe turns that wait into end-of-file, which the pool handles as a broken pool.
    results = getattr(pool, "_result_queue", None)
    writer = getattr(results, "_writer", None)
    if writer is not None:
        writer.close()
    pool.shutdown(wait=False, cancel_futures=True)


def _start_worker(driver: int) -> None:
    # Workers leave Ctrl-C to the main process, which stops them and cleans up (one
    # message instead of a traceback from every worker) ...
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # ... and end with it when it is killed (kill -9, the OOM killer), where nothing stops
    # them and they would stay forever, adopted by PID 1.
    die_with(driver)


class Merger:
    """Writes unit results in order, drops duplicate ids, keeps the per-agent totals."""

    def __init__(self, writer: DatasetWriter, pack: RulePack, summary: RunSummary) -> None:
        self.writer = writer
        self.pack = pack
        self.summary = summary
        # Conversation ids seen so far as sorted 64-bit hashes, with where each was first
        # read: 16 bytes per conversation instead of the id strings.
        self.hashes = np.empty(0, dtype=np.uint64)
        self.firsts = np.empty(0, dtype=np.int64)
        self.file_names: list[str] = []
        self.agents = AgentTotals()

    def add(self, result: UnitResult) -> None:
        tables = dict(result.tables)
        self.summary.read += result.read
        duplicates = self._duplicates(tables["conversations"])
        if duplicates:
            dropped = np.fromiter(duplicates, dtype=np.int64)
            keep = ~np.isin(np.arange(tables["conversations"].num_rows), dropped)
            tables["conversations"] = tables["conversations"].filter(pa.array(keep))
            for name in ("turns", "rule_results", "findings", "rule_errors"):
                owners = result.owners[name]
                tables[name] = tables[name].filter(pa.array(~np.isin(owners, dropped)))
            rows = sorted(duplicates)  # conversation rows: already in source-line order
            extra = pa.table(
                {
                    "source_file": [result.unit.name] * len(rows),
                    "source_line": [duplicates[r][2] for r in rows],
                    "conversation_id": [duplicates[r][0] for r in rows],
                    "reason": [duplicates[r][1] for r in rows],
                    "reason_code": ["duplicate_id"] * len(rows),
                },
                schema=TABLES["errors"],
            )
            errors = pa.concat_tables([tables["errors"], extra])
            order = pc.sort_indices(errors, [("source_line", "ascending")])  # stable
            tables["errors"] = errors.take(order)
        for name, table in tables.items():
            self.writer.write_table(name, table)
        errors = tables["errors"]
        self.summary.rejected += errors.num_rows
        for row in errors.slice(0, max(0, 20 - len(self.summary.errors))).to_pylist():
            self.summary.errors.append(
                Rejected(
                    row["source_file"],
                    row["source_line"],
                    row["reason"],
                    row["conversation_id"],
                    code=row["reason_code"],
                )
            )
        self.summary.scored += tables["conversations"].num_rows
        self.summary.findings += tables["findings"].num_rows
        failed = tables["rule_errors"]
        self.summary.rule_errors += failed.num_rows
        room = max(0, 20 - len(self.summary.rule_error_samples))
        for row in failed.slice(0, room).to_pylist():
            self.summary.rule_error_samples.append(
                (
                    f"{row['source_file']}:{row['source_line']}",
                    row["conversation_id"],
                    row["rule_id"],
                    f"{row['error_type']}: {row['message']}",
                )
            )
        self.agents.add(tables)

    def _duplicates(self, conversations: pa.Table) -> dict[int, tuple[str, str, int]]:
        """Row of `conversations` -> (id, reason, source line) for the conversations whose
        id was read before (in an earlier unit, or earlier in this one)."""
        if conversations.num_rows == 0:
            return {}
        ids = conversations["conversation_id"].to_pylist()
        files = conversations["source_file"].to_pylist()
        lines = conversations["source_line"].to_pylist()
        hashes = np.array([_hash(i) for i in ids], dtype=np.uint64)
        found: dict[int, tuple[str, str, int]] = {}
        positions = np.searchsorted(self.hashes, hashes)
        inside: dict[int, int] = {}  # hash -> row of its first occurrence in this unit
        keep_rows = []
        for row, (h, pos) in enumerate(zip(hashes.tolist(), positions.tolist(), strict=True)):
            first: str | None = None
            if pos < len(self.hashes) and int(self.hashes[pos]) == h:
                first = self._where(int(self.firsts[pos]))
            elif h in inside:
                first = f"{files[inside[h]]}:{lines[inside[h]]}"
            if first is not None:
                reason = f"duplicate conversation_id {ids[row]!r} (first at {first})"
                found[row] = (ids[row], reason, lines[row])
                continue
            inside[h] = row
            keep_rows.append(row)
        if keep_rows:
            self._remember(
                hashes[keep_rows], [files[r] for r in keep_rows], [lines[r] for r in keep_rows]
            )
        return found

    def _remember(self, hashes: np.ndarray, files: list[str], lines: list[int]) -> None:
        codes = []
        for name, line in zip(files, lines, strict=True):
            if not self.file_names or self.file_names[-1] != name:
                self.file_names.append(name)
            codes.append(((len(self.file_names) - 1) << 40) | line)
        # Merged into the sorted index without re-sorting it: one O(n) copy per unit.
        order = np.argsort(hashes, kind="stable")
        new = hashes[order]
        at = np.searchsorted(self.hashes, new, side="right")
        self.hashes = np.insert(self.hashes, at, new)
        self.firsts = np.insert(self.firsts, at, np.array(codes, dtype=np.int64)[order])

    def _where(self, code: int) -> str:
        return f"{self.file_names[code >> 40]}:{code & ((1 << 40) - 1)}"

    def finish(self) -> RunSummary:
        self.writer.close_tables()
        self.writer.write_frame("agents", self.agents.agents())
        rules = [r.describe() for r in self.pack.rules]
        self.writer.write_frame("agent_rules", self.agents.agent_rules(rules))
        return self.summary


def _hash(conversation_id: str) -> int:
    digest = hashlib.blake2b(conversation_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _describe_input(path: Path, name: str, cwd: Path) -> dict[str, Any]:
    """An input as the manifest records it: its display name (`path`, relative to the
    argument's parent), the path as given, and the path from the folder the run started
    in, so that `cs-qa verify` finds it from there whatever was given."""
    try:
        from_cwd = Path(os.path.relpath(os.path.abspath(path), cwd)).as_posix()
    except ValueError:  # another drive (Windows)
        from_cwd = Path(os.path.abspath(path)).as_posix()
    return {
        "path": name,
        "given": Path(path).as_posix(),
        "from_cwd": from_cwd,
        "bytes": path.stat().st_size,
        "sha256": file_sha256(path),
    }
