"""Worker processes that end with the process they work for.

A worker of a killed run (`kill -9`, the OOM killer, a CI timeout, a closed terminal)
is adopted by PID 1 and would otherwise stay forever, blocked writing a result nobody
reads or waiting for a unit that never comes. `die_with(pid)`, called once in the
worker, ends the worker when process `pid` ends:

- on Linux, when `pid` is the worker's parent, the kernel sends it SIGKILL the moment the
  parent dies (prctl PR_SET_PDEATHSIG), even while the worker is stuck in C code;
- on every system a daemon thread checks every `POLL_SECONDS` that `pid` is still there
  and ends the worker when it is not: this covers other systems, and a `pid` that is
  not the parent (pool workers started by a fork server, Python 3.14's default).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

POLL_SECONDS = 0.5
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
ORPHANED = 1  # the exit status of a worker ended by the watcher (nobody is left to read it)


def die_with(pid: int) -> None:
    """End this process (SIGKILL or exit status `ORPHANED`) when process `pid` ends.

    The kernel's signal follows the *thread* that started this process: the parent must
    keep that thread until its workers are done (a pool started and shut down by the
    same thread does)."""
    if os.getppid() == pid:
        if sys.platform == "linux":
            _kill_me_with_parent()
            if os.getppid() != pid:  # it died before the prctl, so no signal will come
                os._exit(ORPHANED)
        # The parent's pid is re-read rather than `pid` checked: proof against a dead
        # parent that stays a zombie, and against its pid being reused.
        _watch(lambda: os.getppid() == pid)
    else:
        _watch(_liveness(pid))


def _kill_me_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    # A failure (a sandbox that forbids prctl) leaves the watcher thread to do the job.
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch(alive: Callable[[], bool]) -> None:
    def watch() -> None:
        while alive():
            time.sleep(POLL_SECONDS)
        os._exit(ORPHANED)  # no cleanup: nothing is waiting for this process's work

    threading.Thread(target=watch, name="cs-qa lifeline", daemon=True).start()


def _liveness(pid: int) -> Callable[[], bool]:
    """A test of "process `pid` is still running" for a process that is not our parent."""
    if Path("/proc/self/stat").exists():
        # Linux: a killed process stays a zombie until its parent reaps it, and its pid can
        # be reused afterwards; its start time tells the same process from another.
        stat = Path(f"/proc/{pid}/stat")
        started = _start_time(stat)
        return lambda: started is not None and _start_time(stat) == started

    if os.name != "posix":
        # Windows: os.kill(pid, 0) would send Ctrl-C; its pool workers are spawned by the
        # main process itself and watched through os.getppid().
        return lambda: True

    def exists() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # there, and another user's
        return True

    return exists


def _start_time(stat: Path) -> str | None:
    """The start time in /proc/PID/stat, or None when the process is gone or a zombie."""
    try:
        text = stat.read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (command name) "
    state, started = fields[0], fields[19]
    return None if state in ("Z", "X") else started
