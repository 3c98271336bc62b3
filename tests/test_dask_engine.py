"""The Dask engine: the same dataset as the local engine, results in unit order with a
bounded window, and clear errors (exit 2) when Dask cannot be used.

The comparison runs on a LocalCluster of 2 worker *processes* (1 thread each), started
once for the module (about 1.5 s): with processes the rule pack, the column mapping, the
units and the Arrow tables really are pickled and sent between processes, as on a real
cluster, which threads (processes=False) would not show. The tests of ordering and
errors use in-process clusters so that they can patch the engine's functions.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE, SAMPLE_MAPPING
from typer.testing import CliRunner

pytest.importorskip("distributed")

import distributed

import cs_qa.engine.dask_engine as dask_engine
import cs_qa.engine.units
from cs_qa.cli import app
from cs_qa.dataset.schema import TABLES
from cs_qa.engine.run import score_inputs
from cs_qa.engine.units import UnitResult, WorkUnit, plan_units
from cs_qa.ingest.mapping import load_mapping
from cs_qa.packs.loader import load_pack

runner = CliRunner()


@pytest.fixture(scope="module")
def cluster():
    """2 worker processes of 1 thread, shared by the module's tests (started once)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as running:
        yield running


@pytest.fixture
def sample_copy(tmp_path, monkeypatch):
    """The sample week plus a conversation id repeated in another file, with a chunk size
    small enough that the JSON Lines files are split into byte ranges."""
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    first = (SAMPLE / "chat_2026-11-16.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (folder / "zz_dup.jsonl").write_text(first + "\n", encoding="utf-8")
    monkeypatch.setattr(cs_qa.engine.units, "CHUNK_BYTES", 7000)
    return folder


def said(result) -> str:
    """What a command printed, as one line (the terminal wraps long messages)."""
    return " ".join(result.output.split())


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / name)


def manifest(out: Path) -> dict:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    del data["started_at"], data["finished_at"]
    return data


def test_dask_engine_writes_the_same_dataset_as_the_local_engine(tmp_path, sample_copy, cluster):
    mapping = load_mapping(SAMPLE_MAPPING)
    units = plan_units(_files(sample_copy), mapping=mapping)
    assert len(units) > 40 and any(u.first_line > 1 for u in units)  # split files too
    local, dask = tmp_path / "local", tmp_path / "dask"
    score_inputs([sample_copy], load_pack(None), local, mapping=mapping)
    summary = score_inputs(
        [sample_copy],
        load_pack(None),
        dask,
        mapping=mapping,
        engine="dask",
        scheduler=cluster.scheduler_address,
    )
    for name in TABLES:
        pd.testing.assert_frame_equal(read(local, name), read(dask, name), check_dtype=True)
    assert manifest(local) == manifest(dask)
    conversations = read(dask, "conversations")
    assert summary.scored == len(conversations) >= 300
    # the duplicate across files is found across units scored on different workers
    errors = read(dask, "errors")
    assert list(errors.source_file) == ["in/zz_dup.jsonl"]
    assert "first at in/chat_2026-11-16.jsonl:1" in errors.reason.iloc[0]
    # line numbers inside split files are the true ones
    day = conversations[conversations.source_file == "in/chat_2026-11-16.jsonl"]
    assert list(day.source_line) == list(range(1, len(day) + 1))
    # a cluster given by address is not ours to close
    assert cluster.status.name == "running"
    with distributed.Client(cluster, set_as_default=False) as client:
        assert len(client.nthreads()) == 2


def _files(folder: Path) -> list[tuple[Path, str]]:
    from cs_qa.ingest import discover

    return discover([folder])


def test_a_pack_used_before_is_shipped_too(tmp_path, cluster):
    # A pack that has segmented words holds a segmenter, which is not pickled.
    pack = load_pack(None)
    pack.matcher.tokenizer("您好，请问有什么可以帮您")
    out = tmp_path / "out"
    score_inputs(
        [SAMPLE / "chat_2026-11-16.jsonl"],
        pack,
        out,
        engine="dask",
        scheduler=cluster.scheduler_address,
    )
    assert len(read(out, "conversations")) == 40


def test_cli_scores_on_a_cluster_given_by_address(tmp_path, cluster):
    out = tmp_path / "out"
    args = ["score", str(SAMPLE / "chatlogs"), "--out", str(out), "-q"]
    result = runner.invoke(
        app, [*args, "--engine", "dask", "--scheduler", cluster.scheduler_address]
    )
    assert result.exit_code == 0, result.output
    runner.invoke(app, ["score", str(SAMPLE / "chatlogs"), "--out", str(tmp_path / "l"), "-q"])
    for name in TABLES:
        pd.testing.assert_frame_equal(read(tmp_path / "l", name), read(out, name))


def test_results_come_in_unit_order_with_a_bounded_window(tmp_path, monkeypatch):
    """Unit 0 is slow and the others fast: they finish first, yet come out after it; and
    no unit starts more than `window` units ahead of the one being handed out."""
    folder = tmp_path / "in"
    folder.mkdir()
    line = (SAMPLE / "chat_2026-11-16.jsonl").read_text(encoding="utf-8").splitlines()[0]
    for i in range(12):
        (folder / f"f{i:02}.jsonl").write_text(line + "\n", encoding="utf-8")
    units = plan_units(_files(folder))
    started: list[int] = []
    real = cs_qa.engine.units.score_unit
    lock = threading.Lock()

    def slow_first(unit: WorkUnit, *args: object) -> UnitResult:
        index = int(Path(unit.path).stem[1:])
        with lock:
            started.append(index)
        time.sleep(1.0 if index == 0 else 0.01)
        return real(unit, *args)

    monkeypatch.setattr(dask_engine, "score_unit", slow_first)
    window = 3
    handed: list[int] = []
    # closing(): a failed assertion must still close the cluster (or pytest never exits)
    with closing(
        dask_engine.run_units_dask(
            units, load_pack(None), None, True, workers=2, window=window, processes=False
        )
    ) as results:
        for result in results:
            index = int(Path(result.unit.path).stem[1:])
            with lock:
                assert max(started) <= index + window, (index, started)
            handed.append(index)
            assert result.unit is units[index]  # the unit as planned
    assert handed == list(range(12))
    assert sorted(started) == list(range(12))
    assert started.index(0) < started.index(3)  # earlier units are started first


def test_a_local_cluster_it_starts_is_closed(tmp_path, monkeypatch):
    made: list[distributed.LocalCluster] = []

    class Recorded(distributed.LocalCluster):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    units = plan_units(_files(SAMPLE / "chatlogs"))
    results = list(
        dask_engine.run_units_dask(units, load_pack(None), None, True, workers=2, processes=False)
    )
    assert [r.unit for r in results] == units
    assert len(made) == 1 and made[0].status.name == "closed"
    # also when the caller stops early
    made.clear()
    results = dask_engine.run_units_dask(
        units, load_pack(None), None, True, workers=1, processes=False
    )
    next(results)
    results.close()
    assert made[0].status.name == "closed"


def test_an_input_a_worker_cannot_read_stops_the_run(tmp_path, monkeypatch):
    # The worker sees a file of another size than the driver's (not shared storage).
    monkeypatch.setattr(dask_engine, "_size", lambda unit: 1)
    units = plan_units(_files(SAMPLE / "chatlogs"))
    with pytest.raises(dask_engine.InputNotOnWorker, match="same path on every worker"):
        list(dask_engine.run_units_dask(units, load_pack(None), None, True, processes=False))


def test_workers_on_another_version_are_refused(monkeypatch):
    monkeypatch.setattr(dask_engine, "worker_version", lambda: "0.0.0")
    units = plan_units(_files(SAMPLE / "chatlogs"))
    with pytest.raises(dask_engine.EngineError, match=r"\(0\.0\.0\)"):
        list(dask_engine.run_units_dask(units, load_pack(None), None, True, processes=False))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_exits_2(tmp_path, monkeypatch):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{_closed_port()}"
    args = ["score", str(SAMPLE / "chatlogs"), "--out", str(out), "-q"]
    result = runner.invoke(app, [*args, "--engine", "dask", "--scheduler", address])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in said(result)
    assert not out.exists() and not list(tmp_path.glob(".out.partial*"))
    result = runner.invoke(app, [*args, "--engine", "dask", "--scheduler", "nonsense://x"])
    assert result.exit_code == 2
    assert "unknown address scheme" in said(result)


def test_a_scheduler_without_workers_exits_2(tmp_path, monkeypatch):
    monkeypatch.setattr(dask_engine, "WORKERS_TIMEOUT", 0.5)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        args = ["score", str(SAMPLE / "chatlogs"), "--out", str(tmp_path / "o"), "-q"]
        result = runner.invoke(
            app, [*args, "--engine", "dask", "--scheduler", empty.scheduler_address]
        )
    assert result.exit_code == 2
    assert "has no workers" in said(result)


def test_without_dask_installed_the_engine_exits_2(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    args = ["score", str(SAMPLE / "chatlogs"), "--out", str(tmp_path / "o"), "-q"]
    result = runner.invoke(app, [*args, "--engine", "dask"])
    assert result.exit_code == 2
    assert "pip install 'cs-qa[dask]'" in said(result)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--engine", "spark"], "--engine must be one of local, dask"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --engine dask"),
    ],
)
def test_engine_options_are_checked(tmp_path, options, message):
    args = ["score", str(SAMPLE / "chatlogs"), "--out", str(tmp_path / "o"), "-q"]
    result = runner.invoke(app, [*args, *options])
    assert result.exit_code == 2
    assert message in said(result)
