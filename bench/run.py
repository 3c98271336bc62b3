#!/usr/bin/env python3
"""Benchmark cs-qa against a floor and a naive script on the same generated input.

    .venv/bin/python bench/run.py --n 100000 [--keep] [--only cs-qa]

Generates N conversations (bench/generate.py) into a temporary folder, then measures,
one after the other on the same files:

(a) `cs-qa score DIR --workers 2 --quiet --overwrite --out OUT`, as a subprocess;
(b) the floor (bench/floor.py): read + orjson + normalise + the pack's Aho-Corasick scan
    of every turn, in two processes, nothing scored or written;
(c) the naive script (bench/naive.py: json, jieba.lcut on every turn, `phrase in text`
    per rule, pandas group-by), timed on a slice (`--naive-slice`) and extrapolated;

and `cs-qa --help` (best of 5). Each subprocess's peak RSS is the largest sum of VmRSS
over it and all its descendants, sampled every 50 ms from /proc. The report gives
conversations/s, MB/s, peak RSS, the throughput ratios cs-qa/floor and cs-qa/naive and a
verdict against the targets. It also says how much CPU other processes used during each
measurement (the numbers mean little on a busy machine). `--only cs-qa` measures (a)
only. No time is asserted anywhere: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import generate

BENCH = Path(__file__).resolve().parent
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")

FLOOR_RATIO_TARGET = 0.5  # cs-qa throughput >= 0.5 x floor
NAIVE_RATIO_TARGET = 10.0  # cs-qa throughput >= 10 x naive
RSS_TARGET = 1 << 30  # peak RSS of cs-qa < 1 GiB
HELP_TARGET_S = 0.3


# ---------------------------------------------------------------------------- /proc


def _children() -> dict[int, list[int]]:
    """ppid -> pids, from /proc/*/stat."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and brackets
        fields = stat.rpartition(b")")[2].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    """VmRSS of `pid` in kB (0 when it is gone or a zombie)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0  # gone, or a zombie (no VmRSS line)


def tree_rss(root: int) -> int:
    """Bytes of VmRSS summed over `root` and all its descendants."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo.extend(tree.get(pid, ()))
    return total * 1024


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    guest = sum(fields[8:10]) if len(fields) > 9 else 0  # already counted in user/nice
    return (sum(fields) - idle - guest) / TICKS


class PeakRSS(threading.Thread):
    """Samples `tree_rss(pid)` every `interval` seconds and keeps the maximum."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss(self.pid))
            self.samples += 1
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# ---------------------------------------------------------------------------- running


@dataclass
class Measured:
    """One subprocess run: wall time, peak tree RSS (bytes), CPU and its output."""

    wall_s: float
    peak_rss: int
    cpu_s: float  # user + system of the process tree
    other_cpu_s: float  # CPU used meanwhile by everything else on the machine
    returncode: int
    stdout: str
    stderr: str


def measure(cmd: list[str], cwd: Path | None = None) -> Measured:
    """Run `cmd`, timing it and sampling its process tree's RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = time.process_time()
    busy_before = busy_cpu_s()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        sampler = PeakRSS(proc.pid)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - started
        sampler.stop()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    own = time.process_time() - self_before
    other = max(0.0, busy_cpu_s() - busy_before - cpu - own)
    return Measured(wall, sampler.peak, cpu, other, returncode, stdout, stderr)


def cs_qa_binary() -> str:
    """The cs-qa next to this Python (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / "cs-qa"
    if local.exists():
        return str(local)
    found = shutil.which("cs-qa")
    if found is None:
        raise SystemExit("cs-qa not found next to this Python or on PATH")
    return found


def help_time(cs_qa: str, repeat: int = 5) -> float:
    """Best wall time of `cs-qa --help` over `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([cs_qa, "--help"], check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


# ---------------------------------------------------------------------------- report


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def _rss(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _row(label: str, conversations: int, size: int, wall: float, rss: str, cpu: str) -> str:
    return (
        f"{label:<34} {wall:>8.1f} {conversations / wall:>9,.0f} "
        f"{size / 1e6 / wall:>7.2f} {rss:>12} {cpu:>9}"
    )


def _met(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def _cpu(m: Measured) -> str:
    return f"{m.cpu_s:.1f}"


def _other(label: str, m: Measured) -> str:
    share = m.other_cpu_s / m.wall_s if m.wall_s else 0.0
    return f"  {label}: other processes used {m.other_cpu_s:.1f} CPU s ({share:.0%} of one core)"


def main(argv: list[str] | None = None) -> int:
    """Command line: set up the work folder, run the benchmark, clean up."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=generate.DEFAULT_N, help="conversations")
    ap.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="generator seed")
    ap.add_argument("--workers", type=int, default=2, help="cs-qa --workers and floor processes")
    ap.add_argument(
        "--naive-slice", type=int, default=2000, help="conversations the naive script reads"
    )
    ap.add_argument("--only", choices=["all", "cs-qa"], default="all", help="what to measure")
    ap.add_argument("--work", type=Path, default=None, help="folder for data and output")
    ap.add_argument("--keep", action="store_true", help="keep the data and the dataset")
    ap.add_argument("--cs-qa", dest="cs_qa", default=None, help="cs-qa executable")
    args = ap.parse_args(argv)
    if args.n < 2:
        ap.error("--n must be at least 2")
    cs_qa = args.cs_qa or cs_qa_binary()
    work = args.work or Path(tempfile.mkdtemp(prefix="cs-qa-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data, out = work / "data", work / "out"
    try:
        return _bench(args, cs_qa, data, out)
    finally:
        if args.keep:
            print(f"kept: data in {data}, dataset in {out}")
        elif args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(data, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)


def _bench(args: argparse.Namespace, cs_qa: str, data: Path, out: Path) -> int:
    """Generate, measure and print the report."""
    print(f"cs-qa benchmark: N={args.n:,}, seed {args.seed}, workers {args.workers}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    made = generate.write(args.n, data, args.seed)
    n, size = made.conversations, made.bytes
    print(
        f"generated {n:,} conversations, {_mb(size)} in {len(made.files)} files "
        f"in {made.seconds:.1f} s ({n / made.seconds:,.0f} conversations/s)"
    )
    print()

    score = measure(
        [
            cs_qa,
            "score",
            str(data),
            "--out",
            str(out),
            "--overwrite",
            "--quiet",
            "--workers",
            str(args.workers),
        ]
    )
    if score.returncode not in (0, 3):
        print(score.stderr, file=sys.stderr)
        raise SystemExit(f"cs-qa score failed with exit code {score.returncode}")
    counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]

    floor = naive = None
    if args.only == "all":
        floor = measure(
            [
                sys.executable,
                str(BENCH / "floor.py"),
                "--procs",
                str(args.workers),
                *map(str, made.files),
            ]
        )
        if floor.returncode != 0:
            print(floor.stderr, file=sys.stderr)
            raise SystemExit("floor failed")
        floor_counts = json.loads(floor.stdout)
        slice_n = min(args.naive_slice, n)
        naive = measure(
            [
                sys.executable,
                str(BENCH / "naive.py"),
                "--limit",
                str(slice_n),
                *map(str, made.files),
            ]
        )
        if naive.returncode != 0:
            print(naive.stderr, file=sys.stderr)
            raise SystemExit("naive failed")
        naive_counts = json.loads(naive.stdout)

    head = f"{'':<34} {'wall s':>8} {'conv/s':>9} {'MB/s':>7} {'peak RSS':>12} {'CPU s':>9}"
    print(head)
    print(
        _row(
            f"(a) cs-qa score --workers {args.workers}",
            n,
            size,
            score.wall_s,
            _rss(score.peak_rss),
            _cpu(score),
        )
    )
    cs_rate = n / score.wall_s
    naive_rate = floor_rate = None
    if floor is not None and naive is not None:
        print(
            _row(
                f"(b) floor, {floor_counts['processes']} processes",
                n,
                size,
                floor.wall_s,
                _rss(floor.peak_rss),
                _cpu(floor),
            )
        )
        per_conv = naive_counts["process_seconds"] / naive_counts["conversations"]
        fixed = naive.wall_s - naive_counts["process_seconds"]  # interpreter, imports, jieba
        naive_wall = fixed + per_conv * n
        print(
            _row(
                "(c) naive, 1 process (extrapolated)",
                n,
                size,
                naive_wall,
                _rss(naive.peak_rss) + "*",
                "-",
            )
        )
        floor_rate, naive_rate = n / floor.wall_s, n / naive_wall
    print()
    print(
        f"cs-qa: read {counts['read']:,}, scored {counts['scored']:,}, "
        f"rejected {counts['rejected']:,}, findings {counts['findings']:,}"
    )
    if floor is not None and naive is not None:
        print(
            f"floor: {floor_counts['conversations']:,} conversations, "
            f"{floor_counts['turns']:,} turns, {floor_counts['hits']:,} phrase hits"
        )
        sliced = naive_counts["conversations"]
        print(
            f"naive: timed on a slice of {sliced:,} of {n:,} conversations and extrapolated:\n"
            f"  slice wall {naive.wall_s:.1f} s = {naive_counts['startup_seconds']:.1f} s "
            f"start-up (imports, pack, jieba dictionary) + "
            f"{naive_counts['process_seconds']:.1f} s processing "
            f"({sliced / naive_counts['process_seconds']:,.0f} conversations/s) + the rest\n"
            f"  wall for N = (slice wall - processing) + processing x {n:,} / {sliced:,}; "
            f"* peak RSS of the slice"
        )
    print("CPU used by other processes during each measurement (busy machine = noisy numbers):")
    print(_other("cs-qa", score))
    if floor is not None and naive is not None:
        print(_other("floor", floor))
        print(_other("naive", naive))
    print()

    verdicts = []
    if floor_rate is not None and naive_rate is not None:
        to_floor, to_naive = cs_rate / floor_rate, cs_rate / naive_rate
        print(f"ratio cs-qa/floor (throughput): {to_floor:.2f}")
        print(f"ratio cs-qa/naive (throughput): {to_naive:.1f}")
        verdicts.append(
            (
                f"cs-qa >= {FLOOR_RATIO_TARGET} x floor",
                to_floor >= FLOOR_RATIO_TARGET,
                f"{to_floor:.2f} x",
            )
        )
        verdicts.append(
            (
                f"cs-qa >= {NAIVE_RATIO_TARGET:.0f} x naive",
                to_naive >= NAIVE_RATIO_TARGET,
                f"{to_naive:.1f} x",
            )
        )
    else:
        print("ratios: not measured (--only cs-qa)")
    verdicts.append(("cs-qa peak RSS < 1 GiB", score.peak_rss < RSS_TARGET, _rss(score.peak_rss)))
    if args.only == "all":
        best = help_time(cs_qa)
        print(f"cs-qa --help: {best:.3f} s (best of 5)")
        verdicts.append(
            (f"cs-qa --help <= {HELP_TARGET_S} s", best <= HELP_TARGET_S, f"{best:.3f} s")
        )
    if counts["rejected"]:
        verdicts.append(("no rejected conversations", False, f"{counts['rejected']:,}"))
    print()
    for what, ok, value in verdicts:
        print(f"target {what}: {_met(ok)} ({value})")
    missed = [what for what, ok, _ in verdicts if not ok]
    print(
        "verdict: all targets met"
        if not missed
        else f"verdict: {len(missed)} of {len(verdicts)} targets missed: {'; '.join(missed)}"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
