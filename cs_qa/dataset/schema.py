"""Column schemas of the output dataset (DESIGN.md, "Output dataset").

One directory per table under `--out`, each holding Parquet parts, plus `manifest.json`
written last. Writers and readers both use these schemas, so a report never guesses.
"""

from __future__ import annotations

import pyarrow as pa

TABLES: dict[str, pa.Schema] = {
    "conversations": pa.schema(
        [
            ("conversation_id", pa.string()),
            ("channel", pa.string()),
            ("agent_id", pa.string()),
            ("started_at", pa.string()),  # ISO 8601 as in the input, with its offset
            ("day", pa.string()),  # YYYY-MM-DD of started_at (local to its offset)
            ("n_turns", pa.int32()),
            ("duration_s", pa.float64()),
            ("first_response_s", pa.float64()),
            ("mean_response_s", pa.float64()),
            ("max_response_s", pa.float64()),
            ("score", pa.float64()),
            ("fatal", pa.bool_()),
            ("passed", pa.bool_()),
            ("flagged", pa.bool_()),
            ("n_violations", pa.int32()),
            ("pack", pa.string()),
            ("pack_version", pa.string()),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
            # What the reader fixed on the way in, e.g. "turns re-sorted by time"; "; "
            # between several, null when nothing.
            ("notes", pa.string()),
        ]
    ),
    "turns": pa.schema(
        [
            ("conversation_id", pa.string()),
            ("turn_index", pa.int32()),
            ("speaker", pa.string()),
            ("agent_id", pa.string()),
            ("at_s", pa.float64()),
            ("end_s", pa.float64()),
            ("text", pa.string()),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
        ]
    ),
    "rule_results": pa.schema(
        [
            ("conversation_id", pa.string()),
            ("agent_id", pa.string()),
            ("rule_id", pa.string()),
            ("status", pa.string()),  # pass | violation | flag | na
            ("deducted", pa.float64()),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
        ]
    ),
    "findings": pa.schema(
        [
            ("conversation_id", pa.string()),
            ("agent_id", pa.string()),
            ("rule_id", pa.string()),
            ("title", pa.string()),
            ("category", pa.string()),
            ("kind", pa.string()),  # violation | flag
            ("deduct", pa.float64()),
            ("fatal", pa.bool_()),
            ("turn_index", pa.int32()),
            ("speaker", pa.string()),
            ("at_s", pa.float64()),
            ("matched", pa.string()),
            ("detail", pa.string()),  # in English; detail_code says it in other languages
            ("evidence", pa.string()),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
            # The label key (cs_qa.reports.i18n `detail_<code>`) and JSON values of `detail`.
            ("detail_code", pa.string()),
            ("detail_args", pa.string()),
            # Where the evidence lies in `evidence` as stored (masked unless --no-mask):
            # evidence[span_start:span_end], in characters; null for a finding with no
            # place in its turn (a missing phrase, a measurement).
            ("span_start", pa.int32()),
            ("span_end", pa.int32()),
        ]
    ),
    "agents": pa.schema(
        [
            ("agent_id", pa.string()),
            ("conversations", pa.int64()),
            ("mean_score", pa.float64()),
            ("min_score", pa.float64()),
            ("pass_rate", pa.float64()),
            ("fatal_count", pa.int64()),
            ("flagged_count", pa.int64()),
            ("findings", pa.int64()),
            ("first_response_p50", pa.float64()),
            ("first_response_p90", pa.float64()),
        ]
    ),
    "agent_rules": pa.schema(
        [
            ("agent_id", pa.string()),
            ("rule_id", pa.string()),
            ("title", pa.string()),
            ("category", pa.string()),
            ("applicable", pa.int64()),
            ("violations", pa.int64()),
            ("rate", pa.float64()),
        ]
    ),
    "errors": pa.schema(
        [
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
            ("conversation_id", pa.string()),
            ("reason", pa.string()),
            # `reason` as a stable code (cs_qa.core.model.ReasonCode, docs/formats.md)
            ("reason_code", pa.string()),
        ]
    ),
    # A rule whose check raised on a conversation (its rule_results status is `error`):
    # the conversation is scored on its other rules.
    "rule_errors": pa.schema(
        [
            ("conversation_id", pa.string()),
            ("agent_id", pa.string()),
            ("rule_id", pa.string()),
            ("error_type", pa.string()),
            ("message", pa.string()),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
        ]
    ),
}

MANIFEST = "manifest.json"
