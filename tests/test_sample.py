"""The committed sample week is exactly what the generator makes (no hand edits, and the
generator is deterministic)."""

from __future__ import annotations

import filecmp
import subprocess
import sys

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
