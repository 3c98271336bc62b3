"""The one phrase matcher and the prepared conversation every check reads.

All phrases of a pack (rule phrases, exceptions, triggers) are normalised and compiled
once into one Aho-Corasick automaton. A turn is scanned once, on first use; each check
then asks for the occurrences of its own `PhraseSet` in that turn. Word-boundary checks
segment a turn with the pack's own jieba tokenizer, only when a boundary-sensitive phrase
matched it, and the segmentation is cached per turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from typing import NamedTuple

import ahocorasick
import regex

from cs_qa.core import scope
from cs_qa.core.latency import Response, responses
from cs_qa.core.model import Conversation, Turn
from cs_qa.core.normalize import Normalised, normalize, normalize_all, normalize_with_offsets

# A phrase-list item that is a regular expression (on normalised text), not a phrase:
# "re:都[^,.!?]{0,4}天了". For cues a list cannot spell out (a complaint's 都…天了).
PATTERN_PREFIX = "re:"
PATTERN_TIMEOUT_S = 0.5  # per search: a runaway pattern stops instead of hanging a worker


@lru_cache(maxsize=256)
def _alternation(patterns: tuple[str, ...]) -> regex.Pattern[str]:
    # MULTILINE: a conversation's turns are searched joined by newlines, and ^ / $ must
    # still mean the start and end of a turn
    return regex.compile("|".join(f"(?:{p})" for p in patterns), regex.MULTILINE)


def split_patterns(items: Iterable[str]) -> tuple[list[str], list[str]]:
    """A phrase list's plain phrases and its `re:` patterns (prefix removed)."""
    phrases: list[str] = []
    patterns: list[str] = []
    for item in items:
        if item.startswith(PATTERN_PREFIX):
            patterns.append(item[len(PATTERN_PREFIX) :])
        else:
            phrases.append(item)
    return phrases, patterns


class Match(NamedTuple):
    # A tuple: made for every phrase hit, so the cheapest record Python has.
    phrase: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """Phrases a rule looks for, in normalised form, with the exceptions that cancel a
    hit they cover (e.g. 不会褪色 covering 不会), the boundary mode, the `re:` patterns
    of the list and of its exceptions, and the scopes (`cs_qa.core.scope`) that cancel a hit."""

    phrases: frozenset[str]
    exceptions: frozenset[str] = frozenset()
    word_boundary: bool = False
    patterns: tuple[str, ...] = ()
    exception_patterns: tuple[str, ...] = ()
    skip: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        phrases: Iterable[str],
        exceptions: Iterable[str] = (),
        word_boundary: bool = False,
        skip: Iterable[str] = (),
    ) -> PhraseSet:
        plain, patterns = split_patterns(phrases)
        plain_exceptions, exception_patterns = split_patterns(exceptions)
        return cls(
            frozenset(p for p in (normalize(x) for x in plain) if p),
            frozenset(p for p in (normalize(x) for x in plain_exceptions) if p),
            word_boundary,
            tuple(patterns),
            tuple(exception_patterns),
            frozenset(skip),
        )


class Matcher:
    """A pack's compiled phrases and its own segmenter."""

    def __init__(self, phrases: Iterable[str], user_words: Iterable[str] = ()) -> None:
        self._automaton = ahocorasick.Automaton()
        for phrase in sorted(set(phrases)):
            if phrase:
                self._automaton.add_word(phrase, phrase)
        if len(self._automaton):
            self._automaton.make_automaton()
        self._user_words = sorted({w for w in user_words if w})
        self._tokenizer: Callable[[str], list[str]] | None = None

    def scan(self, text: str) -> dict[str, list[int]]:
        """Every phrase occurring in `text`, with its start offsets."""
        found: dict[str, list[int]] = {}
        if not text or not len(self._automaton):
            return found
        for end, phrase in self._automaton.iter(text):
            found.setdefault(phrase, []).append(end - len(phrase) + 1)
        return found

    def boundaries(self, text: str) -> frozenset[int]:
        """Offsets in `text` where a word starts or ends, by the pack's segmenter."""
        cuts = {0}
        pos = 0
        for token in self.tokenizer(text):
            pos += len(token)
            cuts.add(pos)
        return frozenset(cuts)

    def __getstate__(self) -> dict[str, object]:
        # A built segmenter holds a dictionary (and jieba's a lock) and is not sent
        # between processes; a process that receives the matcher builds its own.
        return {**self.__dict__, "_tokenizer": None}

    @property
    def tokenizer(self) -> Callable[[str], list[str]]:
        """The pack's segmenter (`segmenter`), built on first use: most runs of most
        rules never need a word boundary."""
        if self._tokenizer is None:
            self._tokenizer = segmenter(self._user_words)
        return self._tokenizer


SEGMENTERS = ("rjieba", "jieba")


def segmenter(
    user_words: Iterable[str] = (), backend: str | None = None
) -> Callable[[str], list[str]]:
    """A function that cuts text into words (no HMM: only dictionary words), with
    `user_words` added to the dictionary.

    `rjieba` (jieba-rs: jieba's dictionary and algorithm in Rust, ready in ~0.15 s) when
    installed, else `jieba` itself (~1 s to load its dictionary in every process), which
    stays the reference: tests/test_segmenter.py checks that both give the same word
    boundaries wherever the packs' word-mode phrases occur in the sample and examples.
    """
    if backend is None:
        backend = "rjieba" if find_spec("rjieba") is not None else "jieba"
    if backend == "rjieba":
        import rjieba

        cutter = rjieba.Jieba()
        for word in user_words:
            cutter.add_word(word, None, None)
        return lambda text: cutter.cut(text, False)
    if backend != "jieba":
        raise ValueError(f"unknown segmenter {backend!r} (one of {', '.join(SEGMENTERS)})")
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in user_words:
        tokenizer.add_word(word)
    return lambda text: tokenizer.lcut(text, HMM=False)


_NONE: list[int] = []  # the turns of a speaker who never spoke (never mutated)


class PreparedConversation:
    """A conversation with its turns normalised and scanned once, and lazily computed
    word boundaries, speaker turn lists and response times shared by every rule."""

    __slots__ = (
        "_breaks",
        "_cuts",
        "_offsets",
        "_patterns",
        "_responses",
        "_scans",
        "_speakers",
        "conversation",
        "matcher",
        "present",
        "texts",
        "timed",
    )  # fmt: skip

    def __init__(self, conversation: Conversation, matcher: Matcher) -> None:
        self.conversation = conversation
        self.matcher = matcher
        scan = matcher.scan
        # Every rule reads most turns: scan them all now, and keep the union of what was
        # found so a rule whose phrases occur nowhere is decided without a turn loop.
        self.texts = normalize_all([t.text for t in conversation.turns])
        self._scans: list[dict[str, list[int]]] = []
        present: set[str] = set()
        speakers: dict[str, list[int]] = {}
        for i, (turn, text) in enumerate(zip(conversation.turns, self.texts, strict=True)):
            found = scan(text)
            self._scans.append(found)
            if found:
                present.update(found)
            mine = speakers.get(turn.speaker)
            if mine is None:
                speakers[turn.speaker] = [i]
            else:
                mine.append(i)
        self.present = present
        self._speakers = speakers
        self._cuts: dict[int, frozenset[int]] = {}
        self._breaks: dict[int, frozenset[int]] = {}
        self._offsets: dict[int, Normalised] = {}
        self._patterns: dict[tuple[str, ...], list[list[Match]]] = {}
        self._responses: list[Response] | bool | None = False  # False: not computed yet
        self.timed = conversation.timed

    @property
    def turns(self) -> list[Turn]:
        return self.conversation.turns

    @property
    def channel(self) -> str:
        return self.conversation.channel

    def responses(self) -> list[Response] | None:
        """`cs_qa.core.latency.responses` of the conversation, computed once."""
        if self._responses is False:
            self._responses = responses(self.conversation) if self.timed else None
        return self._responses  # type: ignore[return-value]

    def mentions(self, phrases: PhraseSet) -> bool:
        """Whether any phrase of `phrases` occurs anywhere in the conversation (before
        exceptions and word boundaries), or the set has patterns (searched on first use):
        when not, `find` is empty on every turn."""
        return bool(phrases.patterns) or not phrases.phrases.isdisjoint(self.present)

    def turn_indexes(self, speaker: str) -> list[int]:
        """The turns of `speaker`, in order (computed once per speaker: every rule asks)."""
        return self._speakers.get(speaker, _NONE)

    def find(self, index: int, phrases: PhraseSet) -> list[Match]:
        """Occurrences of `phrases` in turn `index`, less those an exception covers, in
        word mode those that do not start and end on a word boundary or that are half of
        an intensifier (爱死, 累死了), and those in a scope the set skips."""
        scan = self._scans[index]
        if phrases.patterns:
            hits = self._pattern_hits(index, phrases.patterns)
        elif not scan or phrases.phrases.isdisjoint(scan):
            return []
        else:
            hits = []
        if scan and not phrases.phrases.isdisjoint(scan):
            hits += [
                Match(p, s, s + len(p)) for p in scan.keys() & phrases.phrases for s in scan[p]
            ]
        if not hits:
            return hits
        if phrases.exceptions or phrases.exception_patterns:
            covers = [
                (s, s + len(p))
                for p, starts in scan.items()
                if p in phrases.exceptions
                for s in starts
            ]
            if phrases.exception_patterns:
                covers += [
                    (m.start, m.end) for m in self._pattern_hits(index, phrases.exception_patterns)
                ]
            hits = [h for h in hits if not any(a <= h.start and h.end <= b for a, b in covers)]
        text = self.texts[index]
        if phrases.word_boundary and hits:
            cuts = self._cuts.get(index)
            if cuts is None:
                cuts = self._cuts[index] = self.matcher.boundaries(text)
            hits = [
                h
                for h in hits
                if h.start in cuts and h.end in cuts and not scope.intensifier(text, h.start, h.end)
            ]
        if phrases.skip and hits:
            breaks = self.breaks(index)
            hits = [
                h for h in hits if not scope.skipped(text, h.start, h.end, phrases.skip, breaks)
            ]
        hits.sort(key=lambda m: (m.start, -m.end))
        return hits

    def breaks(self, index: int) -> frozenset[int]:
        """Where the messages merged into turn `index` meet (`cs_qa.core.scope.message_breaks`),
        computed once per turn, only for turns a scope is asked about."""
        found = self._breaks.get(index)
        if found is None:
            raw = self.conversation.turns[index].text
            found = self._breaks[index] = scope.message_breaks(raw, self.texts[index], normalize)
        return found

    def original_span(self, index: int, start: int, end: int) -> tuple[int, int] | None:
        """Where `texts[index][start:end]` (a match, in normalised text) was written in
        the turn's own text, as `[start, end)` offsets (`normalize_with_offsets`, computed
        once per turn and only for turns asked about: those with a finding). None for an
        empty or out-of-range span, or should the turn not normalise to `texts[index]`."""
        found = self._offsets.get(index)
        if found is None:
            found = self._offsets[index] = normalize_with_offsets(self.turns[index].text)
        if found.text != self.texts[index] or not 0 <= start < end <= len(found.text):
            return None
        return found.original_span(start, end)

    def _pattern_hits(self, index: int, patterns: tuple[str, ...]) -> list[Match]:
        found = self._patterns.get(patterns)
        if found is None:
            found = self._patterns[patterns] = self._search_all(patterns)
        return list(found[index])

    def _search_all(self, patterns: tuple[str, ...]) -> list[list[Match]]:
        """Every turn's matches of `patterns`, found by one search of all the turns joined
        by newlines (`.` does not cross one): one call instead of one per turn, for the
        rules that share a lexicon (@complaint) and for every turn they read."""
        per_turn: list[list[Match]] = [[] for _ in self.texts]
        starts = []
        at = 0
        for text in self.texts:
            starts.append(at)
            at += len(text) + 1
        joined = "\n".join(self.texts)
        try:
            hits = list(_alternation(patterns).finditer(joined, timeout=PATTERN_TIMEOUT_S))
        except TimeoutError:
            return per_turn
        turn = 0
        for m in hits:
            if m.end() == m.start():
                continue
            while turn + 1 < len(starts) and starts[turn + 1] <= m.start():
                turn += 1
            if m.end() > starts[turn] + len(self.texts[turn]):
                continue  # crosses into the next turn (a pattern that can match a newline)
            base = starts[turn]
            per_turn[turn].append(Match(m.group(), m.start() - base, m.end() - base))
        return per_turn

    def spans(self, index: int, phrases: PhraseSet) -> list[tuple[int, int]]:
        """Where the phrases of `phrases` occur in turn `index` (no exceptions applied)."""
        scan = self._scans[index]
        return [
            (s, s + len(p)) for p in phrases.phrases | phrases.exceptions for s in scan.get(p, [])
        ]

    def first_match(self, indexes: Sequence[int], phrases: PhraseSet) -> tuple[int, Match] | None:
        if not self.mentions(phrases):
            return None
        for i in indexes:
            found = self.find(i, phrases)
            if found:
                return i, found[0]
        return None
