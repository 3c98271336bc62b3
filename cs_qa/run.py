"""A scoring run: input files in, dataset out. The adapter around the pure core.

Every input conversation ends up in exactly one of `conversations` or `errors`; a bad
record, a duplicate id or an unreadable file never stops the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cs_qa import __version__
from cs_qa.ingest import discover, read_file
from cs_qa.ingest.mapping import ColumnMapping
from cs_qa.mask import mask as mask_text
from cs_qa.model import Conversation, ConversationResult, Rejected
from cs_qa.pack import RulePack
from cs_qa.scoring import score
from cs_qa.store import DatasetWriter

# (files done, files in all, conversations read so far, rejected so far)
Progress = Callable[[int, int, int, int], None]


@dataclass
class RunSummary:
    out: Path
    read: int = 0
    scored: int = 0
    rejected: int = 0
    findings: int = 0
    errors: list[Rejected] = field(default_factory=list)  # the first few, for the terminal
    manifest: dict[str, Any] = field(default_factory=dict)


def _keep(text: str) -> str:
    return text


def score_inputs(
    inputs: Sequence[Path],
    pack: RulePack,
    out: Path,
    *,
    mapping: ColumnMapping | None = None,
    mask: bool = True,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    """Score every conversation in `inputs` with `pack` and write the dataset to `out`."""
    started = datetime.now(UTC)
    files = discover(inputs)
    writer = DatasetWriter(out, overwrite=overwrite)
    summary = RunSummary(out=out)
    hide = mask_text if mask else _keep
    seen: dict[str, tuple[str, int]] = {}
    try:
        for done, (path, name) in enumerate(files):
            for item in read_file(path, name, mapping):
                summary.read += 1
                if isinstance(item, Conversation):
                    first = seen.get(item.conversation_id)
                    if first is not None:
                        item = Rejected(
                            item.source_file,
                            item.source_line,
                            f"duplicate conversation_id {item.conversation_id!r} "
                            f"(first at {first[0]}:{first[1]})",
                            item.conversation_id,
                        )
                    else:
                        seen[item.conversation_id] = (item.source_file, item.source_line)
                if isinstance(item, Rejected):
                    _reject(writer, summary, item, hide)
                else:
                    result = score(item, pack)
                    _write(writer, result, pack, hide)
                    summary.scored += 1
                    summary.findings += len(result.findings)
                if progress is not None and summary.read % 200 == 0:
                    progress(done, len(files), summary.read, summary.rejected)
        writer.close_tables()
        _write_aggregates(writer, pack)
        summary.manifest = {
            "tool": "cs-qa",
            "tool_version": __version__,
            "masked": mask,
            "pack": pack.describe(),
            "rules": [r.describe() for r in pack.rules],
            "inputs": [_describe_input(p, n) for p, n in files],
            "counts": {
                "read": summary.read,
                "scored": summary.scored,
                "rejected": summary.rejected,
                "findings": summary.findings,
            },
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        writer.commit(summary.manifest)
    except BaseException:
        writer.abort()
        raise
    if progress is not None:
        progress(len(files), len(files), summary.read, summary.rejected)
    return summary


def _reject(
    writer: DatasetWriter, summary: RunSummary, item: Rejected, hide: Callable[[str], str]
) -> None:
    summary.rejected += 1
    reason = hide(item.reason)
    if len(summary.errors) < 20:
        summary.errors.append(
            Rejected(item.source_file, item.source_line, reason, item.conversation_id)
        )
    writer.append("errors", (item.source_file, item.source_line, item.conversation_id, reason))


def _write(
    writer: DatasetWriter, result: ConversationResult, pack: RulePack, hide: Callable[[str], str]
) -> None:
    conv = result.conversation
    cid, src, line = conv.conversation_id, conv.source_file, conv.source_line
    times = result.response_times
    writer.append(
        "conversations",
        (
            cid,
            conv.channel,
            conv.agent_id,
            conv.started_at.isoformat() if conv.started_at else None,
            conv.started_at.date().isoformat() if conv.started_at else None,
            len(conv.turns),
            _duration(conv),
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
        writer.append(
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
        writer.append(
            "rule_results", (cid, conv.agent_id, rr.rule_id, rr.status, rr.deducted, src, line)
        )
    # Tables are ordered by (source_file, source_line, turn_index); rule order breaks ties.
    ordered = sorted(result.findings, key=lambda f: (f.turn_index is None, f.turn_index or 0))
    for f in ordered:
        writer.append(
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


def _duration(conv: Conversation) -> float | None:
    if not conv.timed:
        return None
    starts = [t.at_s for t in conv.turns if t.at_s is not None]
    ends = [t.end_s if t.end_s is not None else t.at_s for t in conv.turns]
    return max(e for e in ends if e is not None) - min(starts)


def _write_aggregates(writer: DatasetWriter, pack: RulePack) -> None:
    import pyarrow.parquet as pq

    from cs_qa.aggregate import agent_rules_table, agents_table

    conversations = pq.read_table(
        writer.path("conversations"),
        columns=["agent_id", "score", "passed", "fatal", "flagged", "first_response_s"],
    ).to_pandas()
    findings = pq.read_table(writer.path("findings"), columns=["agent_id"]).to_pandas()
    rule_results = pq.read_table(
        writer.path("rule_results"), columns=["agent_id", "rule_id", "status"]
    ).to_pandas()
    writer.write_frame("agents", agents_table(conversations, findings))
    writer.write_frame(
        "agent_rules", agent_rules_table(rule_results, [r.describe() for r in pack.rules])
    )


def _describe_input(path: Path, name: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"path": name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}
