"""Input adapters: transcript files in, `Conversation` or `Rejected` records out.

`read_inputs` is the one entry point of a batch: it expands directories, picks a reader
for each file from the format registry (`FORMATS`: suffix, then content sniffing) and
never stops on a bad file or record; each problem becomes a `Rejected` with the file's
display name, the line and a reason. A file of a text format that is not text (an image
or an archive renamed .jsonl) is one rejection at line 0, before any reader sees it
(`binary_reason`). docs/formats.md describes every format.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cs_qa.core.model import Conversation, Rejected
from cs_qa.ingest import asr, chatlog
from cs_qa.ingest.asr import read_asr
from cs_qa.ingest.chatlog import read_chatlog
from cs_qa.ingest.encoding import FileSample, binary_reason
from cs_qa.ingest.jsonl import conversation_from_record, read_json, read_jsonl
from cs_qa.ingest.mapping import FIELDS, ColumnMapping, load_mapping, parse_map_options
from cs_qa.ingest.speakers import normalize_speaker
from cs_qa.ingest.subtitles import read_srt, read_vtt
from cs_qa.ingest.table import read_delimited, read_parquet

__all__ = [
    "FIELDS",
    "FORMATS",
    "SUFFIXES",
    "ColumnMapping",
    "Format",
    "conversation_from_record",
    "detect_format",
    "discover",
    "load_mapping",
    "normalize_speaker",
    "parse_map_options",
    "read_file",
    "read_inputs",
]

Reader = Callable[[Path, str, ColumnMapping | None], Iterator[Conversation | Rejected]]
Sniffer = Callable[[FileSample, ColumnMapping | None], bool]


@dataclass(frozen=True, slots=True)
class Format:
    """One input format: the suffixes it may have, its reader and how to recognise it.

    For a file, the formats listed for its suffix are tried in registry order: the first
    whose `sniff` accepts the head of the file wins; when none does, the one marked
    `default` reads it (and says what is wrong if the content is not what it expects).
    Files of a `text` format are checked to be text before their reader is called.
    """

    name: str
    suffixes: tuple[str, ...]
    reader: Reader
    sniff: Sniffer | None = None
    default: bool = False
    text: bool = True


# The one reader registry. Directories are expanded to the suffixes listed here.
FORMATS: tuple[Format, ...] = (
    Format("jsonl", (".jsonl",), read_jsonl, default=True),
    # A .json is canonical unless its records carry a speech-recognition sentence list.
    Format("asr-json", (".json",), read_asr, sniff=asr.sniff),
    Format("json", (".json",), read_json, default=True),
    Format("table", (".csv", ".tsv"), read_delimited, default=True),
    Format("parquet", (".parquet",), read_parquet, default=True, text=False),
    # A .txt is a chat log when a line looks like one, else a table when its first line
    # has a tab or the mapping's delimiter (JD ships its export as .txt); otherwise the
    # chat-log reader rejects it.
    Format("chat-log", (".txt", ".log"), read_chatlog, sniff=chatlog.sniff, default=True),
    Format("table-txt", (".txt",), read_delimited, sniff=chatlog.sniff_table),
    Format("webvtt", (".vtt",), read_vtt, default=True),
    Format("srt", (".srt",), read_srt, default=True),
)
SUFFIXES: tuple[str, ...] = tuple(dict.fromkeys(s for f in FORMATS for s in f.suffixes))

# Documentation that shares a suffix with inputs (README.txt, notes.txt) is not an input
# when met inside a folder; named explicitly, it is read like any file.
_DOC_STEMS = frozenset(
    {"readme", "license", "licence", "changelog", "changes", "notes", "authors", "todo"}
)


def detect_format(path: Path, mapping: ColumnMapping | None = None) -> Format | None:
    """The format to read `path` with (see `Format`), None for an unknown suffix.

    Reads the head of the file only when its suffix has formats with a sniffer; raises
    OSError when it cannot."""
    suffix = Path(path).suffix.lower()
    candidates = [f for f in FORMATS if suffix in f.suffixes]
    if not candidates:
        return None
    if any(f.sniff for f in candidates):
        sample = FileSample(Path(path), mapping.encoding if mapping else None)
        for f in candidates:
            if f.sniff is not None and f.sniff(sample, mapping):
                return f
    return next(f for f in candidates if f.default)


def discover(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Expand the arguments into input files, as (path, display name).

    Directories are walked recursively in sorted order, keeping files with a suffix of
    `SUFFIXES` and skipping hidden files and folders and documentation (README.txt,
    notes.txt …); a file named explicitly is always kept. The display name is the path
    relative to the parent of the argument it came from, with "/" separators, so it does
    not depend on the working directory. A file reached twice is listed once. Raises
    FileNotFoundError for an argument that does not exist.
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
        rels.extend(here / n for n in names if _is_input(n))
    return sorted(rels, key=lambda p: p.parts)


def _is_input(filename: str) -> bool:
    path = Path(filename)
    return (
        not filename.startswith(".")
        and path.suffix.lower() in SUFFIXES
        and path.stem.lower() not in _DOC_STEMS
        and "readme" not in path.stem.lower()  # JDDC_readme.txt sits next to JD's export
    )


def read_file(
    path: Path, name: str, mapping: ColumnMapping | None = None
) -> Iterator[Conversation | Rejected]:
    """Read one file with the reader of its format (`detect_format`). Never raises: a file
    that cannot be read, or is not text in a text format, yields one
    `Rejected(name, 0, reason)`."""
    path = Path(path)
    try:
        fmt = detect_format(path, mapping)
        if fmt is None:
            suffix = path.suffix.lower()
            yield Rejected(
                name,
                0,
                f"unsupported file type {suffix or '(none)'!r}; expected one of "
                + ", ".join(SUFFIXES),
                code="unsupported_file",
            )
            return
        if fmt.text:
            reason = binary_reason(
                path, mapping.encoding if mapping else None, mapping.delimiter if mapping else None
            )
            if reason is not None:
                yield Rejected(name, 0, reason, code="binary_file")
                return
        yield from fmt.reader(path, name, mapping)
    except OSError as exc:
        yield Rejected(name, 0, f"cannot read file: {exc.strerror or exc}", code="unreadable_file")
    except Exception as exc:
        # One broken file must not stop a batch of thousands; the reason says what broke.
        yield Rejected(
            name, 0, f"cannot read file: {type(exc).__name__}: {exc}", code="reader_error"
        )


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
