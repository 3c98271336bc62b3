"""Where a finding's matched phrases are in a turn's stored text (`cs-qa show`):
`highlight_spans` maps the normalised phrases a rule matched back onto the original text
(Traditional, full-width or spaced speech recognition), through `normalised_with_map`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from cs_qa.core.normalize import CJK_CLASS, bare, simplified_converter

# A `matched` value that is a measurement or a marker, not text of the turn.
_MEASUREMENT = re.compile(r"^\d+(?:\.\d+)?(?:s|字/分)$")
_MARKERS = frozenset({"no reply", "never came back"})
_IS_CJK = re.compile(f"[{CJK_CLASS}]")  # the class normalize() removes spaces between


def normalised_with_map(original: str) -> tuple[str, list[int]]:
    """`normalize(original)` built character by character, with for each character of
    the result the index of the original character it came from.

    Each character is folded on its own (NFKC, lower-case); spaces between two Chinese
    characters are dropped, other runs of space become one, leading and trailing space
    goes, as in `normalize()`. OpenCC converts the whole folded text when that keeps its
    length (it reads a lone character differently: 么 alone becomes 幺), else each
    character on its own. The one known difference from `normalize()`: a combining mark
    that NFKC would compose with the character before it stays separate.
    """
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(original):
        for f in unicodedata.normalize("NFKC", c).lower():
            chars.append(f)
            where.append(i)

    kept: list[str] = []
    kept_where: list[int] = []
    j = 0
    while j < len(chars):
        if not chars[j].isspace():
            kept.append(chars[j])
            kept_where.append(where[j])
            j += 1
            continue
        k = j
        while k < len(chars) and chars[k].isspace():
            k += 1
        before = kept[-1] if kept else ""
        after = chars[k] if k < len(chars) else ""
        if before and after and not (_IS_CJK.match(before) and _IS_CJK.match(after)):
            kept.append(" ")
            kept_where.append(where[j])
        j = k

    folded = "".join(kept)
    if folded.isascii():
        return folded, kept_where
    converter = simplified_converter()
    whole = converter.convert(folded)
    if len(whole) == len(folded):
        return whole, kept_where
    out: list[str] = []
    out_where: list[int] = []
    for c, i in zip(kept, kept_where, strict=True):
        for f in converter.convert(c):
            out.append(f)
            out_where.append(i)
    return "".join(out), out_where


def _occurrences(text: str, phrase: str) -> list[int]:
    starts: list[int] = []
    at = text.find(phrase)
    while at >= 0:
        starts.append(at)
        at = text.find(phrase, at + 1)
    return starts


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def split_matched(matched: str) -> list[str]:
    """The phrases of a finding's `matched` value: several are joined by 、; a
    measurement (45s, 280字/分) or a marker (no reply) gives none."""
    phrases = []
    for part in (matched or "").split("、"):
        part = part.strip()
        if part and part not in _MARKERS and not _MEASUREMENT.match(part):
            phrases.append(part)
    return phrases


def highlight_spans(original: str, phrases: Sequence[str]) -> list[tuple[int, int]]:
    """Spans `[start, end)` of `original` where the normalised `phrases` occur.

    `phrases` are in normalised form (Simplified, half-width, lower-case, no spaces
    between Chinese characters) while `original` is the stored text (Traditional,
    full-width or spaced speech recognition). Every occurrence is returned; a phrase
    not found in the normalised text is looked for among its letters and digits only
    (checks such as repetition report the text without punctuation). Overlapping or
    touching spans are merged, sorted.
    """
    if not original or not phrases:
        return []
    text, where = normalised_with_map(original)
    spans: list[tuple[int, int]] = []
    bare_text: str | None = None
    bare_where: list[int] = []
    for phrase in phrases:
        phrase = phrase.strip()
        if not phrase:
            continue
        starts = _occurrences(text, phrase)
        if starts:
            spans.extend((where[s], where[s + len(phrase) - 1] + 1) for s in starts)
            continue
        needle = bare(phrase)
        if not needle:
            continue
        if bare_text is None:
            kept = [(c, where[i]) for i, c in enumerate(text) if bare(c)]
            bare_text = "".join(c for c, _ in kept)
            bare_where = [i for _, i in kept]
        spans.extend(
            (bare_where[s], bare_where[s + len(needle) - 1] + 1)
            for s in _occurrences(bare_text, needle)
        )
    return _merge(spans)
