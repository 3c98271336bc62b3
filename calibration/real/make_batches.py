"""Choose the JD sessions to label and write them as reviewer batches.

    python calibration/real/make_batches.py --out /tmp/label/batches

Reads ../shared/realdata/jddc2019/chat_sample_a.tsv (never copied into the repository),
selects every session in which a candidate word of any labelled item or a complaint cue
occurs, plus a random rest (fixed seed), and writes the sessions as numbered turns
(`3 客服: …`) in batches for reviewers: first-pass batches covering every selected session,
and second-pass batches of 100 of them for the double labelling. The cue list is broad on
purpose (it is not cs-qa's phrase lists): it only decides which sessions are worth a
reviewer's time. The selected ids are written to `sessions.txt` beside the batches.

`--holdout` writes the sessions *not* selected instead, in three batches: a held-out set
for checking rules that were tuned on the selected ones.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import OrderedDict
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared/realdata/jddc2019/chat_sample_a.tsv"
SEED = 20261203
RANDOM_REST = 116
FIRST_PASS_BATCHES = 6
SECOND_PASS = 100
SECOND_PASS_BATCHES = 2

# Candidate words of refusal, forbidden, abusive, promise, hand-off and complaint cues.
CUES = re.compile(
    "不能|无法|不可以|不支持|不行|没办法|没法|不现实|超出|范围|做不到|办不了|不清楚|不知道|不明白|"
    "不太理解|不理解|什么意思|明白了吗|懂了吗|没事了吧|不归|不是我|自己查|保证|一定|肯定|绝对|"
    "死|滚|傻|有病|垃圾|骗|投诉|差评|怎么还|天了|一直没|至今|[?？]{2,}|[!！]{2,}|生气|气愤|失望|"
    "无语|抗议|维权|12315|曝光|不满|催|人呢|慢|太差|搞什么|凭什么|不是说|郁闷|崩溃|晕|私信|转接|"
    "专属|拨打|电话"
)


def read_sessions(path: Path) -> OrderedDict[str, list[tuple[str, str]]]:
    sessions: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            cols = line.rstrip("\n").split("\t")
            speaker = "客服" if cols[2] == "1" else "客户"
            sessions.setdefault(cols[0], []).append((speaker, cols[6]))
    return sessions


def select(sessions: OrderedDict[str, list[tuple[str, str]]]) -> list[str]:
    cued = [sid for sid, turns in sessions.items() if CUES.search(" ".join(t for _, t in turns))]
    rest = [sid for sid in sessions if sid not in set(cued)]
    rng = random.Random(SEED)
    chosen = cued + rng.sample(rest, min(RANDOM_REST, len(rest)))
    rng.shuffle(chosen)
    return chosen


def render(sid: str, turns: list[tuple[str, str]]) -> str:
    body = "\n".join(f"{i} {speaker}: {text}" for i, (speaker, text) in enumerate(turns, 1))
    return f"=== {sid} ===\n{body}\n"


def write_batch(path: Path, ids: list[str], sessions) -> None:
    path.write_text("\n".join(render(sid, sessions[sid]) for sid in ids), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--holdout", action="store_true", help="the sessions not selected")
    args = parser.parse_args()
    sessions = read_sessions(args.data)
    chosen = select(sessions)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.holdout:
        rest = [sid for sid in sessions if sid not in set(chosen)]
        (args.out / "holdout.txt").write_text("\n".join(rest) + "\n", encoding="utf-8")
        size = -(-len(rest) // 3)
        for b in range(3):
            write_batch(
                args.out / f"holdout-{b + 1}.txt", rest[b * size : (b + 1) * size], sessions
            )
        print(f"{len(rest)} held-out sessions; batches in {args.out}")
        return
    (args.out / "sessions.txt").write_text("\n".join(chosen) + "\n", encoding="utf-8")
    size = -(-len(chosen) // FIRST_PASS_BATCHES)
    for b in range(FIRST_PASS_BATCHES):
        write_batch(args.out / f"first-{b + 1}.txt", chosen[b * size : (b + 1) * size], sessions)
    second = random.Random(SEED + 1).sample(chosen, SECOND_PASS)
    size = SECOND_PASS // SECOND_PASS_BATCHES
    for b in range(SECOND_PASS_BATCHES):
        write_batch(args.out / f"second-{b + 1}.txt", second[b * size : (b + 1) * size], sessions)
    print(f"{len(chosen)} sessions selected; batches in {args.out}")


if __name__ == "__main__":
    main()
