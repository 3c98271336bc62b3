"""Text normalisation for matching.

Rules match on normalised text so that one phrase list covers Traditional and
Simplified script, full-width and half-width characters, and the spaces speech
recognition puts between Chinese characters. Evidence always shows the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    import opencc

# The CJK characters, CJK punctuation and full-width forms, as the inside of a regex
# character class: normalize() removes a run of spaces with one of them on both sides.
CJK_CLASS = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK_CLASS}])\s+(?=[{CJK_CLASS}])")
_SPACES = re.compile(r"\s+")
# Chat emoticon codes ([微笑], [OK]) and export placeholders ([数字x]) are not words.
_CODES = re.compile(r"\[[^\[\]\s]{1,6}\]")
# Everything that is not a letter or a digit (Unicode categories L and N).
_NOT_SPOKEN = regex.compile(r"[^\p{L}\p{N}]+")
# A character or a short word said again straight after itself: 嗯嗯, 好的好的.
_REPEATS = re.compile(r"(.{1,4}?)\1+")


@lru_cache(maxsize=1)
def simplified_converter() -> opencc.OpenCC:
    """The OpenCC converter normalize() uses, Traditional to Simplified (tw2s), loaded once."""
    # Imported lazily: OpenCC loads its dictionaries on first use. tw2s rather than t2s:
    # it also folds Taiwan variants (著急 -> 着急) while keeping 著名.
    import opencc

    return opencc.OpenCC("tw2s")


# Blocks of CJK characters (and their punctuation and compatibility forms) OpenCC knows.
_CJK_BLOCKS = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
               (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0x20000, 0x2FA1F))  # fmt: skip


@lru_cache(maxsize=1)
def _convertible() -> frozenset[str]:
    """Every character OpenCC tw2s changes on its own (about 5,000,
    asked of OpenCC itself once per process, ~0.1 s). A text with none of them is
    Simplified already and skips OpenCC, which is most of normalisation's cost: its
    phrase entries exist to refine how such characters convert in context (乾隆 keeps
    乾), so they start from these characters too. Checked on 195,657 texts (generated
    and real JD chats): no text without one of them is changed by OpenCC."""
    chars = [chr(c) for first, last in _CJK_BLOCKS for c in range(first, last + 1)]
    converted = simplified_converter().convert(_SEP.join(chars)).split(_SEP)
    # A set, not a regex character class: `re` takes ~100 µs to search a conversation
    # for one of 5,000 characters, set.isdisjoint ~3 µs.
    return frozenset(c for c, d in zip(chars, converted, strict=True) if c != d)


def _to_simplified(text: str) -> str:
    return text if _convertible().isdisjoint(text) else simplified_converter().convert(text)


def normalize(text: str) -> str:
    """Return the matching form of `text`.

    Width folding (NFKC), lower-case Latin, Traditional to Simplified (OpenCC tw2s),
    spaces removed between Chinese characters and other runs of space collapsed.
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).lower()
    if not folded.isascii():
        # Spaces go first: OpenCC reads a lone character differently (么 alone -> 幺).
        folded = _SPACE_BETWEEN_CJK.sub("", folded)
        folded = _to_simplified(folded)
    return _SPACES.sub(" ", folded).strip()


# Joins the texts of one conversation for a single OpenCC call (its per-call cost is
# larger than its per-character cost). A private-use character: NFKC, lower-casing and
# OpenCC leave it alone, no dictionary entry contains it, and it is neither a space nor
# CJK, so no rule can join two texts across it.
_SEP = "\ue000"
_WHITESPACE = re.compile(r"\s")


def normalize_all(texts: Sequence[str]) -> list[str]:
    """`[normalize(t) for t in texts]`, faster: one OpenCC call for all the texts (the
    turns of a conversation), and no space handling for texts without spaces."""
    folded = [unicodedata.normalize("NFKC", t).lower() if t else "" for t in texts]
    spaced = [_WHITESPACE.search(f) is not None for f in folded]
    chinese = [i for i, f in enumerate(folded) if not f.isascii()]
    for i in chinese:
        if spaced[i]:
            folded[i] = _SPACE_BETWEEN_CJK.sub("", folded[i])
    joined = _SEP.join(folded[i] for i in chinese)
    if chinese and not _convertible().isdisjoint(joined):  # else all Simplified already
        converted = simplified_converter().convert(joined).split(_SEP)
        if len(converted) != len(chinese):  # a text held the separator itself
            converted = [_to_simplified(folded[i]) for i in chinese]
        for i, text in zip(chinese, converted, strict=True):
            folded[i] = text
    return [_SPACES.sub(" ", f).strip() if s else f for f, s in zip(folded, spaced, strict=True)]


def bare(text: str, *, collapse: bool = False) -> str:
    """Only the letters and digits of an already normalised `text`: spaces, punctuation,
    symbols, emoji (~ ～ … ! ? 。 😊) and emoticon codes ([微笑]) are dropped; with
    `collapse`, a character or short word repeated straight after itself counts once
    (嗯嗯 -> 嗯, 好的好的 -> 好的)."""
    return _bare(text, collapse)


@lru_cache(maxsize=8192)
def _bare(text: str, collapse: bool) -> str:
    # Cached: the short-reply, repetition and speech-rate checks ask for the same turns.
    kept = _NOT_SPOKEN.sub("", _CODES.sub("", text))
    return _REPEATS.sub(r"\1", kept) if collapse else kept


def spoken_chars(text: str) -> int:
    """Characters that are spoken: the letters and digits of the (normalised) text."""
    return len(bare(text))


# ------------------------------------------------------------ offsets in the original text


@dataclass(frozen=True, slots=True)
class Normalised:
    """`normalize(original)` with where each of its characters came from: character `i`
    of `text` stems from `original[starts[i]:ends[i]]`, one character or several that
    normalisation merged (a base and its combining mark, a phrase OpenCC rewrites as a
    whole); characters NFKC makes of one (… -> ...) share its source. Removed characters
    (spaces between Chinese characters, a run of spaces but its first, leading and
    trailing spaces) are the source of none."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the non-empty `text[start:end]` was
        normalised from: its first character's start to its last character's end."""
        return self.starts[start], self.ends[end - 1]


def normalize_with_offsets(text: str) -> Normalised:
    """`normalize(text)` (the same string: the same steps, in the same order) with the
    offset in `text` of each of its characters, to show a match where it was written.

    Slower than `normalize`, which matching uses: asked only for the turns that have a
    finding. Each step keeps the offsets of what it left: NFKC and lower-casing by
    character (a character that only folds together with its neighbours, like a
    combining mark, is followed until the rest of the text folds on its own), the removal
    of spaces between Chinese characters, OpenCC by character (a phrase it converts
    differently as a whole, 部落格 -> 博客, maps to the whole phrase), then the runs of
    spaces collapsed and the ends stripped.
    """
    if not text:
        return Normalised("", (), ())
    folded = unicodedata.normalize("NFKC", text).lower()
    starts, ends = _fold_offsets(text, folded)
    if not folded.isascii():
        folded, starts, ends = _replace(folded, starts, ends, _SPACE_BETWEEN_CJK, "")
        converted = _to_simplified(folded)
        if converted != folded:
            starts, ends = _conversion_offsets(folded, converted, starts, ends)
            folded = converted
    folded, starts, ends = _replace(folded, starts, ends, _SPACES, " ")
    # stripped: after the collapse a space at either end is one " "
    lo = 1 if folded.startswith(" ") else 0
    hi = len(folded) - 1 if folded.endswith(" ") and len(folded) > lo else len(folded)
    return Normalised(folded[lo:hi], starts[lo:hi], ends[lo:hi])


class _FoldedChars(dict[str, str]):
    """NFKC and lower case of single characters, each computed once."""

    def __missing__(self, char: str) -> str:
        folded = self[char] = unicodedata.normalize("NFKC", char).lower()
        return folded


_FOLDED = _FoldedChars()


def _fold_offsets(text: str, folded: str) -> tuple[Sequence[int], Sequence[int]]:
    """Offsets in `text` of the characters of `folded` (its NFKC, lower case)."""
    n = len(text)
    if folded == text:
        return range(n), range(1, n + 1)
    pieces = list(map(_FOLDED.__getitem__, text))
    if "".join(pieces) != folded:
        return _fold_offsets_in_context(text, folded)
    if len(folded) == n:  # no character folds to nothing (NFKC removes none): one for one
        return range(n), range(1, n + 1)
    starts: list[int] = []
    ends: list[int] = []
    for i, piece in enumerate(pieces):
        starts += [i] * len(piece)
        ends += [i + 1] * len(piece)
    return starts, ends


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _fold_offsets_in_context(text: str, folded: str) -> tuple[list[int], list[int]]:
    """`_fold_offsets` where some character folds differently in its text than alone
    (composition, Greek final sigma): `text` is cut into the shortest pieces that fold to
    the next part of `folded` while the rest of `text` folds to the rest of `folded`.
    Quadratic, for the rare text that needs it."""
    starts: list[int] = []
    ends: list[int] = []
    n = len(text)
    i = j = 0
    while i < n:
        for k in range(i + 1, n + 1):
            piece = _fold(text[i:k])
            if folded.startswith(piece, j) and (
                k == n or _fold(text[k:]) == folded[j + len(piece) :]
            ):
                break
        starts += [i] * len(piece)
        ends += [k] * len(piece)
        i, j = k, j + len(piece)
    if len(starts) != len(folded):  # cannot happen (the whole text is always a piece)
        return [0] * len(folded), [n] * len(folded)
    return starts, ends


def _replace(
    text: str, starts: Sequence[int], ends: Sequence[int], pattern: re.Pattern[str], by: str
) -> tuple[str, Sequence[int], Sequence[int]]:
    """`pattern.sub(by, text)` for a `by` of at most one character, with the offsets: the
    character `by` stems from all the characters it replaces."""
    spans = [m.span() for m in pattern.finditer(text)]
    if not spans:
        return text, starts, ends
    chars: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for a, b in spans:
        chars.append(text[last:a])
        new_starts += starts[last:a]
        new_ends += ends[last:a]
        if by:
            chars.append(by)
            new_starts.append(starts[a])
            new_ends.append(ends[b - 1])
        last = b
    chars.append(text[last:])
    new_starts += starts[last:]
    new_ends += ends[last:]
    return "".join(chars), new_starts, new_ends


def _conversion_offsets(
    before: str, after: str, starts: Sequence[int], ends: Sequence[int]
) -> tuple[list[int], list[int]]:
    """The offsets of `after`, OpenCC's conversion of `before`, from those of `before`.

    Each character converted on its own (in one call, between separators) gives the
    usual one-for-one map. Where OpenCC converts a phrase differently as a whole (部落格
    -> 博客, or 么, which alone it reads as 幺), the alignment of the two conversions
    (difflib) maps a stretch of equal length character for character, and any other to
    the whole stretch of `before`."""
    alone = _to_simplified(_SEP.join(before)).split(_SEP)
    if len(alone) != len(before):  # the text held the separator itself
        alone = [_to_simplified(c) for c in before]
    owner = [i for i, piece in enumerate(alone) for _ in piece]
    new_starts: list[int] = []
    new_ends: list[int] = []
    joined = "".join(alone)
    if joined == after:
        return [starts[i] for i in owner], [ends[i] for i in owner]
    matcher = SequenceMatcher(None, joined, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or i2 - i1 == j2 - j1:
            new_starts += (starts[owner[i]] for i in range(i1, i2))
            new_ends += (ends[owner[i]] for i in range(i1, i2))
        elif j2 > j1:  # a stretch of another length, or an insertion (next to what precedes)
            first, last = (i1, i2 - 1) if i2 > i1 else (max(i1 - 1, 0), max(i1 - 1, 0))
            new_starts += [starts[owner[first]]] * (j2 - j1)
            new_ends += [ends[owner[last]]] * (j2 - j1)
    return new_starts, new_ends
