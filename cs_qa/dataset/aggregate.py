"""Per-agent tables of a scoring run: `agents` and `agent_rules` (DESIGN.md, "Output dataset").

One computation for every use: `AgentTotals` keeps running per-agent totals that are fed
rows in parts and turns them into the tables at the end. A scoring run feeds it each work
unit's rows as it streams them (memory grows with the agents, not the conversations);
reports feed it the stored rows of one or several runs (`agents_table`,
`agent_rules_table`), so that figures over several days are computed from the rows and
never averaged from daily averages.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cs_qa.core.model import UNKNOWN_AGENT
from cs_qa.dataset.schema import TABLES

# rule_results statuses: `na` leaves the denominator, `flag` counts like a violation
# (the rule fired on that conversation, even though it deducts nothing).
NOT_APPLICABLE = "na"
NOT_EVALUATED = ("na", "error")  # a rule that could not apply, or raised: not in rates
BROKEN = ("violation", "flag")

# The columns `AgentTotals` reads from each table.
CONVERSATION_COLUMNS = ("agent_id", "score", "passed", "fatal", "flagged", "first_response_s")
FINDING_COLUMNS = ("agent_id",)
RULE_RESULT_COLUMNS = ("agent_id", "rule_id", "status")


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
    known = np.asarray(values, dtype="float64")
    known = known[~np.isnan(known)]
    if known.size == 0:
        return math.nan
    return float(np.percentile(known, q))


class AgentTotals:
    """Running per-agent totals, fed rows in parts, and the agents tables they give.

    `add` takes the row tables of a part (a scoring run's work unit, or whole stored
    tables) as Arrow tables with at least the columns `CONVERSATION_COLUMNS`,
    `FINDING_COLUMNS` and `RULE_RESULT_COLUMNS`. Rows are grouped in Arrow per part; only
    one row per agent (and agent x rule) per part reaches Python. `agents()` and
    `agent_rules()` compute the tables from the totals, so the result does not depend on
    how the rows were split into parts.

    A conversation counts for `conversations.agent_id`; a finding for the agent who spoke
    the offending turn (`findings.agent_id`), so after a transfer the second agent gets
    the findings of their own turns and may have a row with 0 conversations. A missing
    agent id is counted under the unknown agent, as the readers do. Missing values are
    left out of the figure they would enter (a score of the mean, a pass of the rate).
    """

    def __init__(self) -> None:
        self.conversations: Counter[str] = Counter()
        self.scored: Counter[str] = Counter()  # conversations with a score
        self.score_sum: defaultdict[str, float] = defaultdict(float)
        self.score_min: dict[str, float] = {}
        self.judged: Counter[str] = Counter()  # conversations with a passed value
        self.passed: Counter[str] = Counter()
        self.fatal: Counter[str] = Counter()
        self.flagged: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.first_response: defaultdict[str, array] = defaultdict(lambda: array("d"))
        self.applicable: Counter[tuple[str, str]] = Counter()
        self.violations: Counter[tuple[str, str]] = Counter()

    def add(self, tables: Mapping[str, pa.Table]) -> None:
        """Count a part's `conversations`, `findings` and `rule_results` (each optional)."""
        if "conversations" in tables:
            self.add_conversations(tables["conversations"])
        if "findings" in tables:
            self.add_findings(tables["findings"])
        if "rule_results" in tables:
            self.add_rule_results(tables["rule_results"])

    def add_conversations(self, conv: pa.Table) -> None:
        """Count conversation rows (columns `CONVERSATION_COLUMNS`)."""
        if not conv.num_rows:
            return
        agent_ids = _agent_ids(conv["agent_id"])
        flags = {c: pc.cast(conv[c], pa.int64()) for c in ("passed", "fatal", "flagged")}
        per_agent = (
            pa.table({"agent_id": agent_ids, "score": conv["score"], **flags})
            .group_by("agent_id", use_threads=False)
            .aggregate(
                [
                    ("agent_id", "count"),
                    ("score", "count"),
                    ("score", "sum"),
                    ("score", "min"),
                    ("passed", "count"),
                    ("passed", "sum"),
                    ("fatal", "sum"),
                    ("flagged", "sum"),
                ]
            )
        )
        columns = (
            "agent_id",
            "agent_id_count",
            "score_count",
            "score_sum",
            "score_min",
            "passed_count",
            "passed_sum",
            "fatal_sum",
            "flagged_sum",
        )
        for agent, rows, scored, total, low, judged, passed, fatal, flagged in zip(
            *(per_agent[c].to_pylist() for c in columns), strict=True
        ):
            self.conversations[agent] += rows
            self.scored[agent] += scored
            if scored:  # a sum or minimum of no value is null
                self.score_sum[agent] += total
                self.score_min[agent] = min(low, self.score_min.get(agent, low))
            self.judged[agent] += judged
            self.passed[agent] += passed or 0
            self.fatal[agent] += fatal or 0
            self.flagged[agent] += flagged or 0
        timed = pc.is_valid(conv["first_response_s"])
        if pc.any(timed).as_py():
            # Only percentiles are taken of these, so the order within an agent is free.
            lists = (
                pa.table({"agent_id": agent_ids, "first_response_s": conv["first_response_s"]})
                .filter(timed)
                .group_by("agent_id", use_threads=False)
                .aggregate([("first_response_s", "list")])
            )
            for agent, values in zip(
                lists["agent_id"].to_pylist(),
                lists["first_response_s_list"].to_pylist(),
                strict=True,
            ):
                self.first_response[agent].extend(values)

    def add_findings(self, found: pa.Table) -> None:
        """Count finding rows (column `agent_id`)."""
        if not found.num_rows:
            return
        counts = (
            pa.table({"agent_id": _agent_ids(found["agent_id"])})
            .group_by("agent_id", use_threads=False)
            .aggregate([("agent_id", "count")])
        )
        agents, numbers = counts["agent_id"].to_pylist(), counts["agent_id_count"].to_pylist()
        self.findings.update(dict(zip(agents, numbers, strict=True)))

    def add_rule_results(self, rr: pa.Table) -> None:
        """Count rule result rows (columns `RULE_RESULT_COLUMNS`). A rule applies where
        its status is neither "na" nor "error", and fired where it is violation or flag."""
        if not rr.num_rows:
            return
        status = rr["status"]
        per_rule = (
            pa.table(
                {
                    "agent_id": _agent_ids(rr["agent_id"]),
                    "rule_id": rr["rule_id"],
                    "applicable": pc.cast(
                        pc.invert(pc.is_in(status, value_set=pa.array(NOT_EVALUATED))),
                        pa.int64(),
                    ),
                    "violated": pc.cast(pc.is_in(status, value_set=pa.array(BROKEN)), pa.int64()),
                }
            )
            .group_by(["agent_id", "rule_id"], use_threads=False)
            .aggregate([("applicable", "sum"), ("violated", "sum")])
        )
        for agent, rule, applicable, violated in zip(
            per_rule["agent_id"].to_pylist(),
            per_rule["rule_id"].to_pylist(),
            per_rule["applicable_sum"].to_pylist(),
            per_rule["violated_sum"].to_pylist(),
            strict=True,
        ):
            self.applicable[(agent, rule)] += applicable or 0  # every pair gets a row
            if violated:
                self.violations[(agent, rule)] += violated

    def agents(self) -> pd.DataFrame:
        """One row per agent, sorted by id, with the columns of `schema.TABLES["agents"]`."""
        nan = math.nan
        rows = []
        for agent in sorted(set(self.conversations) | set(self.findings)):
            scored, judged = self.scored.get(agent, 0), self.judged.get(agent, 0)
            firsts = self.first_response.get(agent, array("d"))
            rows.append(
                {
                    "agent_id": agent,
                    "conversations": self.conversations.get(agent, 0),
                    "mean_score": self.score_sum[agent] / scored if scored else nan,
                    "min_score": self.score_min.get(agent, nan),
                    "pass_rate": self.passed[agent] / judged if judged else nan,
                    "fatal_count": self.fatal.get(agent, 0),
                    "flagged_count": self.flagged.get(agent, 0),
                    "findings": self.findings.get(agent, 0),
                    "first_response_p50": percentile(firsts, 50),
                    "first_response_p90": percentile(firsts, 90),
                }
            )
        return conform(pd.DataFrame(rows), "agents")

    def agent_rules(self, rules: Iterable[Mapping[str, object]]) -> pd.DataFrame:
        """One row per (agent, rule), sorted, with the columns of
        `schema.TABLES["agent_rules"]`: `applicable` and `violations` counted as in
        `add_rule_results`, `rate` their ratio (NaN when the rule never applied). Titles
        and categories come from `rules` (manifest-style dicts); a rule missing there
        (e.g. renamed since) is shown under its id."""
        meta = rule_meta(rules)
        rows = []
        for agent, rule in sorted(self.applicable):
            applicable = self.applicable[(agent, rule)]
            violations = self.violations.get((agent, rule), 0)
            known = meta.get(rule, {})
            rows.append(
                {
                    "agent_id": agent,
                    "rule_id": rule,
                    "title": str(known.get("title") or rule),
                    "category": _optional_str(known.get("category")),
                    "applicable": applicable,
                    "violations": violations,
                    "rate": violations / applicable if applicable else math.nan,
                }
            )
        return conform(pd.DataFrame(rows), "agent_rules")


def agents_table(conversations: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """The `agents` table of stored rows (see `AgentTotals`)."""
    totals = AgentTotals()
    totals.add_conversations(_arrow(conversations, "conversations", CONVERSATION_COLUMNS))
    totals.add_findings(_arrow(findings, "findings", FINDING_COLUMNS))
    return totals.agents()


def agent_rules_table(
    rule_results: pd.DataFrame, rules: Iterable[Mapping[str, object]]
) -> pd.DataFrame:
    """The `agent_rules` table of stored rows (see `AgentTotals.agent_rules`)."""
    totals = AgentTotals()
    totals.add_rule_results(_arrow(rule_results, "rule_results", RULE_RESULT_COLUMNS))
    return totals.agent_rules(rules)


def rule_meta(rules: Iterable[Mapping[str, object]]) -> dict[str, dict[str, object]]:
    """Manifest-style rule dicts by id (a later entry for the same id wins)."""
    return {str(r["id"]): dict(r) for r in rules if "id" in r}


def _agent_ids(ids: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Agent ids with missing ones counted under the unknown agent, as the readers do."""
    return pc.fill_null(ids, UNKNOWN_AGENT) if ids.null_count else ids


def _arrow(df: pd.DataFrame, table: str, columns: Iterable[str]) -> pa.Table:
    """`columns` of a stored table's DataFrame as Arrow, typed as the schema says (NaN is
    missing, as pandas means it)."""
    schema = TABLES[table]
    arrays = {}
    for name in columns:
        kind = schema.field(name).type
        col = df[name]
        if pa.types.is_string(kind):
            if not pd.api.types.is_string_dtype(col) or isinstance(col.dtype, pd.CategoricalDtype):
                col = col.astype("object").where(col.notna(), None).map(_text_or_none)
        elif pa.types.is_boolean(kind):
            col = col.astype("boolean")
        else:
            col = col.astype("float64")
        arrays[name] = pa.array(col, type=kind, from_pandas=True)
    return pa.table(arrays)


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _optional_str(value: object) -> str | None:
    # manifest values are untyped JSON; the column is text
    return None if value is None else str(value)
