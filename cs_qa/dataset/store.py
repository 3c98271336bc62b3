"""Writing the output dataset: Parquet parts per table, `manifest.json` last.

The dataset is written into a temporary directory beside `--out` and renamed into place
only when complete, so an interrupted run never leaves a directory that looks finished,
and a run that fails (disk full, a read-only folder) leaves an earlier dataset at `--out`
as it was. One run at a time writes an `--out`: a second one is refused while the lock
file beside it (`.NAME.lock`) is held.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from cs_qa.dataset.schema import MANIFEST, TABLES

ROW_GROUP = 50_000


class OutputExists(Exception):
    """The output directory exists and `--overwrite` was not given."""


class OutputUnusable(Exception):
    """`--out` cannot be a dataset: it is a file, or another run is writing it."""


def lock_path(out: Path) -> Path:
    """The lock a run holds while it writes the dataset for `out`."""
    return out.parent / f".{out.name}.lock"


def partial_dir(out: Path, pid: int) -> Path:
    """Where the run of process `pid` writes the dataset for `out` until it is complete."""
    return out.parent / f".{out.name}.partial-{pid}"


def remove_stale_partials(out: Path) -> list[Path]:
    """Remove what killed runs (SIGKILL, power loss) left beside `out`: partial
    directories whose process no longer exists. Those of live runs are kept. An earlier
    dataset a killed run had moved aside to replace it is put back if `out` is missing."""
    removed = []
    for path in out.parent.glob(f".{out.name}.partial-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    for path in out.parent.glob(f".{out.name}.old-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            if out.exists():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
            else:
                path.rename(out)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def describe_tables(root: Path) -> dict[str, Any]:
    """Each table's rows and files (relative path -> bytes and sha256) under `root`."""
    tables: dict[str, Any] = {}
    for name in TABLES:
        files = sorted((root / name).glob("*.parquet")) if (root / name).is_dir() else []
        tables[name] = {
            "rows": sum(pq.ParquetFile(f).metadata.num_rows for f in files),
            "files": {
                f"{name}/{f.name}": {"bytes": f.stat().st_size, "sha256": file_sha256(f)}
                for f in files
            },
        }
    return tables


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        if out.exists() and not out.is_dir():
            raise OutputUnusable(f"--out {out}: a file, not a folder")
        if out.exists() and not overwrite:
            raise OutputExists(f"{out} exists; give --overwrite to replace it")
        self.overwrite = overwrite
        out.parent.mkdir(parents=True, exist_ok=True)
        self.lock = FileLock(lock_path(out), timeout=0)
        try:
            self.lock.acquire()
        except Timeout as exc:
            raise OutputUnusable(
                f"{out}: another cs-qa run is writing it (lock {lock_path(out)} held); "
                "wait for it or choose another --out"
            ) from exc
        try:
            self._start()
        except BaseException:
            self.abort()
            raise

    def _start(self) -> None:
        remove_stale_partials(self.out)
        self.tmp = partial_dir(self.out, os.getpid())
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
        """Write the manifest last and move the finished dataset into place. The manifest
        gets every table's files with their sizes and hashes (`cs-qa verify` re-checks
        them) and rows."""
        manifest = {**manifest, "tables": describe_tables(self.tmp)}
        (self.tmp / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        old = None
        if self.out.exists():
            if not (self.out / MANIFEST).exists() and any(self.out.iterdir()):
                raise OutputExists(
                    f"{self.out} exists and is not a cs-qa dataset; not replacing it"
                )
            # Moved aside, not deleted, until the new one is in place.
            old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            self.out.rename(old)
        try:
            self.tmp.rename(self.out)
        except BaseException:
            if old is not None:
                old.rename(self.out)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self._unlock()

    def abort(self) -> None:
        tmp = getattr(self, "tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        self._unlock()

    def _unlock(self) -> None:
        # The lock file stays: removing it could let two later runs lock different files.
        if self.lock.is_locked:
            self.lock.release()
