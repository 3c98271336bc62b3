"""Writing the output dataset: Parquet parts per table, `manifest.json` last.

The dataset is written into a temporary directory beside `--out` and renamed into place
only when complete, so an interrupted run never leaves a directory that looks finished.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cs_qa.schema import MANIFEST, TABLES

ROW_GROUP = 50_000


class OutputExists(Exception):
    """The output directory exists and `--overwrite` was not given."""


class TableWriter:
    """Collects Arrow tables of one table and writes them as row groups of one part."""

    def __init__(self, directory: Path, schema: pa.Schema) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "part-00000.parquet"
        self.schema = schema
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self.pending.append(table)
            self.pending_rows += table.num_rows
            self.rows += table.num_rows
        if self.pending_rows >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        if self.pending or self.rows == 0:
            table = pa.concat_tables(self.pending) if self.pending else self.schema.empty_table()
            self._writer.write_table(table, row_group_size=max(ROW_GROUP, table.num_rows))
        self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        self.flush()
        if self._writer is not None:
            self._writer.close()


class DatasetWriter:
    def __init__(self, out: Path, overwrite: bool = False) -> None:
        self.out = out
        if out.exists() and not overwrite:
            raise OutputExists(f"{out} exists; give --overwrite to replace it")
        self.overwrite = overwrite
        self.tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir(parents=True)
        self.tables = {
            name: TableWriter(self.tmp / name, schema)
            for name, schema in TABLES.items()
            if name not in ("agents", "agent_rules")
        }

    def write_table(self, table: str, rows: pa.Table) -> None:
        self.tables[table].write(rows)

    def path(self, table: str) -> Path:
        return self.tmp / table

    def close_tables(self) -> None:
        for writer in self.tables.values():
            writer.close()

    def write_frame(self, table: str, frame: Any) -> None:
        """Write a whole table from a DataFrame (the aggregates)."""
        directory = self.tmp / table
        directory.mkdir(parents=True, exist_ok=True)
        arrow = pa.Table.from_pandas(frame, schema=TABLES[table], preserve_index=False)
        pq.write_table(arrow, directory / "part-00000.parquet", compression="zstd")

    def commit(self, manifest: dict[str, Any]) -> None:
        """Write the manifest last and move the finished dataset into place."""
        (self.tmp / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if self.out.exists():
            if not (self.out / MANIFEST).exists() and any(self.out.iterdir()):
                raise OutputExists(
                    f"{self.out} exists and is not a cs-qa dataset; not replacing it"
                )
            shutil.rmtree(self.out)
        self.tmp.rename(self.out)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
