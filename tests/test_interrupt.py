"""Interrupted runs: a real `cs-qa score` process stopped by Ctrl-C (SIGINT) or killed
(SIGKILL) in the middle of a run must never leave a directory that looks finished."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from cs_qa.dataset.schema import MANIFEST

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

CS_QA = [sys.executable, "-c", "from cs_qa.cli import main; main()"]


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    """Enough conversations (~28 MB, several work units) for a run of a few seconds."""
    folder = tmp_path_factory.mktemp("big")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--n", "20000", "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    return folder


def _start(big_input: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CS_QA, "score", str(big_input), "--out", str(out), "--workers", "2", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so the test can kill all of it
    )


def _wait_for_partial(out: Path, proc: subprocess.Popen[str]) -> Path:
    """The run's partial directory once a table part exists in it (the run is mid-way)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        for partial in out.parent.glob(f".{out.name}.partial-*"):
            if any(partial.glob("*/*.parquet")):
                return partial
        time.sleep(0.05)
    raise AssertionError("the run never started writing")


def _running(out: Path) -> list[str]:
    """Processes (main or workers: forked workers keep the command line) of this run."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(out) in cmdline and "score" in cmdline:
                found.append(entry.name)
    return found


def test_ctrl_c_stops_the_run_cleanly(big_input, tmp_path):
    out = tmp_path / "out"
    proc = _start(big_input, out)
    _wait_for_partial(out, proc)
    proc.send_signal(signal.SIGINT)  # to the main process only, like `kill -INT`
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted: nothing written to" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.partial-*"))  # the partial output was removed
    time.sleep(0.5)
    assert _running(out) == []  # no worker left behind


def test_after_sigkill_nothing_looks_finished_and_the_next_run_cleans_up(big_input, tmp_path):
    out = tmp_path / "out"
    proc = _start(big_input, out)
    partial = _wait_for_partial(out, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers, no cleanup
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # never renamed into place
    assert partial.exists() and not (partial / MANIFEST).exists()
    verify = subprocess.run([*CS_QA, "verify", str(partial)], capture_output=True, text=True)
    assert verify.returncode == 2 and "no manifest.json" in verify.stderr

    small = ROOT / "sample_transcripts" / "chat_2026-11-16.jsonl"
    again = subprocess.run([*CS_QA, "score", str(small), "--out", str(out), "--quiet"])
    assert again.returncode == 0
    assert (out / MANIFEST).exists()
    assert not partial.exists()  # the dead run's leftovers were removed


_POOL = None  # the pool of the test below, as its forked worker sees it


def _send_half_a_result() -> None:
    """What a worker killed mid-send leaves behind: a message header promising 1,000
    bytes and only 3 of them in the pool's result pipe."""
    import struct

    writer = _POOL._result_queue._writer  # type: ignore[union-attr]
    writer._send(struct.pack("!i", 1000))
    writer._send(b"abc")
    time.sleep(120)


def test_stopping_a_pool_whose_worker_died_mid_send_does_not_hang():
    """The pool's manager thread waits for the rest of a half-sent message; stopping the
    pool must still end that thread (else Python waits for it at exit, forever)."""
    global _POOL
    from concurrent.futures import ProcessPoolExecutor

    from cs_qa.engine.run import _stop

    _POOL = pool = ProcessPoolExecutor(max_workers=1)
    future = pool.submit(_send_half_a_result)
    manager = pool._executor_manager_thread
    time.sleep(1.0)  # the worker has written its half message; the manager is reading it
    assert not future.done()
    _stop(pool)
    manager.join(timeout=20)
    assert not manager.is_alive()
