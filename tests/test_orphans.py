"""Workers die with their parent: a `cs-qa score` killed with SIGKILL (the OOM killer, a
CI timeout, a closed terminal) leaves no worker process behind (cs_qa.engine.lifeline), with
either engine. The processes are found in /proc, so these tests run on Linux only.

A killed process stays a zombie until its parent reaps it, and orphans may never be
reaped (PID 1 of a container need not do it): a zombie counts as gone, and the killed
`cs-qa` is reaped only after its workers were checked, as a slow parent would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import ROOT

from cs_qa.engine.lifeline import ORPHANED

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

GONE_WITHIN = 5.0  # seconds after the kill, the bound the issue sets
PYTHON = sys.executable
CS_QA = [PYTHON, "-c", "from cs_qa.cli import main; main()"]

Process = tuple[int, str]  # pid and start time: the same process, not a reused pid


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    """Enough conversations (~28 MB, several work units) for a run of several seconds."""
    folder = tmp_path_factory.mktemp("big")
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "generate.py"), "--n", "20000", "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    return folder


def test_a_killed_local_run_leaves_no_worker(big_input, tmp_path):
    _kill_mid_run(big_input, tmp_path / "out", ["--workers", "2"], workers=2, within=60)


def test_a_killed_dask_run_leaves_no_worker(big_input, tmp_path):
    """The LocalCluster's worker processes end with the run too (distributed's own pipe
    from nanny to worker sees the run die; this pins that)."""
    pytest.importorskip("distributed")
    engine = ["--workers", "2", "--engine", "dask"]
    _kill_mid_run(big_input, tmp_path / "out", engine, workers=2, within=25)


def test_a_watcher_ends_its_process_when_the_watched_process_ends():
    """The watcher of a pid that is not the parent (a fork server's or a nanny's worker):
    the watched process is killed and left a zombie, which counts as ended."""
    watched = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(60)"])
    watcher = _python(
        f"from cs_qa.engine.lifeline import die_with; die_with({watched.pid})",
        "print('ready', flush=True)",
        "import time; time.sleep(60)",
    )
    try:
        assert watcher.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # two polls: a living process is not mistaken for an ended one
        assert watcher.poll() is None
        watched.kill()  # not reaped yet: a zombie
        assert watcher.wait(timeout=GONE_WITHIN) == ORPHANED
    finally:
        for proc in (watcher, watched):
            proc.kill()
            proc.wait()


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_stuck_in_c_code_dies_with_its_parent():
    """A worker that holds the GIL (here in a regular expression that backtracks for
    ages) runs no watcher thread: only the kernel's signal can end it."""
    worker = (
        "import os, re; from cs_qa.engine.lifeline import die_with; die_with(os.getppid()); "
        "print('stuck', flush=True); re.match(r'(a+)+$', 'a' * 64 + 'b')"
    )
    parent = _python(
        f"import subprocess, sys; w = subprocess.Popen([sys.executable, '-c', {worker!r}])",
        "print(w.pid, flush=True); import time; time.sleep(60)",
    )
    stuck: list[Process] = []
    try:
        said = sorted(parent.stdout.readline().strip() for _ in range(2))  # either order
        assert said[1] == "stuck"
        stuck = _identify([int(said[0])])
        parent.kill()
        assert _still_running(stuck, GONE_WITHIN) == []
    finally:
        _kill(stuck)
        parent.kill()
        parent.wait()


# --------------------------------------------------------------------------- helpers


def _kill_mid_run(inputs: Path, out: Path, options: list[str], workers: int, within: float) -> None:
    """Start `cs-qa score`, SIGKILL it once its workers have written results, and check
    that none of its processes outlives it by more than GONE_WITHIN seconds."""
    proc = subprocess.Popen(
        [*CS_QA, "score", str(inputs), "--out", str(out), "--quiet", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not in pytest's process group
    )
    left: list[Process] = []
    try:
        left = _wait_mid_run(proc, out, workers, within)
        os.kill(proc.pid, signal.SIGKILL)  # the main process only, like the OOM killer
        assert _still_running(left, GONE_WITHIN) == []
    finally:
        _kill(left)
        proc.kill()
        proc.wait()


def _wait_mid_run(proc: subprocess.Popen, out: Path, workers: int, within: float) -> list[Process]:
    """The descendants of `proc` once a table part exists in its partial output."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        written = any(out.parent.glob(f".{out.name}.partial-*/*/*.parquet"))
        found = _descendants(proc.pid)
        if written and len(found) >= workers:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {workers} workers writing results within {within:.0f} s")


def _processes() -> dict[int, tuple[int, str, str]]:
    """Every process: pid -> (parent pid, state, start time)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            fields = text[text.rindex(")") + 2 :].split()
            found[int(entry.name)] = (int(fields[1]), fields[0], fields[19])
    return found


def _descendants(pid: int) -> list[Process]:
    table = _processes()
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _, started) in table.items():
            if ppid == parent:
                found.append((child, started))
                todo.append(child)
    return found


def _identify(pids: Iterable[int]) -> list[Process]:
    table = _processes()
    return [(pid, table[pid][2]) for pid in pids if pid in table]


def _running(processes: Iterable[Process]) -> list[Process]:
    table = _processes()
    return [
        (pid, started)
        for pid, started in processes
        if pid in table and table[pid][2] == started and table[pid][1] not in ("Z", "X")
    ]


def _still_running(processes: list[Process], seconds: float) -> list[Process]:
    """Those of `processes` still running (not ended, not a zombie) after `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := _running(processes)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _kill(processes: list[Process]) -> None:
    """Leave nothing behind when a test fails."""
    for pid, _ in _running(processes):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _python(*lines: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-c", "\n".join(lines)], stdout=subprocess.PIPE, text=True, bufsize=1
    )
