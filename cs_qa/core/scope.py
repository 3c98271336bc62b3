"""Match scope: whether a phrase hit is negated, inside a condition, or asked back.

A keyword is not a statement. 「不能」 refuses in 「这个不能退」 but not in
「如不能正常使用，请联系我们」 (a condition) or 「主机也不能开机吗」 (the customer's words
asked back); 「保证」 promises in 「保证明天到」 but not in 「不能保证明天到」 (negated). A rule
says which of these scopes cancel its hits (`skip: [negated, conditional, question]`);
the functions here decide them on the normalised text of one turn, within the clause of
the hit. Pure functions of a string and offsets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

# The scopes a rule can `skip:` (checks' parameters and condition leaves both use this).
ScopeName = Literal["negated", "conditional", "question"]

# Clause delimiters in normalised text (full-width punctuation is folded to ASCII).
_DELIMS = frozenset(",.!?;:~…\n 。，！？；：～、")
# A negator right before a hit (at most two characters before it): 不能保证, 无法保证, 不一定.
_NEGATORS = frozenset("不没未无别非")
NEGATION_REACH = 2
# Words that open a condition. A lone 如 or 若 opens one too, except in the words below.
_CONDITION_OPENERS = re.compile(r"如果|假如|倘若|如若|若是|要是|万一|一旦|假设|假若|如|若")
_NOT_CONDITIONS = re.compile(
    r"比如|例如|譬如|诸如|正如|不如|如何|如下|如此|如今|如同|如实|如意|如期|如初|如一|如上|"
    r"犹如|宛如|若干"
)
# What ends a condition: the consequence starts after it.
_CONDITION_ENDS = ("的话", "就", "则", "那么", "那")
QUESTION_REACH = 6  # characters after a hit within which 吗 makes its clause a question
_QUESTION_ENDS = ("吗", "么", "嘛")
# A confirmation tag closing the clause asks back however far the hit is from it:
# 您这边无法查到我发的东西是吗.
_CONFIRMATION_TAGS = ("是吗", "是么", "是嘛", "是吧", "对吗", "对吧", "对么", "是不是", "对不对")


def clause(
    text: str, start: int, end: int, breaks: frozenset[int] = frozenset()
) -> tuple[int, int]:
    """The bounds of the clause around text[start:end]: between the nearest delimiters,
    or `breaks` (offsets where one message of a merged turn ends and the next begins:
    normalisation removes the space an export put there)."""
    left = start
    while left > 0 and text[left - 1] not in _DELIMS and left not in breaks:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _DELIMS and right not in breaks:
        right += 1
    return left, right


def negated(text: str, start: int, end: int, breaks: frozenset[int] = frozenset()) -> bool:
    """A negator (不/没/未/无/别/非) within two characters before the hit, in its clause:
    不能保证, 无法保证, 不一定, 不是不能; not the 不 of a rhetorical 这不…嘛."""
    left, _ = clause(text, start, end, breaks)
    first = max(left, start - NEGATION_REACH)
    for at in range(first, start):
        if text[at] in _NEGATORS and not _rhetorical(text, at, left):
            return True
    return False


def _rhetorical(text: str, at: int, left: int) -> bool:
    """这不 / 那不 / 岂不 / 难道不 …: a rhetorical question that asserts, not a negation
    (这不扯淡嘛 says it is nonsense)."""
    head = text[max(left, at - 2) : at]
    return text[at] == "不" and (head.endswith(("这", "那", "岂")) or head == "难道")


def conditional(text: str, start: int, end: int, breaks: frozenset[int] = frozenset()) -> bool:
    """The hit is inside a condition: after 如果/若/如/万一 … in its clause with no 的话/就/则
    between (如不能正常使用, 若不行), or followed by 的话 (不行的话)."""
    left, right = clause(text, start, end, breaks)
    head = text[left:start]
    spans = [
        (m.start(), m.end())
        for m in _CONDITION_OPENERS.finditer(head)
        if not _inside_word(text, left + m.start())
    ]
    if spans:
        opened = spans[-1][1]
        if not any(stop in head[opened:] for stop in _CONDITION_ENDS):
            return True
    tail = text[end:right]
    at = tail.find("的话")
    return at >= 0 and not any(stop in tail[:at] for stop in ("就", "则"))


def _inside_word(text: str, at: int) -> bool:
    """A lone 如/若 that belongs to a word listed in _NOT_CONDITIONS (比如, 如何 …)."""
    return any(
        m.start() <= at < m.end() for m in _NOT_CONDITIONS.finditer(text, max(0, at - 1), at + 2)
    )


def question(text: str, start: int, end: int, breaks: frozenset[int] = frozenset()) -> bool:
    """The hit's clause asks (the customer's words asked back: 主机也不行吗, 不能开机是吗):
    it ends with ? or a confirmation tag (是吗, 对吧), or 吗/么/嘛 follows the hit within
    six characters of its clause."""
    _, right = clause(text, start, end, breaks)
    if right < len(text) and text[right] == "?":
        return True
    if text[end:right].endswith(_CONFIRMATION_TAGS):
        return True
    tail = text[end : min(right, end + QUESTION_REACH)]
    return any(q in tail for q in _QUESTION_ENDS)


_TESTS = {"negated": negated, "conditional": conditional, "question": question}


def skipped(
    text: str, start: int, end: int, scopes: frozenset[str], breaks: frozenset[int] = frozenset()
) -> bool:
    """Whether the hit text[start:end] lies in one of `scopes`."""
    return any(_TESTS[s](text, start, end, breaks) for s in scopes)


def message_breaks(raw: str, normalised: str, normalize: Callable[[str], str]) -> frozenset[int]:
    """Where the messages of a merged chat turn meet in its normalised text.

    Exports such as JD's join consecutive messages of one side with a space, and
    normalisation removes a space between Chinese characters (speech recognition puts one
    between every character). When the spaces are sparse (chunks of two or more
    characters on average), each chunk is normalised on its own and found in order in the
    normalised turn; its start is a break. Speech-recognition spacing gives no breaks."""
    chunks = raw.split()
    if len(chunks) < 2 or sum(map(len, chunks)) < 2 * len(chunks):
        return frozenset()
    found: set[int] = set()
    pos = 0
    for chunk in chunks:
        part = normalize(chunk)
        if not part:
            continue
        at = normalised.find(part, pos)
        if at < 0:
            return frozenset()
        if at > 0:
            found.add(at)
        pos = at + len(part)
    return frozenset(found)


# A single character said as a word (死, 爆) after a verb or adjective and before 了 is an
# intensifier or a result, not the word itself: 爱死了, 笑死, 累死了, 急死人.
_INTENSIFIER_HEADS = frozenset("爱笑累急气烦热冷饿困吓忙美乐想馋帅丑痛疼闷渴冻撑晒闹羡乐香甜")


def intensifier(text: str, start: int, end: int) -> bool:
    """A one-character hit that is the second half of an intensifier compound:
    preceded by an intensifier head (爱死, 笑死, 累死) or by any Chinese character and
    followed by 了/啦 (X死了)."""
    if end - start != 1 or start == 0:
        return False
    before = text[start - 1]
    if before in _INTENSIFIER_HEADS:
        return True
    return "\u4e00" <= before <= "\u9fff" and text[end : end + 1] in ("了", "啦")
