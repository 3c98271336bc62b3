"""Small datasets written the way a scoring run writes them, for report/aggregate tests.

`write_dataset(tmp_path, conversations=[...], findings=[...], ...)` fills every column
the test does not care about, writes one Parquet part per table with the schemas of
`cs_qa.dataset.schema` and a manifest.json, and returns the dataset directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cs_qa.dataset import aggregate
from cs_qa.dataset.schema import MANIFEST, TABLES

PASS_MARK = 80

RULES: list[dict[str, Any]] = [
    {
        "id": "opening.greeting",
        "title": "开场问候",
        "title_en": "Greeting",
        "category": "服务规范",
        "check": "required_phrase",
        "deduct": 5,
        "cap": None,
        "fatal": False,
        "flag": False,
        "channel": "any",
    },
    {
        "id": "language.forbidden",
        "title": "服务禁语",
        "title_en": "Forbidden language",
        "category": "服务态度",
        "check": "forbidden_phrase",
        "deduct": 0,
        "cap": None,
        "fatal": True,
        "flag": False,
        "channel": "any",
    },
    {
        "id": "latency.first_response",
        "title": "首次响应超时",
        "title_en": "First response",
        "category": "服务效率",
        "check": "response_time",
        "deduct": 10,
        "cap": None,
        "fatal": False,
        "flag": False,
        "channel": "chat",
    },
]
RULE_TITLES = {r["id"]: r["title"] for r in RULES}


def conversation(
    conversation_id: str,
    agent_id: str | None = "A1",
    score: float = 100.0,
    day: str = "2026-11-21",
    **overrides: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "conversation_id": conversation_id,
        "channel": "chat",
        "agent_id": agent_id,
        "started_at": f"{day}T09:00:00+08:00",
        "day": day,
        "n_turns": 4,
        "duration_s": 120.0,
        "first_response_s": None,
        "mean_response_s": None,
        "max_response_s": None,
        "score": score,
        "fatal": False,
        "passed": score >= PASS_MARK,
        "flagged": False,
        "n_violations": 0,
        "pack": "general",
        "pack_version": "2026.11.1",
        "source_file": f"chat_{day}.jsonl",
        "source_line": 1,
    }
    row.update(overrides)
    return row


def finding(
    conversation_id: str,
    agent_id: str,
    rule_id: str = "opening.greeting",
    day: str = "2026-11-21",
    **overrides: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "conversation_id": conversation_id,
        "agent_id": agent_id,
        "rule_id": rule_id,
        "title": RULE_TITLES.get(rule_id, rule_id),
        "category": "服务规范",
        "kind": "violation",
        "deduct": 5.0,
        "fatal": False,
        "turn_index": 1,
        "speaker": "agent",
        "at_s": 8.0,
        "matched": "",
        "detail": "",
        "evidence": "在",
        "source_file": f"chat_{day}.jsonl",
        "source_line": 1,
    }
    row.update(overrides)
    return row


def rule_result(
    conversation_id: str,
    agent_id: str,
    rule_id: str,
    status: str,
    day: str = "2026-11-21",
    deducted: float = 0.0,
) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "agent_id": agent_id,
        "rule_id": rule_id,
        "status": status,
        "deducted": deducted,
        "source_file": f"chat_{day}.jsonl",
        "source_line": 1,
    }


def manifest(masked: bool = True, rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "tool": "cs-qa",
        "tool_version": "0.1.0",
        "masked": masked,
        "pack": {
            "name": "general",
            "version": "2026.11.1",
            "title": "通用客服质检",
            "sha256": "0" * 64,
            "base": 100,
            "pass_mark": PASS_MARK,
        },
        "rules": RULES if rules is None else rules,
        "inputs": [],
        "counts": {},
        "started_at": "2026-11-22T10:00:00+00:00",
        "finished_at": "2026-11-22T10:00:01+00:00",
    }


def arrow_table(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows (dicts, missing keys null) as an Arrow table with the schema of `table`."""
    schema = TABLES[table]
    return pa.table({name: [row.get(name) for row in rows] for name in schema.names}, schema=schema)


def frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame exactly as a report would read them back from Parquet."""
    return arrow_table(table, rows).to_pandas()


def _write_table(directory: Path, table: str, rows: list[dict[str, Any]] | None) -> None:
    (directory / table).mkdir(parents=True, exist_ok=True)
    if rows is None:  # leave the table directory empty, as a run with no such rows may
        return
    pq.write_table(arrow_table(table, rows), directory / table / "part-0.parquet")


def write_dataset(
    tmp_path: Path,
    name: str = "run",
    conversations: list[dict[str, Any]] | None = None,
    findings: list[dict[str, Any]] | None = None,
    rule_results: list[dict[str, Any]] | None = None,
    turns: list[dict[str, Any]] | None = None,
    errors: list[dict[str, Any]] | None = None,
    masked: bool = True,
    rules: list[dict[str, Any]] | None = None,
    with_manifest: bool = True,
    with_agents: bool = True,
) -> Path:
    """Write a dataset directory `tmp_path / name` and return it.

    The agents tables are computed with `cs_qa.dataset.aggregate`, as the scoring run does,
    unless `with_agents` is false (their directories are then left empty).
    """
    out = tmp_path / name
    out.mkdir(parents=True)
    mf = manifest(masked=masked, rules=rules)
    conversations, findings, rule_results = conversations or [], findings or [], rule_results or []
    _write_table(out, "conversations", conversations)
    _write_table(out, "findings", findings)
    _write_table(out, "rule_results", rule_results)
    _write_table(out, "turns", turns)
    _write_table(out, "errors", errors)
    if with_agents:
        derived = {
            "agents": aggregate.agents_table(
                frame("conversations", conversations), frame("findings", findings)
            ),
            "agent_rules": aggregate.agent_rules_table(
                frame("rule_results", rule_results), mf["rules"]
            ),
        }
        for table, df in derived.items():
            (out / table).mkdir()
            pq.write_table(
                pa.Table.from_pandas(df, schema=TABLES[table], preserve_index=False),
                out / table / "part-0.parquet",
            )
    if with_manifest:
        (out / MANIFEST).write_text(json.dumps(mf, ensure_ascii=False), encoding="utf-8")
    return out
