#!/usr/bin/env python3
"""Write the sample week of transcripts in `sample_transcripts/`.

Run from the repository root:

    python scripts/make_sample.py [--out DIR] [--seed N] [--labels FILE]

It writes one canonical JSON Lines file per day (chat and call, 2026-11-16 .. 2026-11-22,
+08:00) and one long CSV with Chinese headers for a second shop; for the same week, calls as
speech-recognition JSON (`asr/`) and as WebVTT / SRT subtitles (`subtitles/`) and two
plain-text chat-log exports (`chatlogs/`) in the formats of docs/formats.md, with holds,
silences, interruptions, fast speech, bare replies, repetition, promises, abusive callers
and complaint threats planted; plus a README that lists what is where. The output
is deterministic: the same seed gives byte-identical files (every random choice comes from
a `random.Random` seeded by a string, nothing depends on the clock or on hash ordering).

`--labels FILE` also writes what was planted in each conversation (JSON), for checking a
rule pack against the sample; it is not written unless asked for.

The scenario data (shops, phrasings, agents, topics, planted slips, the README) are files
in `scripts/sample_data/` (see its README.md); the generator's parts are in
`scripts/sample_week/`: topics (reads the topic files), schedule, conversation (the beats),
turns (timing and texture), week, and extra, extra_call, extra_chat, extra_files (the other
formats); this script writes the files.
Only the standard library is used. All texts are written for this sample.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import textwrap
from pathlib import Path

# the parts live in scripts/sample_week/ (also when bench/generate.py loads this file by path)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_week.base import DATA, DAYS, DEFAULT_SEED, SHOP_B_FILE, SHOP_B_HEADER
from sample_week.extra import ASR_DIR, LOG_DIR, SUB_DIR
from sample_week.extra_files import extra_readme, write_extra
from sample_week.schedule import Slot
from sample_week.week import canonical, generate

README = (DATA / "README.template.md").read_text(encoding="utf-8")


def write_all(out: Path, convs: list[dict], extra_rows: list[dict]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    files = []
    by_day: dict[int, list[str]] = {i: [] for i in range(len(DAYS))}
    csv_convs = []
    for conv in convs:
        slot: Slot = conv["slot"]
        if slot.shop_b:
            csv_convs.append(conv)
        else:
            by_day[slot.day_index].append(json.dumps(canonical(conv), ensure_ascii=False))
    for i, day in enumerate(DAYS):
        path = out / f"chat_{day.isoformat()}.jsonl"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write("\n".join(by_day[i]) + "\n")
        files.append(path.name)
    path = out / SHOP_B_FILE
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(SHOP_B_HEADER)
        for conv in csv_convs:
            slot = conv["slot"]
            for turn in conv["turns"]:
                who = {"agent": "客服", "customer": "顾客"}[turn["speaker"]]
                w.writerow(
                    [
                        slot.conversation_id,
                        slot.agent,
                        who,
                        turn["at"].strftime("%Y-%m-%d %H:%M:%S"),
                        str(turn["text"]),
                    ]
                )
    files.append(path.name)

    agents = sorted({c["slot"].agent for c in convs})
    n_chat = sum(1 for c in convs if c["slot"].channel == "chat")
    n_call = len(convs) - n_chat
    n_trad = sum(1 for c in convs if c["slot"].lang == "t")
    counts = (
        f"- {len(convs)} conversations ({n_chat} chat, {n_call} call; {len(csv_convs)} of the "
        f"chats in the CSV), {n_trad} in Traditional characters, "
        f"{sum(len(c['turns']) for c in convs)} turns, {len(agents)} agents "
        f"({', '.join(agents)})."
    )
    counts = textwrap.fill(counts, width=92, subsequent_indent="  ")
    readme = README.replace("{counts}", counts)
    for key, value in extra_readme(extra_rows).items():
        readme = readme.replace(key, value)
    with open(out / "README.md", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(readme)
    return {
        "files": files,
        "conversations": len(convs),
        "agents": agents,
        "chat": n_chat,
        "call": n_call,
        "traditional": n_trad,
        "csv": len(csv_convs),
    }


def write_labels(path: Path, convs: list[dict], extra_rows: list[dict]) -> None:
    rows = []
    for c in convs:
        slot: Slot = c["slot"]
        rows.append(
            {
                "conversation_id": slot.conversation_id,
                "file": SHOP_B_FILE
                if slot.shop_b
                else f"chat_{DAYS[slot.day_index].isoformat()}.jsonl",
                "agent_id": slot.agent,
                "day": DAYS[slot.day_index].isoformat(),
                "channel": slot.channel,
                "script": "traditional" if slot.lang == "t" else "simplified",
                "topic": c["topic"],
                "shop": c["shop"],
                "transfer_to": slot.transfer_to or None,
                "asr_style": c["asr_style"] or None,
                "n_turns": len(c["turns"]),
                "first_response_s": c["first_response_s"],
                "max_later_response_s": c["max_later_response_s"],
                "planted": c["labels"],
            }
        )
    rows += extra_rows
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(rows, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--out", default="sample_transcripts", help="output folder (default: %(default)s)"
    )
    ap.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    ap.add_argument(
        "--labels", default=None, help="also write the planted labels to this JSON file"
    )
    args = ap.parse_args(argv)
    convs = generate(args.seed)
    extra_rows, extra = write_extra(Path(args.out), args.seed, convs)
    summary = write_all(Path(args.out), convs, extra_rows)
    if args.labels:
        write_labels(Path(args.labels), convs, extra_rows)
    print(
        f"wrote {len(summary['files'])} files to {args.out}: "
        f"{summary['conversations']} conversations "
        f"({summary['chat']} chat, {summary['call']} call, {summary['traditional']} traditional, "
        f"{summary['csv']} in {SHOP_B_FILE}), {len(summary['agents'])} agents "
        f"({summary['agents'][0]}..{summary['agents'][-1]}); "
        f"{len(extra['files'])} more in {ASR_DIR}/, {SUB_DIR}/ and {LOG_DIR}/: "
        f"{len(extra['calls'])} calls, {len(extra['chats'])} chats"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
