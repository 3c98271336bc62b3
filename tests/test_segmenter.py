"""rjieba may stand in for jieba only where it cuts words the same way.

jieba is the reference segmenter; rjieba (the same dictionary and algorithm in Rust)
loads in a fraction of the time. Word boundaries matter only where a word-mode phrase of
a pack matched, so that is where the two must agree: in every turn of the sample and of
every pack's examples, and on texts built to put those phrases inside longer words.
"""

from __future__ import annotations

import pytest
from conftest import SAMPLE, SAMPLE_MAPPING

from cs_qa.core.matching import Matcher, PreparedConversation, segmenter
from cs_qa.core.model import Conversation
from cs_qa.ingest import discover, read_file
from cs_qa.ingest.mapping import load_mapping
from cs_qa.packs.loader import builtin_packs, load_pack
from cs_qa.packs.model import RulePack

pytest.importorskip("rjieba")

# Word-mode phrases inside and outside longer words (滚筒, 死机, 去死 …).
MADE_UP = [
    "滚筒洗衣机第一次用之前一定要拆掉螺栓",
    "嫌慢就滚，别在这烦我",
    "笔记本死机一般是驱动问题",
    "你去死吧",
    "死了都要爱",
    "这个滚动条怎么拉不动",
    "有病就去治，别在这闹",
    "你有病吧",
    "病毒查杀完成",
    "wifi连不上，路由器死机了",
]


def _conversations() -> list[Conversation]:
    mapping = load_mapping(SAMPLE_MAPPING)
    found = [
        item
        for path, name in discover([SAMPLE])
        for item in read_file(path, name, mapping)
        if isinstance(item, Conversation)
    ]
    for pack in (load_pack(name) for name in sorted(builtin_packs())):
        found += [example.conversation for rule in pack.rules for example in rule.examples]
    return found


def _word_hits(pack: RulePack, conversation: Conversation) -> list[tuple[str, int, int]]:
    """(normalised text, start, end) of every hit of a word-mode phrase."""
    words = {
        p for rule in pack.rules for s in rule.sets.values() if s.word_boundary for p in s.phrases
    }
    prepared = PreparedConversation(conversation, pack.matcher)
    return [
        (text, start, start + len(phrase))
        for text in prepared.texts
        for phrase, starts in pack.matcher.scan(text).items()
        if phrase in words
        for start in starts
    ]


@pytest.mark.parametrize("pack_name", sorted(builtin_packs()))
def test_both_segmenters_agree_wherever_a_word_mode_phrase_matches(pack_name):
    pack = load_pack(pack_name)
    user_words = pack.matcher._user_words
    reference = Matcher([], user_words)
    reference._tokenizer = segmenter(user_words, "jieba")
    fast = Matcher([], user_words)
    fast._tokenizer = segmenter(user_words, "rjieba")
    hits = [hit for c in _conversations() for hit in _word_hits(pack, c)]
    hits += [
        (text, start, start + len(word))
        for text in MADE_UP
        for word in user_words
        for start in range(len(text))
        if text.startswith(word, start)
    ]
    assert len(hits) > 20  # the comparison has something to compare
    for text, start, end in hits:
        slow_cuts, fast_cuts = reference.boundaries(text), fast.boundaries(text)
        assert (start in slow_cuts, end in slow_cuts) == (start in fast_cuts, end in fast_cuts), (
            text,
            text[start:end],
        )


def test_the_default_segmenter_is_rjieba_when_installed():
    cut = segmenter(["死机"])
    assert cut("笔记本死机了") == ["笔记本", "死机", "了"]
    assert segmenter(["死机"], "jieba")("笔记本死机了") == ["笔记本", "死机", "了"]
    with pytest.raises(ValueError, match="unknown segmenter"):
        segmenter([], "nope")
