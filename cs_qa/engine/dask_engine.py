"""The Dask engine: score work units on a Dask distributed cluster.

`cs-qa score --engine dask [--scheduler ADDRESS]` plans the same work units as the
local engine (cs_qa.engine.units.plan_units: whole files, byte ranges of large JSON Lines
files), scores each one on a worker with `score_unit` and hands the `UnitResult`s back
in unit order to the driver, whose Merger writes the dataset: the dataset is the same as
the local engine's.

- Without an address a LocalCluster of `workers` processes (one thread each) is started
  and closed afterwards; a cluster given by address is left running. When the run is
  killed (kill -9, the OOM killer) its LocalCluster's worker processes end with it, so
  cs_qa.engine.lifeline is not needed here: their nannies live in this process, and each worker
  exits as soon as the pipe its nanny holds open closes (distributed's AsyncProcess;
  tests/test_orphans.py checks it).
- The rule pack is shipped to the workers: the driver's loaded pack, pickled, scattered
  once to every worker and unpickled once per worker process. Workers need neither the
  pack file nor the parents it `extends:`, and cannot score with another version of it;
  they need cs-qa itself, at the driver's version (checked on connect). The pack travels
  as bytes (its matcher leaves its word segmenter behind and builds one per process),
  and Dask may copy scattered data from one worker to another at any time.
- Input files are read by the workers at the driver's absolute path: on a real cluster
  they must be on storage every worker sees at the same path. A worker that cannot see a
  file, or sees one of another size, fails the run (`InputNotOnWorker`) instead of
  reporting it as an unreadable input.
- At most `window` units (default: twice the cluster's worker threads) are in flight, so
  the driver's memory stays bounded whatever the number of units.

dask and distributed are optional (`pip install 'cs-qa[dask]'`) and imported only when
the engine runs, so `cs-qa --help` stays fast.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cs_qa import __version__
from cs_qa.engine.units import UnitResult, WorkUnit, score_unit

if TYPE_CHECKING:
    from distributed import Client

    from cs_qa.ingest.mapping import ColumnMapping
    from cs_qa.packs.model import RulePack

CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler given by address
WORKERS_TIMEOUT = 60.0  # seconds to wait for the first worker of such a cluster
INSTALL_HINT = "pip install 'cs-qa[dask]'"


class EngineError(Exception):
    """The Dask engine cannot run: dask missing, scheduler unreachable, no or
    mismatched workers, or an input not readable on a worker."""


class InputNotOnWorker(EngineError):
    """A worker cannot read an input file at the driver's path, or reads another file."""


def run_units_dask(
    units: Sequence[WorkUnit],
    pack: RulePack,
    mapping: ColumnMapping | None,
    mask: bool,
    *,
    scheduler: str | None = None,
    workers: int = 1,
    window: int | None = None,
    processes: bool = True,
) -> Iterator[UnitResult]:
    """Unit results in unit order, scored on a Dask cluster.

    `scheduler` is the address of a running scheduler (e.g. tcp://10.0.0.5:8786); None
    starts a LocalCluster of `workers` worker processes (threads with
    `processes=False`), closed when the iteration ends or is closed. `window` bounds the
    units submitted but not yet yielded (default: twice the cluster's threads).

    Raises EngineError when dask is not installed, the scheduler cannot be reached or has
    no workers, a worker runs another cs-qa version, or a worker cannot read an input.
    """
    distributed = _import_distributed()
    with _connect(distributed, scheduler, workers, processes) as client:
        _check_workers(client)
        if not units:
            return
        threads = sum(client.nthreads().values())
        window = max(1, window or 2 * threads)
        payload = pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL)
        token = hashlib.sha256(payload).hexdigest()
        # The bytes on every worker, sent once (tasks refer to them by key).
        [shipped] = client.scatter([payload], broadcast=True, hash=False)
        run = uuid.uuid4().hex[:8]
        todo = iter(enumerate(units))
        pending: list[tuple[WorkUnit, Any]] = []

        def submit() -> bool:
            for index, unit in todo:
                task = _remote(unit)
                future = client.submit(
                    score_on_worker,
                    task,
                    (token, shipped),
                    mapping,
                    mask,
                    _size(task),
                    key=f"cs-qa-unit-{run}-{index}",
                    priority=-index,  # earlier units first
                    pure=False,
                )
                pending.append((unit, future))
                return True
            return False

        try:
            while len(pending) < window and submit():
                pass
            while pending:
                unit, future = pending.pop(0)
                result: UnitResult = future.result()
                submit()
                result.unit = unit  # as planned (the worker saw the absolute path)
                yield result
        finally:
            # Stopped early (an error, or the caller closed us): leave no work behind
            # on a cluster that outlives the run.
            with suppress(Exception):  # never hide the error that stopped us
                client.cancel([f for _, f in pending] + [shipped])


def score_on_worker(
    unit: WorkUnit,
    pack: tuple[str, bytes],
    mapping: ColumnMapping | None,
    mask: bool,
    size: int | None,
) -> UnitResult:
    """`score_unit` on a worker. `pack` is (sha256 of the pickle, the pickled pack),
    unpickled once per worker process. The unit's file is checked first to be the
    driver's (same size): without the check a file missing on a worker would become a
    rejected "cannot read file" row, a silently different dataset."""
    if size is not None:
        try:
            seen: int | None = os.stat(unit.path).st_size
        except OSError:
            seen = None
        if seen != size:
            where = _worker_name()
            found = "not found" if seen is None else f"{seen} bytes, the driver's has {size}"
            raise InputNotOnWorker(
                f"{unit.path}: {found} on worker {where}; input files must be readable at "
                "the same path on every worker (shared storage)"
            )
    return score_unit(unit, _unpickled(*pack), mapping, mask)


def worker_version() -> str:
    """The cs-qa version a worker runs (compared with the driver's on connect)."""
    return __version__


# --------------------------------------------------------------------------- helpers


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise EngineError(
            f"--engine dask needs dask and distributed, which are not installed: {INSTALL_HINT}"
        ) from exc
    return distributed


@contextmanager
def _connect(
    distributed: Any, scheduler: str | None, workers: int, processes: bool
) -> Iterator[Client]:
    """A client of a new LocalCluster (both closed on exit), or of the scheduler at
    `scheduler` (only the client is closed: the cluster is not ours)."""
    if scheduler is None:
        with (
            distributed.LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,  # scoring is pure Python: one thread per process
                processes=processes,
                # The scheduler serves HTTP (health, and the dashboard when bokeh is
                # installed) anyway: on a free port, not a busy default 8787.
                dashboard_address=":0",
            ) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):
            yield client
        return
    try:
        _check_address(scheduler)
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise EngineError(
                f"the Dask scheduler at {scheduler} has no workers (waited {WORKERS_TIMEOUT:.0f} s)"
            ) from exc
        yield client


def _check_address(address: str) -> None:
    """Raise ValueError for an address Dask cannot dial (before a Client is made: a
    Client with a bad address takes long to give up)."""
    from distributed.comm import parse_address
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    get_backend(scheme)
    if not location.strip():
        raise ValueError("no host in the address")


def _check_workers(client: Client) -> None:
    """Every connected worker runs cs-qa at the driver's version."""
    answers = client.run(worker_version, on_error="return")
    wrong = {
        address: answer
        for address, answer in answers.items()
        if isinstance(answer, BaseException) or answer != __version__
    }
    if wrong:
        listed = ", ".join(
            f"{a} ({'cannot run cs-qa: ' + repr(v) if isinstance(v, BaseException) else v})"
            for a, v in sorted(wrong.items())
        )
        raise EngineError(
            f"Dask workers must run cs-qa {__version__} like the driver; these do not: {listed}"
        )


_PACKS: OrderedDict[str, RulePack] = OrderedDict()  # this worker's packs by token
_PACKS_LOCK = threading.Lock()


def _unpickled(token: str, payload: bytes) -> RulePack:
    """The pack of `payload`, unpickled once per process (the last few are kept)."""
    with _PACKS_LOCK:
        pack = _PACKS.get(token)
        if pack is None:
            pack = _PACKS[token] = pickle.loads(payload)
            while len(_PACKS) > 4:
                _PACKS.popitem(last=False)
        return pack


def _remote(unit: WorkUnit) -> WorkUnit:
    """The unit with an absolute path (workers do not share the driver's directory)."""
    return dataclasses.replace(unit, path=os.path.abspath(unit.path))


def _size(unit: WorkUnit) -> int | None:
    try:
        return Path(unit.path).stat().st_size
    except OSError:
        return None  # the driver cannot read it either: score_unit reports it as usual


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "?"
