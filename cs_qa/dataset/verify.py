"""`cs-qa verify OUT`: re-check a dataset against its manifest.

A dataset is trustworthy when its manifest was written last (a killed run has none),
its counts add up (read = scored + rejected), every table file is the one the run wrote
(size and SHA-256 as recorded), no table file was added, every rejected record carries a
known reason code, every finding's span lies within its evidence, and, where they can
still be found, the input files and the rule pack are the ones the run read. Each check
is one `Check` with a status: `ok`, `problem`, or `skipped` (what cannot be checked here,
such as inputs not found under the given root). Reading only; nothing is changed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cs_qa.core.model import REASON_CODES
from cs_qa.dataset.schema import MANIFEST, TABLES

Status = Literal["ok", "problem", "skipped"]


class NotADataset(Exception):
    """The folder has no readable manifest.json: not a finished cs-qa dataset."""


@dataclass(frozen=True)
class Check:
    what: str  # e.g. "table conversations/part-00000.parquet", "input chat.jsonl"
    status: Status
    detail: str = ""


@dataclass
class Verification:
    dataset: Path
    checks: list[Check] = field(default_factory=list)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.status == "problem"]

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    if not out.is_dir():
        raise NotADataset(f"{out}: not a folder")
    if not path.is_file():
        raise NotADataset(
            f"{out}: no {MANIFEST}; not a finished cs-qa dataset (a run writes it last, so an "
            "interrupted or killed run has none)"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotADataset(f"{path}: unreadable ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("tool") != "cs-qa":
        raise NotADataset(f"{path}: not a cs-qa manifest")
    return manifest


def verify_dataset(
    out: Path, inputs_root: Path | None = None, *, require_inputs: bool = False
) -> Verification:
    """Every check of `out` against its manifest. Inputs are looked up under
    `inputs_root` (default: the current folder) by the relative paths the manifest
    records; a missing input is a problem only with `require_inputs`."""
    from cs_qa.dataset.store import file_sha256

    manifest = read_manifest(out)
    result = Verification(out)
    add = result.checks.append
    counts = manifest.get("counts") or {}
    read, scored, rejected = (counts.get(k) for k in ("read", "scored", "rejected"))
    if isinstance(read, int) and isinstance(scored, int) and isinstance(rejected, int):
        add(
            Check(
                "counts",
                "ok" if read == scored + rejected else "problem",
                f"read {read} = scored {scored} + rejected {rejected}"
                if read == scored + rejected
                else f"read {read} ≠ scored {scored} + rejected {rejected}",
            )
        )
    else:
        add(Check("counts", "problem", "the manifest has no read/scored/rejected counts"))

    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        add(Check("tables", "skipped", "the manifest records no table hashes (older cs-qa)"))
    else:
        _check_tables(out, tables, counts, add, file_sha256)
    add(_check_reason_codes(out))
    add(_check_spans(out))

    root = inputs_root or Path.cwd()
    for item in manifest.get("inputs") or []:
        name = str(item.get("path", ""))
        path = _find_input(item, root)
        what = f"input {name}"
        if path is None:
            status: Status = "problem" if require_inputs else "skipped"
            add(Check(what, status, f"not found under {root}"))
            continue
        size = path.stat().st_size
        if size != item.get("bytes") or file_sha256(path) != item.get("sha256"):
            add(Check(what, "problem", f"changed since the run ({size} bytes now)"))
        else:
            add(Check(what, "ok", "same bytes and SHA-256"))

    add(_check_pack(manifest.get("pack") or {}))
    return result


# Tables added after the manifest recorded table hashes: a run from before has none.
NEWER_TABLES = ("rule_errors",)


def _find_input(item: dict[str, Any], root: Path) -> Path | None:
    """Where an input the manifest records is now: under `root` by its path from the
    folder the run started in, as given (or at that absolute path), or by its name."""
    candidates = []
    for key in ("from_cwd", "given", "path"):
        value = item.get(key)
        if isinstance(value, str) and value:
            given = Path(value)
            candidates.append(given if given.is_absolute() else root / given)
    return next((p for p in candidates if p.is_file()), None)


def _check_tables(
    out: Path, tables: dict[str, Any], counts: dict[str, Any], add: Any, file_sha256: Any
) -> None:
    expected_rows = {
        "conversations": counts.get("scored"),
        "errors": counts.get("rejected"),
        "findings": counts.get("findings"),
        "rule_errors": counts.get("rule_errors"),
    }
    for name in TABLES:
        entry = tables.get(name)
        if entry is None and name in NEWER_TABLES and not (out / name).exists():
            continue  # written by a cs-qa from before the table existed
        if not isinstance(entry, dict):
            add(Check(f"table {name}", "problem", "missing from the manifest"))
            continue
        files = entry.get("files") or {}
        on_disk = (
            {f"{name}/{p.name}" for p in (out / name).glob("*.parquet")}
            if (out / name).is_dir()
            else set()
        )
        for extra in sorted(on_disk - set(files)):
            add(Check(f"table {extra}", "problem", "a file the run did not write"))
        for rel, recorded in sorted(files.items()):
            path = out / rel
            if not path.is_file():
                add(Check(f"table {rel}", "problem", "missing"))
            elif path.stat().st_size != recorded.get("bytes"):
                add(Check(f"table {rel}", "problem", "size differs from the manifest"))
            elif file_sha256(path) != recorded.get("sha256"):
                add(Check(f"table {rel}", "problem", "content differs from the manifest"))
            else:
                add(Check(f"table {rel}", "ok", f"{recorded.get('bytes')} bytes, SHA-256 ok"))
        want = expected_rows.get(name)
        rows = entry.get("rows")
        if want is not None and rows != want:
            add(Check(f"table {name}", "problem", f"{rows} rows, the counts say {want}"))


def _check_reason_codes(out: Path) -> Check:
    """Every row of the `errors` table has a known `reason_code` (cs_qa.core.model.ReasonCode);
    the detail counts the rows per code. A dataset written before the column existed is
    skipped."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    what = "table errors: reason codes"
    codes: Counter[str | None] = Counter()
    try:
        for part in sorted((out / "errors").glob("*.parquet")):
            if "reason_code" not in pq.read_schema(part).names:
                return Check(what, "skipped", "written by a cs-qa from before reason codes")
            codes.update(pq.read_table(part, columns=["reason_code"]).column(0).to_pylist())
    except (pa.ArrowException, OSError) as exc:
        return Check(what, "problem", f"unreadable ({exc})")
    unknown = sorted(str(code) for code in codes if code not in REASON_CODES)
    if unknown:
        return Check(what, "problem", "unknown reason code(s): " + ", ".join(unknown))
    if not codes:
        return Check(what, "ok", "no rejected record")
    counted = ", ".join(f"{code} {n}" for code, n in sorted(codes.items(), key=_by_count))
    return Check(what, "ok", counted)


def _check_spans(out: Path) -> Check:
    """Every finding's span (`span_start`, `span_end`) is either absent (both null) or a
    non-empty stretch of its `evidence`: 0 <= start < end <= len(evidence), in characters.
    A dataset written before the columns existed, or a table that cannot be read, is
    skipped."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    what = "table findings: spans"
    columns = ["span_start", "span_end", "evidence"]
    placed = bad = 0
    first = ""
    try:
        for part in sorted((out / "findings").glob("*.parquet")):
            if "span_start" not in pq.read_schema(part).names:
                return Check(what, "skipped", "written by a cs-qa from before finding spans")
            table = pq.read_table(part, columns=columns)
            start, end, evidence = (table.column(c) for c in columns)
            length = pc.fill_null(pc.utf8_length(evidence), 0)
            absent = pc.and_(pc.is_null(start), pc.is_null(end))
            within = pc.and_(
                pc.and_(pc.greater_equal(start, 0), pc.less(start, end)),
                pc.less_equal(end, length),
            )
            ok = pc.or_(absent, pc.fill_null(within, False))
            placed += len(table) - pc.sum(absent.cast(pa.int64())).as_py()
            wrong = len(table) - pc.sum(ok.cast(pa.int64())).as_py()
            if wrong and not first:
                row = pc.index(ok, False).as_py()
                first = (
                    f"; first in {part.name}, row {row}: "
                    f"[{start[row].as_py()}, {end[row].as_py()}) of {length[row].as_py()} "
                    "characters"
                )
            bad += wrong
    except (pa.ArrowException, OSError) as exc:
        # a damaged file is the problem its table check reports; not counted twice
        return Check(what, "skipped", f"unreadable ({exc})")
    if bad:
        return Check(what, "problem", f"{bad} span(s) outside their evidence{first}")
    return Check(what, "ok", f"{placed} span(s), all within their evidence")


def _by_count(item: tuple[str | None, int]) -> tuple[int, str]:
    return -item[1], str(item[0])


def _check_pack(pack: dict[str, Any]) -> Check:
    from cs_qa.packs.loader import builtin_packs, load_pack
    from cs_qa.packs.problems import PackError

    name, recorded = pack.get("name", "?"), pack.get("sha256")
    what = f"rule pack {name}"
    spec = str(pack.get("path") or "")
    if Path(spec).is_file():
        source = spec
    elif Path(spec).name.removesuffix(".yaml") in builtin_packs():
        source = Path(spec).name.removesuffix(".yaml")
    else:
        return Check(what, "skipped", f"{spec or 'its file'} not found here")
    try:
        current = load_pack(source).sha256
    except (PackError, OSError) as exc:
        return Check(what, "skipped", f"{spec} does not load now ({exc})")
    if current != recorded:
        return Check(what, "problem", f"{spec} has changed since the run (SHA-256 differs)")
    return Check(what, "ok", f"{spec}: same SHA-256")
