"""Input adapters: transcript files in, `Conversation` or `Rejected` records out.

`read_inputs` is the one entry point of a batch: it expands directories, picks a reader
by file suffix and never stops on a bad file or record; each problem becomes a
`Rejected` with the file's display name, the line and a reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from cs_qa.ingest.jsonl import conversation_from_record, read_json, read_jsonl
from cs_qa.ingest.mapping import FIELDS, ColumnMapping, load_mapping, parse_map_options
from cs_qa.ingest.speakers import normalize_speaker
from cs_qa.ingest.table import read_delimited, read_parquet
from cs_qa.model import Conversation, Rejected

__all__ = [
    "FIELDS",
    "SUFFIXES",
    "ColumnMapping",
    "conversation_from_record",
    "discover",
    "load_mapping",
    "normalize_speaker",
    "parse_map_options",
    "read_file",
    "read_inputs",
]

Reader = Callable[[Path, str, ColumnMapping | None], Iterator[Conversation | Rejected]]

# One reader registry: suffix -> reader. Directories are expanded to these suffixes.
_READERS: dict[str, Reader] = {
    ".jsonl": read_jsonl,
    ".json": read_json,
    ".csv": read_delimited,
    ".tsv": read_delimited,
    ".parquet": read_parquet,
}
SUFFIXES: tuple[str, ...] = tuple(_READERS)
# Read when named explicitly, never picked up from a directory: exports such as JD's
# chat log come as .txt, but a folder's .txt files are usually notes.
_EXPLICIT_ONLY: dict[str, Reader] = {".txt": read_delimited}


def discover(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Expand the arguments into input files, as (path, display name).

    Directories are walked recursively in sorted order, keeping files with a known suffix
    and skipping hidden files and folders; a file named explicitly is always kept. The
    display name is the path relative to the parent of the argument it came from, with
    "/" separators, so it does not depend on the working directory. A file reached twice
    is listed once. Raises FileNotFoundError for an argument that does not exist.
    """
    found: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for arg in map(Path, paths):
        if not arg.exists():
            raise FileNotFoundError(f"input not found: {arg}")
        absolute = Path(os.path.abspath(arg))
        base = absolute.parent
        if absolute.is_dir():
            files = [(arg / rel, absolute / rel) for rel in _walk(absolute)]
        else:
            files = [(arg, absolute)]
        for path, full in files:
            key = os.path.realpath(full)
            if key in seen:
                continue
            seen.add(key)
            found.append((path, full.relative_to(base).as_posix()))
    return found


def _walk(root: Path) -> list[Path]:
    rels: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder).relative_to(root)
        rels.extend(
            here / n for n in names if not n.startswith(".") and Path(n).suffix.lower() in _READERS
        )
    return sorted(rels, key=lambda p: p.parts)


def read_file(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read one file with the reader for its suffix. Never raises: a file that cannot be
    read or decoded yields one `Rejected(name, 0, reason)`."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix) or _EXPLICIT_ONLY.get(suffix)
    if reader is None:
        yield Rejected(
            name,
            0,
            f"unsupported file type {suffix or '(none)'!r}; expected one of " + ", ".join(SUFFIXES),
        )
        return
    try:
        yield from reader(path, name, mapping)
    except OSError as exc:
        yield Rejected(name, 0, f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:
        # One broken file must not stop a batch of thousands; the reason says what broke.
        yield Rejected(name, 0, f"cannot read file: {type(exc).__name__}: {exc}")


def read_inputs(
    paths: Sequence[Path], mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Discover the input files (eagerly, so a missing path raises at once) and read each
    in order."""
    files = discover(paths)

    def generate() -> Iterator[Conversation | Rejected]:
        for path, name in files:
            yield from read_file(path, name, mapping)

    return generate()
