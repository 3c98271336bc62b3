"""Reading a written dataset (DESIGN.md, "Output dataset"): the Parquet tables and the
manifest of one run (`load_dataset`) or of several runs read as one (`load_datasets`).

Reports, `cs-qa show`, calibration and disputes all start from the `Dataset` read here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads

from cs_qa.dataset import aggregate
from cs_qa.dataset.schema import MANIFEST, TABLES

DEFAULT_BASE = 100.0
DEFAULT_PASS_MARK = 80.0

# Tables of a run; agents and agent_rules are derived from them.
ROW_TABLES = ("conversations", "turns", "rule_results", "findings", "errors", "rule_errors")


class DatasetError(Exception):
    """A directory that is not a (finished) cs-qa dataset, or one that cannot be read."""


@dataclass
class Dataset:
    """The tables of one scoring run (or of several runs concatenated) and its manifest.

    `manifest` is the run's manifest.json; for several runs it is the last run's, with
    `masked` true only when every run was masked and `rules` merged over all runs.
    `manifests` lists every run's own manifest, in the order given.
    """

    conversations: pd.DataFrame
    turns: pd.DataFrame
    rule_results: pd.DataFrame
    findings: pd.DataFrame
    agents: pd.DataFrame
    agent_rules: pd.DataFrame
    errors: pd.DataFrame
    rule_errors: pd.DataFrame  # rules that raised (status `error`); empty for older runs
    manifest: dict[str, Any]
    manifests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    # Findings overruled by accepted disputes (cs_qa.dataset.disputes), with `dispute_reason`;
    # they are no longer in `findings`.
    overruled: pd.DataFrame = field(default_factory=lambda: aggregate.empty_frame("findings"))

    @property
    def pack(self) -> dict[str, Any]:
        return dict(self.manifest.get("pack") or {})

    @property
    def pass_mark(self) -> float:
        return float(self.pack.get("pass_mark", DEFAULT_PASS_MARK))

    @property
    def base(self) -> float:
        return float(self.pack.get("base", DEFAULT_BASE))

    @property
    def masked(self) -> bool:
        # A manifest that does not say so is treated as unmasked: warn rather than assume.
        return bool(self.manifest.get("masked", False))

    @property
    def rules(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("rules") or [])


def _read_table(directory: Path, table: str) -> pd.DataFrame:
    """All `*.parquet` parts of one table directory, read with the table's schema.

    A missing or empty directory is an empty table; parts missing a (newer) column get it
    empty, and columns the schema does not know are dropped.
    """
    parts = sorted(directory.glob("*.parquet")) if directory.is_dir() else []
    if not parts:
        return aggregate.empty_frame(table)
    try:
        arrow = pads.dataset([str(p) for p in parts], schema=TABLES[table], format="parquet")
        return arrow.to_table().to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise DatasetError(f"{directory}: cannot read table {table!r}: {exc}") from exc


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise DatasetError(f"{path}: not a cs-qa dataset (no {MANIFEST})")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{manifest_path}: unreadable manifest: {exc}") from exc
    if not isinstance(manifest, dict):
        raise DatasetError(f"{manifest_path}: unreadable manifest: not a JSON object")
    return manifest


def load_dataset(path: Path) -> Dataset:
    """Read one run written by `cs-qa score --out PATH`.

    The manifest is written last, so a directory without one is an unfinished (or
    foreign) run and raises `DatasetError`. A run written without the agents tables gets
    them computed from its rows.
    """
    path = Path(path)
    manifest = _read_manifest(path)
    tables = {name: _read_table(path / name, name) for name in TABLES}
    if tables["agents"].empty and not tables["conversations"].empty:
        tables["agents"] = aggregate.agents_table(tables["conversations"], tables["findings"])
    if tables["agent_rules"].empty and not tables["rule_results"].empty:
        tables["agent_rules"] = aggregate.agent_rules_table(
            tables["rule_results"], manifest.get("rules") or []
        )
    return Dataset(**tables, manifest=manifest, manifests=[manifest], paths=[path])


def _concat(frames: Iterable[pd.DataFrame], table: str) -> pd.DataFrame:
    non_empty = [f for f in frames if not f.empty]
    if not non_empty:
        return aggregate.empty_frame(table)
    return pd.concat(non_empty, ignore_index=True)


def load_datasets(paths: Sequence[Path]) -> Dataset:
    """Read several runs (typically one per day) as one dataset.

    Row tables are concatenated in the order given; the agents tables are recomputed
    from the concatenated rows, so multi-day figures are exact (not means of means).
    The same directory given twice is read once.
    """
    unique: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        key = Path(p).resolve()
        if key not in seen:
            seen.add(key)
            unique.append(Path(p))
    if not unique:
        raise DatasetError("no dataset given")
    if len(unique) == 1:
        return load_dataset(unique[0])
    runs = [load_dataset(p) for p in unique]
    tables = {name: _concat((getattr(run, name) for run in runs), name) for name in ROW_TABLES}
    rules = list(aggregate.rule_meta(r for run in runs for r in run.rules).values())
    manifests = [run.manifest for run in runs]
    manifest = {
        **manifests[-1],
        "masked": all(bool(m.get("masked", False)) for m in manifests),
        "rules": rules,
    }
    return Dataset(
        **tables,
        agents=aggregate.agents_table(tables["conversations"], tables["findings"]),
        agent_rules=aggregate.agent_rules_table(tables["rule_results"], rules),
        manifest=manifest,
        manifests=manifests,
        paths=unique,
    )
