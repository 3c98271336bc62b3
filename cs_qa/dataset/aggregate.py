"""Per-agent tables of a scoring run: `agents` and `agent_rules` (DESIGN.md, "Output dataset").

Pure: DataFrames in, DataFrames out. The scoring run calls these at its end and writes
the result; reports call them again when several runs are combined, so that figures over
several days are computed from the rows and never averaged from daily averages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from cs_qa.core.model import UNKNOWN_AGENT
from cs_qa.dataset.schema import TABLES

# rule_results statuses: `na` leaves the denominator, `flag` counts like a violation
# (the rule fired on that conversation, even though it deducts nothing).
NOT_APPLICABLE = "na"
NOT_EVALUATED = ("na", "error")  # a rule that could not apply, or raised: not in rates
BROKEN = ("violation", "flag")


def empty_frame(table: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of `schema.TABLES[table]`."""
    return TABLES[table].empty_table().to_pandas()


def conform(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """`df` with exactly the columns of `table`, in schema order, cast to its dtypes.

    Missing columns are added empty; integer columns that hold no missing value get the
    schema's integer dtype (a column with gaps stays float, as pyarrow would read it).
    """
    template = empty_frame(table)
    out = pd.DataFrame(index=df.index)
    for name, dtype in template.dtypes.items():
        col = df[name] if name in df.columns else pd.Series(np.nan, index=df.index)
        if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            if col.isna().any():
                out[name] = col
                continue
        out[name] = col.astype(dtype)
    return out.reset_index(drop=True)


def percentile(values: Iterable[float] | pd.Series, q: float) -> float:
    """The q-th percentile (0..100, linear interpolation) of the non-missing values.

    NaN when there is no value, so that "no timed conversation" never reads as 0 s.
    """
    # numpy directly: a pandas quantile per agent cost seconds at the end of a big run
    array = np.asarray(values, dtype="float64")
    array = array[~np.isnan(array)]
    if array.size == 0:
        return math.nan
    return float(np.percentile(array, q))


def _agent_ids(series: pd.Series) -> pd.Series:
    """Agent ids with missing ones reported under the unknown agent, as the readers do."""
    return series.astype("str").where(series.notna(), UNKNOWN_AGENT)


def agents_table(conversations: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per agent, with the columns of `schema.TABLES["agents"]`.

    A conversation is attributed to `conversations.agent_id`; a finding to the agent who
    spoke the offending turn (`findings.agent_id`), so after a transfer the second agent
    gets the findings of their own turns and may have a row with 0 conversations.
    """
    conv = conversations.assign(agent_id=_agent_ids(conversations["agent_id"]))
    grouped = conv.groupby("agent_id", observed=True, sort=True)
    per_agent = pd.DataFrame(
        {
            "conversations": grouped.size(),
            "mean_score": grouped["score"].mean(),
            "min_score": grouped["score"].min(),
            "pass_rate": grouped["passed"].agg(_rate_of_true),
            "fatal_count": grouped["fatal"].agg(_count_true),
            "flagged_count": grouped["flagged"].agg(_count_true),
            "first_response_p50": grouped["first_response_s"].agg(percentile, 50),
            "first_response_p90": grouped["first_response_s"].agg(percentile, 90),
        }
    )
    finding_counts = (
        _agent_ids(findings["agent_id"]).value_counts().rename("findings")
        if len(findings)
        else pd.Series(dtype="int64", name="findings")
    )
    ids = sorted(set(per_agent.index) | set(finding_counts.index))
    table = per_agent.reindex(ids)
    table["conversations"] = table["conversations"].fillna(0)
    table["fatal_count"] = table["fatal_count"].fillna(0)
    table["flagged_count"] = table["flagged_count"].fillna(0)
    table["findings"] = finding_counts.reindex(ids).fillna(0)
    table.index.name = "agent_id"
    return conform(table.reset_index(), "agents")


def agent_rules_table(
    rule_results: pd.DataFrame, rules: Iterable[Mapping[str, object]]
) -> pd.DataFrame:
    """One row per (agent, rule) with the columns of `schema.TABLES["agent_rules"]`.

    `applicable` counts the conversations where the rule was evaluated and could apply
    (status neither "na" nor "error"),
    `violations` those where it fired (violation or flag); `rate` is their ratio, NaN
    when the rule never applied. Titles and categories come from the manifest's rules;
    a rule missing there (e.g. renamed since) is shown under its id.
    """
    if rule_results.empty:
        return empty_frame("agent_rules")
    status = rule_results["status"].astype("str")
    rows = pd.DataFrame(
        {
            "agent_id": _agent_ids(rule_results["agent_id"]),
            "rule_id": rule_results["rule_id"].astype("str"),
            "applicable": (~status.isin(NOT_EVALUATED)).astype("int64"),
            "violations": status.isin(BROKEN).astype("int64"),
        }
    )
    table = (
        rows.groupby(["agent_id", "rule_id"], observed=True, sort=True)[
            ["applicable", "violations"]
        ]
        .sum()
        .reset_index()
    )
    table["rate"] = (table["violations"] / table["applicable"]).where(table["applicable"] > 0)
    meta = rule_meta(rules)
    table["title"] = [str(meta.get(r, {}).get("title") or r) for r in table["rule_id"]]
    table["category"] = [_optional_str(meta.get(r, {}).get("category")) for r in table["rule_id"]]
    return conform(table, "agent_rules")


def rule_meta(rules: Iterable[Mapping[str, object]]) -> dict[str, dict[str, object]]:
    """Manifest-style rule dicts by id (a later entry for the same id wins)."""
    return {str(r["id"]): dict(r) for r in rules if "id" in r}


def _optional_str(value: object) -> str | None:
    # manifest values are untyped JSON; the column is text
    return None if value is None else str(value)


def _count_true(values: pd.Series) -> int:
    return int(values.astype("boolean").sum())


def _rate_of_true(values: pd.Series) -> float:
    known = values.astype("boolean").dropna()
    if known.empty:
        return math.nan
    return float(known.mean())
