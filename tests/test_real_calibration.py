"""The regression gate on real chats: the blind-labelled JD sessions of calibration/real/
are scored with the default pack, and no rule may fall below the precision and recall
recorded in the README's real-chat table. Skipped when ../shared/realdata/ is absent."""

from __future__ import annotations

import math

import pytest
from conftest import REALDATA, ROOT
from typer.testing import CliRunner

from cs_qa.cli import app

runner = CliRunner()
REAL = ROOT / "calibration" / "real"

pytestmark = pytest.mark.skipif(
    not REALDATA.exists(), reason=f"real chats not found at {REALDATA} (shared/realdata)"
)


def _table(text: str) -> dict[str, list[str]]:
    """Rows of a calibrate markdown table: rule -> cells after the rule name."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 12 and cells[1].isdigit():
            rows[cells[0].strip("*").removesuffix(" (9)").strip("*")] = cells[1:]
    return rows


def _value(text: str) -> float:
    return math.nan if text == "—" else float(text)


@pytest.fixture(scope="module")
def real_calibration(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("real") / "out"
    scored = runner.invoke(
        app,
        ["score", str(REALDATA), "--mapping", str(ROOT / "examples/jddc.yaml"), "--out", str(out),
         "--quiet"],
    )  # fmt: skip
    assert scored.exit_code == 0, scored.output
    result = runner.invoke(
        app,
        ["calibrate", str(out), "--labels", str(REAL / "labels.csv"), "--format", "markdown",
         "--lang", "en"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


def test_no_rule_falls_below_the_figures_in_the_readme(real_calibration):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### On real chats") : readme.index("### Disputes")]
    recorded = _table(section)
    actual = _table(real_calibration)
    assert len(recorded) >= 8, "the README's real-chat table is missing rows"
    for rule, cells in recorded.items():
        assert rule in actual, rule
        for k, name in ((7, "precision"), (8, "recall")):
            want, got = _value(cells[k]), _value(actual[rule][k])
            if not math.isnan(want):
                assert got >= want - 1e-9, f"{rule}: {name} {got:.2f} < recorded {want:.2f}"


def test_every_labelled_session_is_in_the_export(real_calibration):
    assert "not in the dataset" not in real_calibration
