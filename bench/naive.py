#!/usr/bin/env python3
"""The naive baseline: the script an analyst would write for the same job.

    .venv/bin/python bench/naive.py FILE.jsonl ... [--limit 2000]

json.loads every line, jieba.lcut every turn (word counts, the short-reply check), a
Python loop of `phrase in text` for every phrase of every rule of the default pack, one
row per conversation in a list, then a pandas DataFrame and a group-by per agent. One
process. With `--limit` it stops after that many conversations (the benchmark times a
slice and extrapolates). Prints one JSON object: conversations, bytes, the seconds spent
starting (imports, pack, jieba's dictionary) and processing, and the number of agents.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402  (imports are part of the start-up being timed)
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import jieba  # noqa: E402
import pandas as pd  # noqa: E402

from cs_qa.packs.loader import load_pack  # noqa: E402


def rule_phrases() -> dict[str, list[str]]:
    """Every phrase-list rule of the default pack: rule id -> its phrases as written
    (exceptions left out, as an analyst's first version would)."""
    pack = load_pack(None)
    out: dict[str, list[str]] = {}
    for rule in pack.rules:
        phrases = [p for name, lst in rule.lists.items() if name != "exceptions" for p in lst]
        if phrases:
            out[rule.id] = phrases
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: process the files (or a slice) and print the counts and times."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--limit", type=int, default=None, help="stop after this many")
    args = ap.parse_args(argv)
    rules = rule_phrases()
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    ready = time.perf_counter()

    rows = []
    size = 0
    for path in args.files:
        if args.limit is not None and len(rows) >= args.limit:
            break
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if args.limit is not None and len(rows) >= args.limit:
                    break
                size += len(line.encode("utf-8"))
                conv = json.loads(line)
                row = {
                    "conversation_id": conv["conversation_id"],
                    "agent_id": conv.get("agent_id"),
                    "channel": conv.get("channel"),
                    "turns": len(conv["turns"]),
                    "words": 0,
                    "short_replies": 0,
                }
                for rule_id in rules:
                    row[rule_id] = 0
                for turn in conv["turns"]:
                    text = turn["text"]
                    words = jieba.lcut(text)
                    row["words"] += len(words)
                    if turn["speaker"] == "agent" and len(words) <= 2:
                        row["short_replies"] += 1
                    for rule_id, phrases in rules.items():
                        for phrase in phrases:
                            if phrase in text:
                                row[rule_id] += 1
                rows.append(row)
    df = pd.DataFrame(rows)
    hit_columns = list(rules)
    df["hits"] = df[hit_columns].sum(axis=1)
    agents = df.groupby("agent_id").agg(
        conversations=("conversation_id", "count"),
        turns=("turns", "sum"),
        words=("words", "sum"),
        hits=("hits", "mean"),
        short_replies=("short_replies", "sum"),
    )
    done = time.perf_counter()
    sys.stdout.write(
        json.dumps(
            {
                "conversations": len(df),
                "bytes": size,
                "agents": len(agents),
                "startup_seconds": round(ready - STARTED, 3),
                "process_seconds": round(done - ready, 3),
            }
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
