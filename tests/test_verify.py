"""Determinism and `cs-qa verify`: the same inputs give byte-identical tables for any
number of workers, and a dataset can be re-checked against its manifest."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SAMPLE, SAMPLE_MAPPING
from typer.testing import CliRunner

from cs_qa.cli import app
from cs_qa.dataset.verify import verify_dataset
from cs_qa.engine import units
from cs_qa.engine.run import score_inputs
from cs_qa.ingest.mapping import load_mapping
from cs_qa.packs.loader import load_pack

runner = CliRunner()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The sample scored twice with one worker and once with two and small work units."""
    root = tmp_path_factory.mktemp("det")
    pack, mapping = load_pack(None), load_mapping(SAMPLE_MAPPING)
    outs = []
    for name, workers, chunk in (("a", 1, None), ("b", 1, None), ("c", 2, 20_000)):
        saved = units.CHUNK_BYTES
        units.CHUNK_BYTES = chunk or saved
        try:
            out = root / name
            score_inputs([SAMPLE], pack, out, mapping=mapping, workers=workers)
            outs.append(out)
        finally:
            units.CHUNK_BYTES = saved
    return outs


def _tables(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["tables"]


def test_table_files_are_byte_identical_across_runs_and_worker_counts(runs):
    a, b, c = (_tables(out) for out in runs)
    assert a == b == c
    for table in ("conversations", "findings", "turns", "rule_results", "errors"):
        files = a[table]["files"]
        assert files, table
        for rel in files:
            assert (runs[0] / rel).read_bytes() == (runs[2] / rel).read_bytes()


def test_a_fresh_dataset_verifies(runs, monkeypatch):
    monkeypatch.chdir(SAMPLE.parent)
    result = runner.invoke(app, ["verify", str(runs[0]), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "0 problems" in result.output
    checks = verify_dataset(runs[0], SAMPLE.parent).checks
    assert {c.status for c in checks} == {"ok"}
    assert sum(c.what.startswith("input ") for c in checks) > 20
    assert any(c.what.startswith("rule pack") for c in checks)


def _copy(out, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    return copy


def test_a_changed_table_file_is_a_problem(runs, tmp_path):
    copy = _copy(runs[0], tmp_path)
    part = copy / "findings" / "part-00000.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different content
    part.write_bytes(bytes(data))
    result = runner.invoke(app, ["verify", str(copy), "--lang", "en"])
    assert result.exit_code == 1
    problems = verify_dataset(copy).problems
    assert [(p.what, p.detail) for p in problems] == [
        ("table findings/part-00000.parquet", "content differs from the manifest")
    ]


def test_an_added_or_removed_table_file_is_a_problem(runs, tmp_path):
    copy = _copy(runs[0], tmp_path)
    shutil.copy(copy / "turns" / "part-00000.parquet", copy / "turns" / "part-00001.parquet")
    (copy / "errors" / "part-00000.parquet").unlink()
    details = {(p.what, p.detail) for p in verify_dataset(copy).problems}
    assert ("table turns/part-00001.parquet", "a file the run did not write") in details
    assert ("table errors/part-00000.parquet", "missing") in details


def test_counts_that_do_not_add_up_are_a_problem(runs, tmp_path):
    copy = _copy(runs[0], tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["counts"]["read"] += 1
    manifest["counts"]["scored"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    details = [p.detail for p in verify_dataset(copy).problems]
    assert any("rows, the counts say" in d for d in details)


def test_inputs_are_rechecked_under_the_given_root(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SAMPLE / "chat_2026-11-16.jsonl", inputs / "a.jsonl")
    out = tmp_path / "out"
    score_inputs([inputs], load_pack(None), out)
    assert verify_dataset(out, tmp_path).ok
    with (inputs / "a.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    result = runner.invoke(app, ["verify", str(out), "--inputs-root", str(tmp_path)])
    assert result.exit_code == 1
    assert [p.what for p in verify_dataset(out, tmp_path).problems] == ["input in/a.jsonl"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Given by its absolute path, the input is found there from any root.
    assert [p.what for p in verify_dataset(out, elsewhere).problems] == ["input in/a.jsonl"]
    (inputs / "a.jsonl").rename(tmp_path / "moved.jsonl")
    # Not found: a problem when the root is given, only "not checked" otherwise.
    assert runner.invoke(app, ["verify", str(out), "--inputs-root", str(elsewhere)]).exit_code == 1
    skipped = verify_dataset(out, elsewhere)
    assert skipped.ok and any(c.status == "skipped" for c in skipped.checks)


def test_not_a_dataset_exits_2(tmp_path):
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 2
    assert "no manifest.json" in result.output
    assert runner.invoke(app, ["verify", str(tmp_path / "nope")]).exit_code == 2


def _reason_codes(out):
    return next(c for c in verify_dataset(out).checks if c.what == "table errors: reason codes")


def test_reason_codes_are_checked_and_counted(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    inputs = tmp_path / "in"
    inputs.mkdir()
    day = (SAMPLE / "chat_2026-11-16.jsonl").read_text(encoding="utf-8").splitlines()
    lines = [day[0], "{broken", "[1]", "{broken too", day[0]]
    (inputs / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    score_inputs([inputs], load_pack(None), out)
    check = _reason_codes(out)
    assert (check.status, check.detail) == ("ok", "bad_json 2, duplicate_id 1, wrong_type 1")

    part = out / "errors" / "part-00000.parquet"
    errors = pq.read_table(part)
    codes = errors["reason_code"].to_pylist()
    codes[1] = "made_up"
    pq.write_table(errors.set_column(4, "reason_code", pa.array(codes)), part)
    check = _reason_codes(out)
    assert (check.status, check.detail) == ("problem", "unknown reason code(s): made_up")

    # a dataset from before the column: not checked
    pq.write_table(errors.drop_columns(["reason_code"]), part)
    assert _reason_codes(out).status == "skipped"


def test_a_dataset_without_rejections_has_ok_reason_codes(runs):
    check = _reason_codes(runs[0])
    assert (check.status, check.detail) == ("ok", "no rejected record")
