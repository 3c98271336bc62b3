#!/usr/bin/env python3
"""Write N realistic conversations as canonical JSON Lines, for the benchmark.

    .venv/bin/python bench/generate.py --n 100000 --out /tmp/bench-data [--seed 1]

The phrasing comes from the sample generator (scripts/make_sample.py): a pool of
template conversations is built from several of its weeks (chat and call, Simplified
and Traditional, e-commerce shops and a telecom call centre, with their planted slips,
holds, transfers, ASR spacing and full-width text). Each output conversation is a
template with a new id, a new agent (one of `CLONES` colleagues of the template's agent,
so strong and weak agents stay strong and weak), a new day and time of day, and new
digits in its order, tracking and tax numbers. Phone and ID-card numbers are kept as
written, so masking has the same work as in the sample.

The files hold `PER_DAY` conversations a day from 2026-12-01 on (ids
`b-YYYYMMDD-NNNNN`), an even number of files of about `TARGET_MB` MB each (at least two),
so that `cs-qa score --workers 2` splits them and two floor processes share them equally.
The same seed and N give byte-identical files; 1,000,000 conversations (1.4 GB) take
about 35 s on one core.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import orjson

ROOT = Path(__file__).resolve().parent.parent
MAKE_SAMPLE = ROOT / "scripts" / "make_sample.py"

DEFAULT_N = 100_000
DEFAULT_SEED = 1
TEMPLATE_WEEKS = 16  # sample weeks (about 340 conversations each) behind the pool
CLONES = 40  # colleagues per sample agent: 11 sample agents -> 440 agents
PER_DAY = 14_000  # conversations a day (440 agents x ~32)
FIRST_DAY = date(2026, 12, 1)
TARGET_MB = 32
FILE_PREFIX = "bench"
DAY_START_S = 8 * 3600  # conversations start between 08:00 ..
DAY_END_S = 21 * 3600  # .. and 21:00 (+08:00), and end the same day

# Order, tracking and tax numbers: runs of 8+ ASCII digits other than the 11-digit phone
# numbers and 17/18-digit ID numbers (those stay as they are, for the masking to find).
_NUMBER = re.compile(r"(?<![0-9])[0-9]{8,}(?![0-9])")
_KEEP_LENGTHS = {11, 17, 18}
_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]

# A turn's text: a plain string, or parts where an int n stands for n random digits.
Text = str | tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class TurnTemplate:
    speaker: str
    text: Text
    at: int  # chat: seconds from the start of the conversation
    start: float | None  # call: as written
    end: float | None
    agent: int | None  # index of the sample agent of a transferred turn


@dataclass(frozen=True, slots=True)
class Template:
    channel: str
    agent: int  # index into the sample agents
    length_s: int  # chat: seconds from the first to the last turn
    turns: tuple[TurnTemplate, ...]
    size: int  # bytes of the sample line, to plan the files


def load_make_sample() -> ModuleType:
    """scripts/make_sample.py as a module (it is a script, not part of the package)."""
    name = "make_sample"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, MAKE_SAMPLE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {MAKE_SAMPLE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _text(text: str) -> Text:
    """`text` as a template: its order, tracking and tax numbers become digit slots."""
    parts: list[str | int] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        if len(m.group()) in _KEEP_LENGTHS:
            continue
        # keep the first two digits (26…, SF…, 91…) so the number still looks like its kind
        parts.append(text[pos : m.start() + 2])
        parts.append(len(m.group()) - 2)
        pos = m.end()
    if not parts:
        return text
    parts.append(text[pos:])
    return tuple(parts)


@lru_cache(maxsize=2)
def build_templates(seed: int, weeks: int = TEMPLATE_WEEKS) -> tuple[list[Template], list[str]]:
    """The template pool from `weeks` sample weeks, and the sample agents' ids (cached:
    callers only read them)."""
    sample = load_make_sample()
    records = []
    week_seed, made = seed * 1000, 0
    while made < weeks:
        week_seed += 1
        try:
            convs = sample.generate(week_seed)
        except IndexError:
            continue  # a schedule without a slot for one of the planted conversations
        records.extend(sample.canonical(conv) for conv in convs)
        made += 1
    agents = sorted(
        {r["agent_id"] for r in records}
        | {t["agent_id"] for r in records for t in r["turns"] if "agent_id" in t}
    )
    index = {a: i for i, a in enumerate(agents)}
    templates = []
    for r in records:
        chat = r["channel"] == "chat"
        t0 = datetime.fromisoformat(r["started_at"])
        turns = []
        for t in r["turns"]:
            at = int((datetime.fromisoformat(t["ts"]) - t0).total_seconds()) if chat else 0
            turns.append(
                TurnTemplate(
                    t["speaker"],
                    _text(t["text"]),
                    at,
                    t.get("start"),
                    t.get("end"),
                    index[t["agent_id"]] if "agent_id" in t else None,
                )
            )
        templates.append(
            Template(
                r["channel"],
                index[r["agent_id"]],
                max(t.at for t in turns),
                tuple(turns),
                len(orjson.dumps(r)) + 1,
            )
        )
    return templates, agents


def agent_ids(n_sample_agents: int, clones: int = CLONES) -> list[list[str]]:
    """ids[clone][sample agent]: A2000 upwards, one block of 16 per clone."""
    if n_sample_agents > 16:
        raise ValueError("more than 16 sample agents: widen the id blocks")
    return [[f"A{2000 + c * 16 + j}" for j in range(n_sample_agents)] for c in range(clones)]


class Generator:
    """Conversations from the template pool, one `random.Random(seed)` stream."""

    def __init__(self, seed: int = DEFAULT_SEED, weeks: int = TEMPLATE_WEEKS) -> None:
        self.templates, self.sample_agents = build_templates(seed, weeks)
        self.agents = agent_ids(len(self.sample_agents))
        self.rng = random.Random(f"bench:{seed}")

    @property
    def mean_size(self) -> float:
        """Mean bytes of a line, to plan the files."""
        return sum(t.size for t in self.templates) / len(self.templates)

    def _fill(self, text: Text) -> str:
        """A template text with fresh digits in its number slots."""
        if isinstance(text, str):
            return text
        rng = self.rng
        return "".join(p if isinstance(p, str) else f"{rng.randrange(10**p):0{p}d}" for p in text)

    def conversation(self, i: int) -> dict:
        """The i-th conversation (0-based) of the stream."""
        rng = self.rng
        t = self.templates[rng.randrange(len(self.templates))]
        team = self.agents[rng.randrange(len(self.agents))]
        day = (FIRST_DAY + timedelta(days=i // PER_DAY)).isoformat()
        latest = max(DAY_START_S, DAY_END_S - t.length_s)
        s0 = rng.randrange(DAY_START_S, latest + 1)
        turns: list[dict] = []
        if t.channel == "chat":
            for turn in t.turns:
                out = {
                    "speaker": turn.speaker,
                    "text": self._fill(turn.text),
                    "ts": f"{day}T{_HMS[s0 + turn.at]}+08:00",
                }
                if turn.agent is not None:
                    out["agent_id"] = team[turn.agent]
                turns.append(out)
        else:
            for turn in t.turns:
                out = {
                    "speaker": turn.speaker,
                    "text": self._fill(turn.text),
                    "start": turn.start,
                    "end": turn.end,
                }
                if turn.agent is not None:
                    out["agent_id"] = team[turn.agent]
                turns.append(out)
        return {
            "conversation_id": f"b-{day.replace('-', '')}-{i % PER_DAY + 1:05d}",
            "channel": t.channel,
            "agent_id": team[t.agent],
            "started_at": f"{day}T{_HMS[s0]}+08:00",
            "turns": turns,
        }

    def lines(self, n: int) -> Iterator[bytes]:
        """The first n conversations as JSON lines (no line break)."""
        for i in range(n):
            yield orjson.dumps(self.conversation(i))


def plan_files(n: int, mean_size: float, target_mb: float = TARGET_MB) -> list[int]:
    """Conversations per file: an even number of files (at least two when n > 1) of about
    `target_mb` MB each, sizes differing by at most one conversation."""
    files = max(1, math.ceil(n * mean_size / (target_mb * 1e6)))
    files = min(n - n % 2, files + files % 2) if n > 1 else 1
    return [n // files + (1 if k < n % files else 0) for k in range(files)]


@dataclass
class Written:
    """What `write` wrote."""

    files: list[Path]
    conversations: int
    bytes: int
    seconds: float


def write(n: int, out: Path, seed: int = DEFAULT_SEED, target_mb: float = TARGET_MB) -> Written:
    """Write n conversations to `out` as bench-0001.jsonl … (earlier bench files there
    are removed first)."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{FILE_PREFIX}-*.jsonl"):
        old.unlink()
    gen = Generator(seed)
    lines = gen.lines(n)
    files, total = [], 0
    for k, count in enumerate(plan_files(n, gen.mean_size, target_mb), 1):
        path = out / f"{FILE_PREFIX}-{k:04d}.jsonl"
        with path.open("wb") as fh:
            batch: list[bytes] = []
            for _ in range(count):
                batch.append(next(lines))
                if len(batch) == 5000:
                    fh.write(b"\n".join(batch) + b"\n")
                    batch.clear()
            if batch:
                fh.write(b"\n".join(batch) + b"\n")
        files.append(path)
        total += path.stat().st_size
    return Written(files, n, total, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the files and say what was written."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=DEFAULT_N, help="conversations (%(default)s)")
    ap.add_argument("--out", type=Path, required=True, help="folder for the .jsonl files")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed (%(default)s)")
    ap.add_argument(
        "--file-mb", type=float, default=TARGET_MB, help="about this many MB a file (%(default)s)"
    )
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be at least 1")
    done = write(args.n, args.out, args.seed, args.file_mb)
    print(
        f"wrote {done.conversations:,} conversations, {done.bytes / 1e6:.1f} MB in "
        f"{len(done.files)} files to {args.out} in {done.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
