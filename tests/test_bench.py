"""The benchmark's generator and runner work on a small N.

bench/ is a benchmark, not a timed test: nothing here asserts on a time or a ratio.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import orjson
from conftest import ROOT

from cs_qa.core.model import Conversation
from cs_qa.core.normalize import normalize
from cs_qa.ingest import conversation_from_record

BENCH = ROOT / "bench"


def _generate_module() -> ModuleType:
    name = "cs_qa_bench_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_plan_files_is_even_and_adds_up():
    gen = _generate_module()
    for n, mean in [(2, 1500), (300, 1500), (100_000, 1500), (1_000_000, 1500), (7, 10**9)]:
        counts = gen.plan_files(n, mean)
        assert sum(counts) == n
        assert len(counts) % 2 == 0
        assert max(counts) - min(counts) <= 1
    assert gen.plan_files(1, 1500) == [1]
    assert len(gen.plan_files(100_000, 1500)) == 6  # ~24 MB files, within 20-50 MB


def test_generator_is_deterministic_and_writes_valid_input(tmp_path: Path):
    gen = _generate_module()
    a = gen.write(300, tmp_path / "a", seed=7)
    b = gen.write(300, tmp_path / "b", seed=7)
    assert [p.name for p in a.files] == ["bench-0001.jsonl", "bench-0002.jsonl"]
    for x, y in zip(a.files, b.files, strict=True):
        assert x.read_bytes() == y.read_bytes()

    convs: list[Conversation] = []
    for path in a.files:
        for line_no, raw in enumerate(path.read_bytes().splitlines(), 1):
            conv = conversation_from_record(orjson.loads(raw), path.name, line_no)
            assert isinstance(conv, Conversation), conv
            convs.append(conv)
    assert len(convs) == 300
    assert len({c.conversation_id for c in convs}) == 300
    assert {c.channel for c in convs} == {"chat", "call"}
    texts = [t.text for c in convs for t in c.turns]
    # both scripts: Traditional texts change when folded to Simplified (OpenCC)
    traditional = sum(any(ch in t for ch in "們謝請為這號訂貨") for t in texts)
    assert 0 < traditional < len(texts) / 2
    assert any(normalize(t) != t for t in texts if "謝" in t)
    assert len({c.agent_id for c in convs}) > 50


def test_runner_reports_ratios_and_scores_everything(tmp_path: Path):
    result = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--n",
            "300",
            "--naive-slice",
            "50",
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "cs-qa: read 300, scored 300, rejected 0" in out
    assert "floor: 300 conversations" in out
    assert "naive: timed on a slice of 50 of 300 conversations and extrapolated" in out
    assert "ratio cs-qa/floor (throughput): " in out
    assert "ratio cs-qa/naive (throughput): " in out
    assert "target cs-qa peak RSS < 1 GiB: " in out
    assert "cs-qa --help: " in out
    assert "verdict: " in out
    for label in ("(a) cs-qa score --workers 2", "(b) floor, 2 processes", "(c) naive"):
        assert label in out
    assert not (tmp_path / "work" / "data").exists()  # removed without --keep
