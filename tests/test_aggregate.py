"""Per-agent tables (cs_qa.dataset.aggregate): figures checked against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from report_fixtures import RULES, arrow_table, conversation, finding, frame, rule_result

from cs_qa.core.model import UNKNOWN_AGENT
from cs_qa.dataset.aggregate import (
    AgentTotals,
    agent_rules_table,
    agents_table,
    empty_frame,
    percentile,
)
from cs_qa.dataset.schema import TABLES


def _dtypes(table: str) -> dict[str, object]:
    return dict(empty_frame(table).dtypes)


def _by_agent(df: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {row["agent_id"]: row for row in df.to_dict("records")}


def test_agents_table_figures_per_agent() -> None:
    conv = frame(
        "conversations",
        [
            conversation("c1", "A1", 100, first_response_s=10.0, flagged=True),
            conversation("c2", "A1", 70, first_response_s=20.0),
            conversation("c3", "A1", 90, first_response_s=None),
            conversation("c4", "A2", 0, fatal=True, first_response_s=40.0),
        ],
    )
    fnd = frame("findings", [finding("c2", "A1"), finding("c2", "A1"), finding("c4", "A2")])
    agents = _by_agent(agents_table(conv, fnd))

    a1 = agents["A1"]
    assert a1["conversations"] == 3
    assert a1["mean_score"] == pytest.approx(260 / 3)
    assert a1["min_score"] == 70
    assert a1["pass_rate"] == pytest.approx(2 / 3)
    assert a1["fatal_count"] == 0
    assert a1["flagged_count"] == 1
    assert a1["findings"] == 2
    # the untimed conversation is skipped: median of 10 and 20, p90 = 10 + 0.9 * 10
    assert a1["first_response_p50"] == pytest.approx(15.0)
    assert a1["first_response_p90"] == pytest.approx(19.0)

    a2 = agents["A2"]
    assert (a2["conversations"], a2["fatal_count"], a2["findings"]) == (1, 1, 1)
    assert a2["pass_rate"] == 0.0


def test_agents_table_columns_sorted_and_typed() -> None:
    conv = frame("conversations", [conversation("c1", "B2"), conversation("c2", "A1")])
    table = agents_table(conv, frame("findings", []))
    assert list(table.columns) == TABLES["agents"].names
    assert dict(table.dtypes) == _dtypes("agents")
    assert list(table["agent_id"]) == ["A1", "B2"]


def test_transfer_target_gets_a_row_and_the_finding() -> None:
    # c1 belongs to A1, but B9 took over and spoke the offending turn.
    conv = frame("conversations", [conversation("c1", "A1", 95)])
    fnd = frame("findings", [finding("c1", "B9")])
    agents = _by_agent(agents_table(conv, fnd))
    assert agents["A1"]["findings"] == 0
    b9 = agents["B9"]
    assert (b9["conversations"], b9["findings"]) == (0, 1)
    assert math.isnan(b9["mean_score"]) and math.isnan(b9["pass_rate"])
    assert math.isnan(b9["first_response_p50"])


def test_missing_agent_id_is_reported_under_unknown_agent() -> None:
    conv = frame("conversations", [conversation("c1", None, 60)])
    agents = agents_table(conv, frame("findings", []))
    assert list(agents["agent_id"]) == [UNKNOWN_AGENT]


def test_agents_table_first_response_percentiles_are_not_means() -> None:
    conv = frame(
        "conversations",
        [
            conversation(f"c{i}", "A1", first_response_s=fr)
            for i, fr in enumerate([10.0, 90.0, None, 20.0])
        ],
    )
    row = agents_table(conv, frame("findings", [])).iloc[0]
    assert row["first_response_p50"] == pytest.approx(20.0)  # the mean would be 40
    assert row["first_response_p90"] == pytest.approx(20.0 + 0.8 * 70.0)


def test_agents_table_without_timed_conversations_has_nan_percentiles() -> None:
    conv = frame("conversations", [conversation("c1", "A1"), conversation("c2", "A1")])
    row = agents_table(conv, frame("findings", [])).iloc[0]
    assert math.isnan(row["first_response_p50"])
    assert math.isnan(row["first_response_p90"])


def test_agents_table_of_an_empty_run() -> None:
    table = agents_table(empty_frame("conversations"), empty_frame("findings"))
    assert table.empty
    assert list(table.columns) == TABLES["agents"].names
    assert dict(table.dtypes) == _dtypes("agents")


def test_agent_rules_rate_excludes_na_and_counts_flags() -> None:
    rr = frame(
        "rule_results",
        [
            rule_result("c1", "A1", "opening.greeting", "pass"),
            rule_result("c2", "A1", "opening.greeting", "violation"),
            rule_result("c3", "A1", "opening.greeting", "na"),
            rule_result("c1", "A1", "latency.first_response", "na"),
            rule_result("c1", "A0", "complaint.risk", "flag"),
            rule_result("c2", "A0", "complaint.risk", "pass"),
        ],
    )
    table = agent_rules_table(rr, RULES)
    assert list(table.columns) == TABLES["agent_rules"].names
    assert dict(table.dtypes) == _dtypes("agent_rules")
    assert list(zip(table["agent_id"], table["rule_id"], strict=True)) == [
        ("A0", "complaint.risk"),
        ("A1", "latency.first_response"),
        ("A1", "opening.greeting"),
    ]
    rows = {(r["agent_id"], r["rule_id"]): r for r in table.to_dict("records")}

    greeting = rows[("A1", "opening.greeting")]
    assert (greeting["applicable"], greeting["violations"]) == (2, 1)
    assert greeting["rate"] == pytest.approx(0.5)
    assert (greeting["title"], greeting["category"]) == ("开场问候", "服务规范")

    latency = rows[("A1", "latency.first_response")]
    assert (latency["applicable"], latency["violations"]) == (0, 0)
    assert math.isnan(latency["rate"])

    flag = rows[("A0", "complaint.risk")]
    assert (flag["applicable"], flag["violations"]) == (2, 1)
    assert flag["title"] == "complaint.risk"  # not in the manifest: shown by id


def test_agent_rules_of_an_empty_run() -> None:
    table = agent_rules_table(empty_frame("rule_results"), RULES)
    assert table.empty
    assert dict(table.dtypes) == _dtypes("agent_rules")


def test_percentile_skips_missing_values() -> None:
    values = pd.Series([40.0, None, 10.0, 30.0, 20.0])
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 90) == pytest.approx(37.0)
    assert math.isnan(percentile(pd.Series([None, None], dtype="float64"), 50))
    assert math.isnan(percentile([], 90))


def test_totals_do_not_depend_on_how_rows_are_split_into_parts() -> None:
    # A scoring run feeds AgentTotals unit by unit; the tables are those of all rows.
    conv_rows = [
        conversation("c1", "A1", 100, first_response_s=10.0, flagged=True),
        conversation("c2", "A2", 70, first_response_s=20.0),
        conversation("c3", "A1", 60, first_response_s=None, fatal=True),
        conversation("c4", None, 90, first_response_s=40.0),
    ]
    found_rows = [finding("c1", "A1"), finding("c3", "B9"), finding("c3", "A1")]
    rr_rows = [
        rule_result("c1", "A1", "opening.greeting", "pass"),
        rule_result("c2", "A2", "opening.greeting", "violation"),
        rule_result("c3", "A1", "opening.greeting", "flag"),
        rule_result("c3", "A1", "latency.first_response", "error"),
    ]
    totals = AgentTotals()
    for part in (slice(0, 1), slice(1, 3), slice(3, 4)):
        totals.add(
            {
                "conversations": arrow_table("conversations", conv_rows[part]),
                "findings": arrow_table("findings", found_rows[part]),
                "rule_results": arrow_table("rule_results", rr_rows[part]),
            }
        )
    whole = agents_table(frame("conversations", conv_rows), frame("findings", found_rows))
    pd.testing.assert_frame_equal(totals.agents(), whole)
    assert list(whole["agent_id"]) == [UNKNOWN_AGENT, "A1", "A2", "B9"]
    pd.testing.assert_frame_equal(
        totals.agent_rules(RULES), agent_rules_table(frame("rule_results", rr_rows), RULES)
    )


def test_missing_values_are_left_out_of_their_figure() -> None:
    # a score or pass value missing from a stored row leaves the mean or the rate
    conv = frame(
        "conversations",
        [conversation("c1", "A1", 80), {**conversation("c2", "A1"), "score": None, "passed": None}],
    )
    row = agents_table(conv, frame("findings", [])).iloc[0]
    assert row["conversations"] == 2
    assert (row["mean_score"], row["min_score"], row["pass_rate"]) == (80.0, 80.0, 1.0)
