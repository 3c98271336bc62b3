"""Encoding detection and line-by-line decoding of input files.

Chinese exports arrive as UTF-8 (with or without BOM) or GB18030/GBK. Files are read as
bytes and decoded one physical line at a time, so one damaged line costs that line (or
that row's conversation), not the whole file.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

SAMPLE_SIZE = 64 * 1024

# Encodings in which b"\n" is not a line break on its own; such files are decoded whole.
_WIDE = ("utf-16", "utf-32")


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
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # checked before UTF-16: the UTF-32 LE BOM starts with UTF-16's
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.isascii() or _decodes(sample, "utf-8", complete):
        return "utf-8"
    # A damaged line makes the whole sample invalid in every encoding; let the lines
    # vote, so that one bad line in a UTF-8 file does not turn the file into mojibake.
    # GB18030 decodes most byte strings, UTF-8 text included, while non-ASCII text in
    # another encoding is almost never valid UTF-8: a line valid in both is a UTF-8 vote,
    # else one line of binary junk would outvote a UTF-8 line of Chinese.
    lines = sample.split(b"\n")
    if not complete:
        lines = lines[:-1]
    lines = [line for line in lines if not line.isascii()]
    utf8_lines = [_decodes(line, "utf-8") for line in lines]
    utf8 = sum(utf8_lines)
    gb = sum(
        _decodes(line, "gb18030") for line, ok in zip(lines, utf8_lines, strict=True) if not ok
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
    return codecs.lookup(best.encoding).name


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


def describe_decode_error(exc: UnicodeDecodeError, encoding: str) -> str:
    """A reader-friendly reason for an undecodable line."""
    bad = exc.object[exc.start : exc.end]
    return f"line is not valid {encoding}: bytes {bad.hex(' ')} at byte {exc.start + 1}"


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
