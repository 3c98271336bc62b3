"""The real calibration labels themselves: complete, agreed on, and free of copied chats.

Runs without ../shared/realdata/: it reads only calibration/real/."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import ROOT

from cs_qa.reports.calibrate import Agreement
from cs_qa.reports.calibration_labels import load_labels

REAL = ROOT / "calibration" / "real"


def test_every_session_has_every_item_once():
    labels = load_labels(REAL / "labels.csv")  # raises on a bad or repeated row
    per_session = labels.rules.groupby("conversation_id")["rule_id"].nunique()
    assert len(per_session) >= 300 and set(per_session) == {10}


def test_the_double_labelled_sessions_agree_at_kappa_08_on_every_item():
    double = pd.read_csv(REAL / "double_labels.csv", dtype=str)
    assert double["conversation_id"].nunique() >= 99
    for rule, rows in double.groupby("rule_id"):
        a, b = rows["first"].astype(int), rows["second"].astype(int)
        cells = {
            "tp": int(((a == 1) & (b == 1)).sum()),
            "fp": int(((a == 0) & (b == 1)).sum()),
            "fn": int(((a == 1) & (b == 0)).sum()),
            "tn": int(((a == 0) & (b == 0)).sum()),
        }
        kappa = Agreement(rule, **cells).kappa
        if cells["tp"] + cells["fp"] + cells["fn"]:  # someone found one: kappa is defined
            assert kappa >= 0.8, (rule, kappa)
        else:
            assert cells["tn"] == len(rows)


def test_the_final_labels_are_the_adjudicated_ones():
    double = pd.read_csv(REAL / "double_labels.csv", dtype=str)
    labels = pd.read_csv(REAL / "labels.csv", dtype=str, keep_default_na=False)
    merged = double.merge(labels, on=["conversation_id", "rule_id"])
    assert len(merged) == len(double)
    assert (merged["final"] == merged["violated"]).all()
    decided = merged[merged["first"] != merged["second"]]
    assert (decided["reviewer"] == "adjudicator").all()


@pytest.mark.parametrize("name", ["labels.csv", "holdout_labels.csv"])
def test_notes_never_quote_more_than_six_chinese_characters(name):
    labels = pd.read_csv(REAL / name, dtype=str, keep_default_na=False)
    runs = labels["note"].map(
        lambda n: max(map(len, re.findall(r"[\u4e00-\u9fff]+", n)), default=0)
    )
    assert runs.max() <= 6


def test_the_held_out_sessions_are_not_in_the_tuning_set():
    tuning = set(load_labels(REAL / "labels.csv").rules["conversation_id"])
    held_out = load_labels(REAL / "holdout_labels.csv").rules
    assert held_out["conversation_id"].nunique() >= 300
    assert tuning.isdisjoint(held_out["conversation_id"])
