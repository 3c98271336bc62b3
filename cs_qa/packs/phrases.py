"""Phrase lists of a pack: its lexicons, and a rule's phrase lists with their `@name`
lexicon references expanded, each phrase checked (length, normalising to something,
`re:` items under the regex check's safety rules)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from cs_qa.core.matching import PATTERN_PREFIX
from cs_qa.core.normalize import normalize
from cs_qa.packs.problems import Problems
from cs_qa.packs.safe_yaml import line_of

MAX_PHRASE_CHARS = 100  # one phrase
MAX_LIST_PHRASES = 5_000  # one phrase list of a rule, as written
MAX_LEXICON_PHRASES = 10_000  # one lexicon


def read_lexicons(doc: Any, problems: Problems) -> dict[str, list[str]]:
    """The `lexicons:` of a pack document (its own, not inherited ones), each phrase
    checked; wrong types are left to the pack schema."""
    node = doc.get("lexicons") or {}
    out: dict[str, list[str]] = {}
    if not hasattr(node, "items"):
        return out
    for name, phrases in node.items():
        line = line_of(node, name, 1)
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            continue  # PackHead validation reports the type
        if not phrases:
            problems.add(line, "empty_list", f"lexicon {name!r} is empty")
        if len(phrases) > MAX_LEXICON_PHRASES:
            problems.add(
                line,
                "too_large",
                f"lexicon {name!r} has {len(phrases):,} phrases, more than "
                f"{MAX_LEXICON_PHRASES:,}; split it",
            )
        for p in phrases:
            if len(p) > MAX_PHRASE_CHARS:
                problems.add(line, "long_phrase", f"lexicon {name!r}: {long_phrase(p)}")
            elif not normalize(p):
                problems.add(
                    line, "empty_phrase", f"lexicon {name!r}: phrase {p!r} normalises to nothing"
                )
        out[str(name)] = [str(p) for p in phrases]
    return out


def expand(
    problems: Problems,
    value: Any,
    rid: str,
    name: str,
    node: Any,
    line: int,
    lexicons: dict[str, list[str]],
) -> list[str] | None:
    """A phrase list with `@lexicon` references expanded; None when it is not a list
    (the parameter model then reports the type). Problems are reported here."""
    if not isinstance(value, list):
        return None
    key = name.split(".")[0]
    if len(value) > MAX_LIST_PHRASES:
        problems.add(
            line_of(node, key, line),
            "too_large",
            f"{name}: {len(value):,} phrases, more than {MAX_LIST_PHRASES:,} "
            "in one list; put them in a lexicon (lexicons: name: [...]) and write @name",
            rid,
        )
        return None
    expanded: list[str] = []
    for item in value:
        if isinstance(item, str) and item.startswith("@"):
            if item[1:] not in lexicons:
                known = f" (lexicons: {', '.join(lexicons)})" if lexicons else ""
                problems.add(
                    line_of(node, key, line),
                    "unknown_lexicon",
                    f"{name}: unknown lexicon {item[1:]!r}{known}",
                    rid,
                )
                continue
            expanded.extend(lexicons[item[1:]])
        else:
            if isinstance(item, str) and len(item) > MAX_PHRASE_CHARS:
                problems.add(
                    line_of(node, key, line), "long_phrase", f"{name}: {long_phrase(item)}", rid
                )
                continue
            expanded.append(item)
    for p in expanded:
        if isinstance(p, str) and p.startswith(PATTERN_PREFIX):
            problem = _pattern_problem(p[len(PATTERN_PREFIX) :])
            if problem:
                problems.add(line_of(node, key, line), "bad_pattern", f"{name}: {problem}", rid)
            continue
        if isinstance(p, str) and len(p) <= MAX_PHRASE_CHARS and not normalize(p):
            problems.add(
                line_of(node, key, line),
                "empty_phrase",
                f"{name}: phrase {p!r} normalises to nothing",
                rid,
            )
    return expanded


def _pattern_problem(pattern: str) -> str | None:
    """Why a `re:` item of a phrase list cannot be used (the regex check's safety rules)."""
    from cs_qa.checks.regex import Params as RegexParams

    try:
        RegexParams(patterns=[pattern])
    except ValidationError as exc:
        return exc.errors()[0]["msg"].removeprefix("Value error, ")
    return None


def long_phrase(phrase: str) -> str:
    """The problem with a phrase longer than `MAX_PHRASE_CHARS`."""
    return (
        f"phrase {phrase[:20]!r}… is {len(phrase)} characters, more than {MAX_PHRASE_CHARS}; "
        "a phrase is a few words said in a turn"
    )
