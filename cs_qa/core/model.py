"""The plain records that flow through cs-qa: conversations in, findings out.

Readers produce `Conversation` (or `Rejected` for a record that cannot be scored);
the scoring core turns a conversation into a `ConversationResult`. Nothing here
touches files, the clock or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple, TypedDict, get_args

Speaker = Literal["agent", "customer", "system"]
Channel = Literal["chat", "call"]
# error: the rule's check raised on this conversation; it was not evaluated (no deduction)
Status = Literal["pass", "violation", "flag", "na", "error"]

SPEAKERS: tuple[str, ...] = ("agent", "customer", "system")
CHANNELS: tuple[str, ...] = ("chat", "call")

# Conversations whose export names no agent are reported under this id.
UNKNOWN_AGENT = "(unknown)"


@dataclass(slots=True)
class Turn:
    """One message (chat) or one recognised segment (call).

    `at_s` / `end_s` are seconds from the start of the conversation; `None` when the
    export has no timing. `agent_id` is set on agent turns: the conversation's agent, or
    the turn's own agent after a transfer.
    """

    speaker: Speaker
    text: str
    at_s: float | None = None
    end_s: float | None = None
    agent_id: str | None = None

    @property
    def ends_s(self) -> float | None:
        """When the turn ends: its end time, else its start (a chat message is an instant);
        None without timing."""
        return self.end_s if self.end_s is not None else self.at_s


@dataclass(slots=True)
class Conversation:
    conversation_id: str
    channel: Channel
    agent_id: str
    turns: list[Turn]
    started_at: datetime | None = None
    source_file: str = ""
    source_line: int = 0
    # Things a reader fixed on the way in (e.g. turns re-sorted by time).
    notes: list[str] = field(default_factory=list)

    @property
    def timed(self) -> bool:
        """True when every turn has a start time, so latency can be measured."""
        return bool(self.turns) and all(t.at_s is not None for t in self.turns)


# Why a record could not be scored, as a stable code beside the reason text, so that
# rejections can be grouped and counted without matching messages (docs/formats.md,
# "Reason codes", says what each means; the `errors` table stores it as `reason_code`).
ReasonCode = Literal[
    # the whole file
    "unsupported_file",  # a suffix that is no input format
    "binary_file",  # not a text file (a text format's reader never saw it)
    "unreadable_file",  # the file cannot be opened or read (permissions, damaged Parquet)
    "reader_error",  # the reader failed on the file: a bug (or bytes no test imagined)
    "wrong_format",  # the content is not the format its suffix says (no chat-log line …)
    "missing_column",  # a table without a column it needs
    # a line
    "encoding",  # bytes that are not valid in the file's encoding
    "binary_line",  # a line of binary data (a NUL byte) inside a text file
    "bad_json",  # invalid JSON
    "bad_quoting",  # broken CSV quoting
    # a record
    "wrong_type",  # a value of the wrong kind: a record that is no object, id not a string …
    "missing_field",  # no conversation id, no turns or sentence list
    "no_turns",  # a conversation with no turn (empty list, no cue, no message)
    "no_speaker",  # a turn that names no speaker
    "unknown_speaker",  # a turn whose speaker is neither agent, customer nor system
    "empty_text",  # a turn without text
    "bad_timestamp",  # a time that cannot be read (clock time, seconds, milliseconds, cue)
    "missing_time",  # a time the format requires is absent (end without start …)
    "end_before_start",  # a turn that ends before it starts
    "mixed_times",  # clock times and offsets in seconds in one conversation
    "unknown_channel",  # a channel that is neither chat nor call
    "duplicate_id",  # a conversation id read before in the same run
]
REASON_CODES: tuple[str, ...] = get_args(ReasonCode)


@dataclass(slots=True)
class Rejected:
    """An input record that could not be scored, with where it came from and why: the
    reason in words, and as a `ReasonCode`."""

    source_file: str
    source_line: int
    reason: str
    conversation_id: str | None = None
    code: ReasonCode = field(kw_only=True)


class Explanation(TypedDict):
    """A finding's explanation as `Hit` keywords (cs_qa.checks.explain): the fields
    `detail`, `code` and `args` of `Hit`, so that `Hit(i, matched, **why)` is typed."""

    detail: str
    code: str
    args: dict[str, object]


@dataclass(slots=True)
class Hit:
    """What a check reports: the offending turn (None when no turn can be named),
    the matched text or measured value, an optional explanation, and where the evidence
    lies in the turn, when it lies somewhere."""

    turn_index: int | None
    matched: str
    detail: str = ""
    # What `detail` says as a label key (i18n `detail_<code>`) and its values, so reports
    # can say it in the reader's language; `detail` is its English form.
    code: str = ""
    args: dict[str, object] | None = None
    # [start, end) of the evidence in the turn's NORMALISED text (the Match a phrase check
    # used; the whole text for a finding on the whole turn); None when the finding has no
    # position in the turn (a missing phrase, a measurement). Scoring maps it to the
    # original text (Finding.span_start / span_end).
    span: tuple[int, int] | None = None


@dataclass(slots=True)
class Finding:
    conversation_id: str
    agent_id: str
    rule_id: str
    title: str
    category: str
    kind: Literal["violation", "flag"]
    deduct: float
    fatal: bool
    turn_index: int | None
    speaker: str | None
    at_s: float | None
    matched: str
    detail: str
    evidence: str
    detail_code: str = ""
    detail_args: dict[str, object] | None = None  # the values of `detail_code`
    # [start, end) of the evidence within `evidence` (the turn's original text):
    # `evidence[span_start:span_end]` is the matched phrase as it was written (Traditional,
    # full-width, spaced …); None when the finding has no position in the turn.
    span_start: int | None = None
    span_end: int | None = None


class RuleResult(NamedTuple):
    # A tuple: one per rule per conversation, so the cheapest record Python has.
    rule_id: str
    status: Status
    deducted: float


class RuleError(NamedTuple):
    """A rule that raised on a conversation: its result is `error`, the run goes on."""

    rule_id: str
    error_type: str  # the exception's class name
    message: str


@dataclass(slots=True)
class ConversationResult:
    conversation: Conversation
    score: float
    fatal: bool
    passed: bool
    flagged: bool
    rule_results: list[RuleResult]
    findings: list[Finding]
    response_times: list[float]
    rule_errors: list[RuleError] = field(default_factory=list)

    @property
    def first_response_s(self) -> float | None:
        return self.response_times[0] if self.response_times else None
