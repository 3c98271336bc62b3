"""Encoding detection and line-by-line decoding of input files.

Chinese exports arrive as UTF-8 (with or without BOM) or GB18030/GBK. Files are read as
bytes and decoded one physical line at a time, so one damaged line costs that line (or
that row's conversation), not the whole file.

A file that is not text at all (an image, an archive, a recording renamed .jsonl) is one
rejection of the file, not one error per "line" of noise: see `binary_reason`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

SAMPLE_SIZE = 64 * 1024

# Encodings in which b"\n" is not a line break on its own; such files are decoded whole.
_WIDE = ("utf-16", "utf-32")
_ASCII = bytes(range(128))


def _decodes(data: bytes, encoding: str, final: bool = True) -> bool:
    # The incremental decoder tolerates a character cut at the end of a sample (final=False),
    # which a plain bytes.decode would report as an error.
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, complete: bool = True) -> str:
    """Guess the encoding of a file from its first bytes.

    BOM -> utf-8-sig (or utf-16/32); valid UTF-8 -> utf-8; valid GB18030 with no line of
    non-ASCII UTF-8 -> gb18030; otherwise the encoding most lines of the sample decode
    in, and as a last resort charset-normalizer's guess. `complete` says the sample is
    the whole file.
    """
    bom = _bom_encoding(sample)
    if bom is not None:
        return bom
    if sample.isascii() or _decodes(sample, "utf-8", complete):
        return "utf-8"
    # A damaged line makes the whole sample invalid in every encoding; let the lines
    # vote, so that one bad line in a UTF-8 file does not turn the file into mojibake.
    # GB18030 decodes most byte strings, UTF-8 text included, while non-ASCII text in
    # another encoding is almost never valid UTF-8: a line valid in both is a UTF-8 vote,
    # else one line of binary junk would outvote a UTF-8 line of Chinese. A line weighs
    # as many non-ASCII bytes as it has, so that short junk does not outvote real text.
    lines = sample.split(b"\n")
    if not complete:
        lines = lines[:-1]
    # Binary junk (NUL bytes, control bytes) is no text in any encoding: it has no vote.
    lines = [
        line
        for line in lines
        if not line.isascii() and not _binary_line(line, _TEXT_ENCODINGS, _CONTROL_BYTES)
    ]
    utf8_lines = [_decodes(line, "utf-8") for line in lines]
    utf8 = sum(_non_ascii(line) for line, ok in zip(lines, utf8_lines, strict=True) if ok)
    gb = sum(
        _non_ascii(line)
        for line, ok in zip(lines, utf8_lines, strict=True)
        if not ok and _decodes(line, "gb18030")
    )
    if not utf8 and _decodes(sample, "gb18030", complete):
        return "gb18030"
    if utf8 and utf8 >= gb:
        return "utf-8"
    if gb:
        return "gb18030"
    import charset_normalizer  # only needed for files that are neither UTF-8 nor GB18030

    best = charset_normalizer.from_bytes(sample).best()
    if best is None or best.encoding is None:
        return "utf-8"
    encoding = codecs.lookup(best.encoding).name
    if encoding.startswith(_WIDE):
        # UTF-16/32 is only ever read with a byte-order mark. Without one, a guess of
        # UTF-16 comes from NUL bytes in junk, and decoding the whole file in it would
        # turn every line, the good ones too, into one line of nonsense.
        return "utf-8"
    return encoding


def _non_ascii(line: bytes) -> int:
    return len(line.translate(None, _ASCII))


def _bom_encoding(sample: bytes) -> str | None:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # checked before UTF-16: the UTF-32 LE BOM starts with UTF-16's
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def file_encoding(path: Path, override: str | None = None) -> str:
    """The encoding to read `path` with: `override` when given, else detected."""
    if override:
        return override
    with path.open("rb") as f:
        sample = f.read(SAMPLE_SIZE)
    return detect_encoding(sample, complete=len(sample) < SAMPLE_SIZE)


def read_whole(path: Path, override: str | None = None) -> tuple[bytes, str]:
    """A whole file's bytes and their encoding (the override, or detected from the start)."""
    data = path.read_bytes()
    encoding = override or detect_encoding(data[:SAMPLE_SIZE], complete=len(data) <= SAMPLE_SIZE)
    return data, encoding


def raw_lines(path: Path, encoding: str) -> tuple[Iterator[tuple[int, bytes]], str]:
    """Physical lines of a file as (1-based line number, bytes with line ending).

    Returns the lines and the encoding to decode them with: UTF-16/32 files are decoded
    whole and handed out as UTF-8, since their line breaks are not single bytes.
    """
    if codecs.lookup(encoding).name.startswith(_WIDE):
        text = path.read_bytes().decode(encoding)
        lines = [line.encode("utf-8") for line in text.splitlines(keepends=True)]
        return iter(enumerate(lines, 1)), "utf-8"
    return _iter_file_lines(path), encoding


def _iter_file_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as f:
        yield from enumerate(f, 1)


def decode_line(raw: bytes, encoding: str) -> str:
    """Decode one line; raises UnicodeDecodeError (see `describe_decode_error`)."""
    return raw.decode(encoding)


def nul_reason(raw: bytes) -> str | None:
    """Why a line that decodes is still not text: NUL bytes (binary data in a text file
    that turned to junk part way). None for a line without any."""
    at = raw.find(b"\x00")
    if at < 0:
        return None
    return f"line holds binary data: a NUL byte at byte {at + 1}"


def describe_decode_error(exc: UnicodeDecodeError, encoding: str) -> str:
    """A reader-friendly reason for an undecodable line."""
    bad = exc.object[exc.start : exc.end]
    return f"line is not valid {encoding}: bytes {bad.hex(' ')} at byte {exc.start + 1}"


# Undecodable bytes kept in a text by errors="surrogateescape" (one escape per byte).
ESCAPED = re.compile("[\udc80-\udcff]+")


def describe_escaped(text: str, at: int, encoding: str) -> str:
    """`describe_decode_error` for the bytes escaped at `text[at]` (a text decoded with
    errors="surrogateescape")."""
    run = ESCAPED.match(text, at)
    bad = bytes(ord(c) - 0xDC00 for c in run.group()) if run else b""
    start = text.rfind("\n", 0, at) + 1
    column = len(text[start:at].encode(encoding, errors="surrogateescape")) + 1
    return f"line is not valid {encoding}: bytes {bad.hex(' ')} at byte {column}"


class FileSample:
    """The first bytes of a file, read once and shared by the format sniffers.

    `text` is the decoded sample (undecodable bytes replaced, BOM removed); `lines` are
    its complete lines, so a line cut at the end of the sample is never judged.
    """

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        with path.open("rb") as f:
            self.raw = f.read(SAMPLE_SIZE)
        self.complete = len(self.raw) < SAMPLE_SIZE
        self.encoding = encoding or detect_encoding(self.raw, complete=self.complete)
        # Sniffing only looks, so a damaged byte must not fail it; readers report it.
        self.text = self.raw.decode(self.encoding, errors="replace").lstrip("\ufeff")
        lines = self.text.split("\n")
        if not self.complete and len(lines) > 1:
            lines = lines[:-1]
        self.lines = [line.rstrip("\r") for line in lines]


# --- Text or binary ------------------------------------------------------------------

# Formats whose first bytes can pass for a line of text (PNG's "\x89PNG" is valid GB18030,
# a PDF starts with an ASCII line), and those a transcript folder often holds beside the
# transcripts (recordings, spreadsheets, archives). Any other binary file is told by its
# bytes (`binary_reason`).
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an .xlsx or .docx file)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office 97 file (.xls, .doc)"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\xfd7zXZ\x00", "an xz file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"#!AMR", "an AMR recording"),
    (b"ID3\x03", "an MP3 recording"),
    (b"ID3\x04", "an MP3 recording"),
    (b"OggS\x00", "an Ogg recording"),
    (b"fLaC", "a FLAC recording"),
    (b"\x7fELF", "a program (ELF)"),
)

# Control bytes that text does not hold. Tab, line breaks, form feeds, ESC (terminal
# colours in .log files) and SUB (the end-of-file mark of old DOS exports) are text.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1a\x1b") + b"\x7f"
_TEXT_ENCODINGS = ("utf-8", "gb18030")
# A line is binary when it holds a NUL byte, or when more than this share of its bytes
# are control bytes or decode in none of the text encodings. Random bytes have about
# 20% such bytes per line, text none; a UTF-8 line with a damaged character a few.
_BINARY_SHARE = 0.10


def binary_reason(
    path: Path, encoding: str | None = None, delimiter: str | None = None
) -> str | None:
    """Why `path` is not a text file, or None when it is (or may be) one.

    Judged on the first 64 KiB. A file is not text when it starts with the signature of a
    binary format (`BINARY_SIGNATURES`), when it has a UTF-16/32 byte-order mark (or that
    `encoding`) but does not decode in it, or when its first non-blank line is binary and
    so are more than half of its non-blank lines. A line is binary when it holds a NUL
    byte, or when over a tenth of its bytes are control bytes (not tab, line breaks, ESC,
    or the `delimiter` of a table) or decode neither as UTF-8 nor as GB18030 (nor as
    `encoding`). A file that starts as text is text: its junk lines are errors at their
    own lines, its good lines are read.
    """
    with path.open("rb") as f:
        head = f.read(SAMPLE_SIZE)
    complete = len(head) < SAMPLE_SIZE
    for signature, kind in BINARY_SIGNATURES:
        if head.startswith(signature):
            return f"not a text file: it starts like {kind}"
    wide = encoding or _bom_encoding(head)
    if wide is not None and codecs.lookup(wide).name.startswith(_WIDE):
        if _decodes(head, wide, complete):
            return None
        named = "the encoding given" if encoding else "the encoding its byte-order mark names"
        return f"not a text file: not valid {codecs.lookup(wide).name.upper()} ({named})"
    encodings: tuple[str, ...] = _TEXT_ENCODINGS
    if encoding and codecs.lookup(encoding).name not in encodings:
        encodings = (*encodings, encoding)
    controls = _CONTROL_BYTES
    if delimiter and len(delimiter.encode()) == 1:
        controls = controls.replace(delimiter.encode(), b"")
    if b"\x00" not in head and len(head.translate(None, controls)) == len(head):
        if any(_decodes(head, e, complete) for e in encodings):
            return None  # the usual case, decided without looking at lines
    lines = head.split(b"\n")
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # cut by the sample's end
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    if not numbered:
        return None
    binary = [n for n, line in numbered if _binary_line(line, encodings, controls)]
    if not binary or binary[0] != numbered[0][0] or 2 * len(binary) <= len(numbered):
        return None
    names = " or ".join(e.upper() for e in encodings)
    if len(numbered) == 1:
        where = f"line {binary[0]} is binary data"
    else:
        where = f"{len(binary)} of its first {len(numbered)} lines are binary data"
    return f"not a text file: {where} (NUL or control bytes, or bytes that are not {names})"


def _binary_line(line: bytes, encodings: tuple[str, ...], controls: bytes) -> bool:
    if b"\x00" in line:
        return True
    junk = len(line) - len(line.translate(None, controls))
    junk += min(_undecodable(line, e) for e in encodings)
    return junk > _BINARY_SHARE * len(line)


def _undecodable(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        escaped = data.decode(encoding, errors="surrogateescape")
        return sum(len(run) for run in ESCAPED.findall(escaped))
    return 0
