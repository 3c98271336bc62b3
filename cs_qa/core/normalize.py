"""Text normalisation for matching.

Rules match on normalised text so that one phrase list covers Traditional and
Simplified script, full-width and half-width characters, and the spaces speech
recognition puts between Chinese characters. Evidence always shows the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    import opencc

# A run of spaces with a CJK character (or CJK punctuation) on both sides.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# Chat emoticon codes ([微笑], [OK]) and export placeholders ([数字x]) are not words.
_CODES = re.compile(r"\[[^\[\]\s]{1,6}\]")
# Everything that is not a letter or a digit (Unicode categories L and N).
_NOT_SPOKEN = regex.compile(r"[^\p{L}\p{N}]+")
# A character or a short word said again straight after itself: 嗯嗯, 好的好的.
_REPEATS = re.compile(r"(.{1,4}?)\1+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
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
    converted = _t2s().convert(_SEP.join(chars)).split(_SEP)
    # A set, not a regex character class: `re` takes ~100 µs to search a conversation
    # for one of 5,000 characters, set.isdisjoint ~3 µs.
    return frozenset(c for c, d in zip(chars, converted, strict=True) if c != d)


def _to_simplified(text: str) -> str:
    return text if _convertible().isdisjoint(text) else _t2s().convert(text)


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
        converted = _t2s().convert(joined).split(_SEP)
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
