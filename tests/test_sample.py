"""The committed sample week is exactly what the generator makes (no hand edits, and the
generator is deterministic), and the generator's topic files are read as documented in
scripts/sample_week/topics.py."""

from __future__ import annotations

import filecmp
import random
import subprocess
import sys
from datetime import date

import pytest
from conftest import ROOT, SAMPLE


def test_sample_is_regenerated_byte_for_byte(tmp_path):
    out = tmp_path / "sample"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    made = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file())
    assert made == committed
    for rel in made:
        assert filecmp.cmp(out / rel, SAMPLE / rel, shallow=False), rel


def _topics():
    """scripts/sample_week/topics.py (the generator is scripts, not a package)."""
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    from sample_week import topics

    return topics


def _draw(seed: int):
    topics = _topics()
    r = random.Random(seed)
    return topics.Draw(r, topics.Fake(r, date(2026, 11, 16)), "栗子数码旗舰店", {}), r


def test_a_choice_evaluates_every_alternative_before_it_draws():
    # as Python does for r.choice([r.randint(1, 6), r.randint(10, 60)])
    draw, _ = _draw(7)
    got = draw.value({"choice": [{"randint": [1, 6]}, {"randint": [10, 60]}]})
    r = random.Random(7)
    assert got == r.choice([r.randint(1, 6), r.randint(10, 60)])
    assert draw.r.getstate() == r.getstate()


def test_texts_take_the_variables_and_a_lone_placeholder_keeps_its_type():
    draw, _ = _draw(1)
    draw.names.update(x=199, city="杭州")
    assert draw.value("满{x}元，{city}") == "满199元，杭州"
    assert draw.value({"minus": ["{x}", 9]}) == 190
    assert draw.value(["a", {"case": "city", "杭州": None, "else": "b"}, "c"]) == ["a", "c"]


def test_every_topic_builds_with_its_placeholders_filled():
    topics = _topics()
    for bank in (topics.CHAT, topics.CHAT_TW, topics.CALL):
        for key in bank.topics:
            for seed in range(20):
                draw, r = _draw(seed)
                topic = bank.build(key, r, draw.fake, "森屿服饰旗舰店")
                texts = [*topic.opener, *topic.first.a, *topic.ask[0], topic.ask[1], topic.ask[2]]
                texts += [m for p in topic.more for m in p.c + p.a]
                assert all(isinstance(t, str) and "{" not in t for t in texts), (key, texts)


def test_a_topics_file_reports_every_problem_at_once():
    topics = _topics()
    data = {
        "weights": {"a": 1, "gone": 2},
        "topics": {
            "a": {
                "order": {"fake": "cheque"},
                "opener": [{"choice": "planets"}],
                "first": {"c": [], "answer": ["x"]},
                "more": [],
            }
        },
    }
    with pytest.raises(ValueError) as err:
        topics.topic_bank("bad", data)
    assert str(err.value).splitlines() == [
        "topics/bad.json: a: no ask",
        "topics/bad.json: a: unknown fake 'cheque'",
        "topics/bad.json: a: unknown list 'planets'",
        "topics/bad.json: a: unknown key 'answer'",
        "topics/bad.json: weights: no topic 'gone'",
    ]
