#!/usr/bin/env python3
"""The floor: the least work any scorer of these files has to do, in two processes.

    .venv/bin/python bench/floor.py FILE.jsonl ... [--procs 2]

Read every line, parse it (orjson), normalise every turn's text (cs_qa.core.normalize's
`normalize_all`, a conversation at a time, as cs-qa does) and scan it with the default
pack's own Aho-Corasick automaton (`RulePack.matcher.scan`). No rules are evaluated and
nothing is written. The files are shared between `--procs` forked processes (largest
first, each to the least loaded process). Prints one JSON object: conversations, turns,
hits (phrase occurrences), bytes and seconds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson

from cs_qa.core.normalize import normalize_all
from cs_qa.packs.loader import load_pack
from cs_qa.packs.model import RulePack

_PACK: RulePack | None = None  # loaded once in the parent, inherited by the forked workers


def scan_files(paths: list[str]) -> tuple[int, int, int, int]:
    """(conversations, turns, hits, bytes) of `paths`."""
    assert _PACK is not None
    scan = _PACK.matcher.scan
    conversations = turns = hits = size = 0
    for path in paths:
        with open(path, "rb") as fh:
            for raw in fh:
                size += len(raw)
                if not raw.strip():
                    continue
                record = orjson.loads(raw)
                conversations += 1
                texts = normalize_all([turn["text"] for turn in record["turns"]])
                turns += len(texts)
                for text in texts:
                    for starts in scan(text).values():
                        hits += len(starts)
    return conversations, turns, hits, size


def share(paths: list[Path], procs: int) -> list[list[str]]:
    """The files split into `procs` groups of about equal size (largest first, each to
    the group with the fewest bytes so far)."""
    groups: list[list[str]] = [[] for _ in range(procs)]
    loads = [0] * procs
    for path in sorted(paths, key=lambda p: (-p.stat().st_size, str(p))):
        k = loads.index(min(loads))
        groups[k].append(str(path))
        loads[k] += path.stat().st_size
    return [g for g in groups if g]


def main(argv: list[str] | None = None) -> int:
    """Command line: scan the files in `--procs` processes and print the counts."""
    global _PACK
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--procs", type=int, default=2, help="processes (%(default)s)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    _PACK = load_pack(None)
    groups = share(args.files, max(1, args.procs))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(groups), mp_context=context) as pool:
        results = list(pool.map(scan_files, groups))
    conversations, turns, hits, size = (sum(col) for col in zip(*results, strict=True))
    sys.stdout.write(
        orjson.dumps(
            {
                "conversations": conversations,
                "turns": turns,
                "hits": hits,
                "bytes": size,
                "processes": len(groups),
                "seconds": round(time.perf_counter() - started, 3),
            }
        ).decode()
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
