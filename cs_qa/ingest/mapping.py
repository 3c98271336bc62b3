"""How an export's columns (and speaker values) map onto the canonical transcript fields.

A mapping comes from the command line (`--map text=内容 --speaker 0=customer`) or from a
small YAML file; both end in `ColumnMapping`, which validates and normalises itself so
that the readers never see a bad value.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from cs_qa.ingest.speakers import normalize_speaker

FIELDS: tuple[str, ...] = (
    "conversation_id",
    "agent_id",
    "speaker",
    "text",
    "ts",
    "start",
    "end",
    "channel",
    "started_at",
)

# Spelled-out delimiters, because a literal tab is hard to type on a command line or in YAML.
_DELIMITER_NAMES = {
    "tab": "\t",
    "\\t": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
}

_CHANNEL_ALIASES = {
    "chat": "chat",
    "call": "call",
    "在线": "chat",
    "文字": "chat",
    "聊天": "chat",
    "在線": "chat",
    "電話": "call",
    "电话": "call",
    "语音": "call",
    "語音": "call",
    "通话": "call",
    "通話": "call",
}

_FILE_KEYS = (
    "columns",
    "speakers",
    "header",
    "delimiter",
    "channel",
    "encoding",
    "agents",
    "agent_ids",
)


def normalize_channel(label: object) -> str | None:
    """Return chat / call for a channel label (English or Chinese), None when unknown."""
    return _CHANNEL_ALIASES.get(str(label).strip().lower())


@dataclass
class ColumnMapping:
    """Column mapping of one export.

    - `columns`: canonical field -> header name or 0-based column position.
    - `speakers`: raw speaker value -> agent / customer / system (wins over the built-in labels).
    - `header`: whether the first row is a header; None decides automatically (no header
      when every mapped column is a position).
    - `delimiter`: field separator; None means by suffix (`,` for .csv, tab for .tsv).
    - `channel`: channel of conversations that have no channel column.
    - `encoding`: file encoding; None detects it.
    - `agents`: plain-text chat logs only: the names (or regular expressions matching a
      whole name) of agents; replaces the built-in pattern (names starting with 客服 …).
    - `agent_ids`: plain-text chat logs only: agent name -> agent id (else the name is
      the id).

    Values are validated and normalised on construction; a bad one raises ValueError.
    """

    columns: dict[str, str | int] = field(default_factory=dict)
    speakers: dict[str, str] = field(default_factory=dict)
    header: bool | None = None
    delimiter: str | None = None
    channel: str | None = None
    encoding: str | None = None
    agents: list[str] = field(default_factory=list)
    agent_ids: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        columns: dict[str, str | int] = {}
        for name, column in self.columns.items():
            key = str(name).strip().lower()
            if key not in FIELDS:
                raise ValueError(f"unknown field {name!r}; fields are: {', '.join(FIELDS)}")
            if isinstance(column, bool) or not isinstance(column, str | int):
                raise ValueError(f"column for {key!r} must be a header name or a position")
            if isinstance(column, int) and column < 0:
                raise ValueError(f"column position for {key!r} must be 0 or more, got {column}")
            if isinstance(column, str) and not column.strip():
                raise ValueError(f"empty column name for {key!r}")
            columns[key] = column.strip() if isinstance(column, str) else column
        self.columns = columns

        speakers: dict[str, str] = {}
        for raw, value in self.speakers.items():
            speaker = normalize_speaker(str(value))
            if speaker is None:
                raise ValueError(
                    f"speaker value {raw!r} maps to {value!r}; expected agent, customer or system"
                )
            # Stored trimmed and lower-case: readers look raw values up the same way.
            speakers[str(raw).strip().lower()] = speaker
        self.speakers = speakers

        if self.header is not None and not isinstance(self.header, bool):
            raise ValueError(f"header must be true or false, got {self.header!r}")

        if self.delimiter is not None:
            delimiter = _DELIMITER_NAMES.get(self.delimiter.strip().lower(), self.delimiter)
            if len(delimiter) != 1:
                raise ValueError(
                    f"delimiter must be one character or one of {', '.join(_DELIMITER_NAMES)}; "
                    f"got {self.delimiter!r}"
                )
            self.delimiter = delimiter

        if self.channel is not None:
            channel = normalize_channel(self.channel)
            if channel is None:
                raise ValueError(f"channel must be chat or call, got {self.channel!r}")
            self.channel = channel

        if self.encoding is not None:
            try:
                self.encoding = codecs.lookup(self.encoding).name
            except LookupError:
                raise ValueError(f"unknown encoding {self.encoding!r}") from None

        agents: list[str] = []
        for entry in self.agents:
            # YAML reads a bare number as int; an all-digit name is still a name.
            bad_type = isinstance(entry, bool) or not isinstance(entry, str | int)
            if bad_type or not str(entry).strip():
                raise ValueError(f"agents must be names or patterns, got {entry!r}")
            agents.append(str(entry).strip())
        self.agents = agents

        agent_ids: dict[str, str] = {}
        for agent_name, agent_id in self.agent_ids.items():
            if isinstance(agent_id, bool) or not isinstance(agent_id, str | int):
                raise ValueError(f"agent id of {agent_name!r} must be a string, got {agent_id!r}")
            if not str(agent_name).strip() or not str(agent_id).strip():
                raise ValueError(f"empty agent name or id in agent_ids: {agent_name!r}")
            agent_ids[str(agent_name).strip()] = str(agent_id).strip()
        self.agent_ids = agent_ids

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """This mapping with `other`'s settings on top (a mapping file, then CLI options):
        other's columns and speaker values win field by field, its other settings when set."""
        return ColumnMapping(
            columns={**self.columns, **other.columns},
            speakers={**self.speakers, **other.speakers},
            header=other.header if other.header is not None else self.header,
            delimiter=other.delimiter or self.delimiter,
            channel=other.channel or self.channel,
            encoding=other.encoding or self.encoding,
            agents=other.agents or self.agents,
            agent_ids={**self.agent_ids, **other.agent_ids},
        )

    @property
    def positional(self) -> bool:
        """True when every mapped column is a position (so the file has no header row)."""
        return bool(self.columns) and all(isinstance(c, int) for c in self.columns.values())


def _split_pair(option: str, pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise ValueError(f"bad {option} {pair!r}: expected NAME=VALUE, e.g. {option} text=内容")
    return key.strip(), value.strip()


def parse_map_options(pairs: Sequence[str], speaker_pairs: Sequence[str] = ()) -> ColumnMapping:
    """Build a mapping from CLI options: `--map FIELD=COLUMN` and `--speaker VALUE=SPEAKER`.

    A COLUMN made of digits is a 0-based position, anything else a header name.
    """
    columns: dict[str, str | int] = {}
    for pair in pairs:
        name, column = _split_pair("--map", pair)
        key = name.lower()
        if key not in FIELDS:
            raise ValueError(
                f"unknown field {name!r} in --map {pair}; fields are: {', '.join(FIELDS)}"
            )
        if key in columns:
            raise ValueError(f"field {key!r} is mapped twice (--map {pair})")
        columns[key] = int(column) if column.isascii() and column.isdigit() else column
    speakers: dict[str, str] = {}
    for pair in speaker_pairs:
        raw, value = _split_pair("--speaker", pair)
        if normalize_speaker(value) is None:
            raise ValueError(f"bad --speaker {pair}: {value!r} is not agent, customer or system")
        speakers[raw] = value
    return ColumnMapping(columns=columns, speakers=speakers)


def _parse_header(value: object, path: Path) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    # YAML 1.2 reads `header: no` as a string; accept the usual spellings anyway.
    text = str(value).strip().lower()
    if text in ("yes", "true", "on", "1"):
        return True
    if text in ("no", "false", "off", "0"):
        return False
    raise ValueError(f"{path}: header must be true or false, got {value!r}")


def load_mapping(path: Path) -> ColumnMapping:
    """Read a mapping from a YAML file with the keys columns, speakers, header, delimiter,
    channel, encoding, agents and agent_ids. Raises FileNotFoundError, or ValueError
    naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"mapping file not found: {path}") from None
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of {', '.join(_FILE_KEYS)}")
    for key in data:
        if key not in _FILE_KEYS:
            raise ValueError(f"{path}: unknown key {key!r} (expected: {', '.join(_FILE_KEYS)})")
    columns = data.get("columns") or {}
    speakers = data.get("speakers") or {}
    agent_ids = data.get("agent_ids") or {}
    for key, value in (("columns", columns), ("speakers", speakers), ("agent_ids", agent_ids)):
        if not isinstance(value, dict):
            raise ValueError(f"{path}: {key} must be a mapping")
    agents = data.get("agents") or []
    if isinstance(agents, str):
        agents = [agents]  # `agents: 客服.*` is one pattern, not a list of characters
    if not isinstance(agents, list):
        raise ValueError(f"{path}: agents must be a list of names or patterns")
    for key in ("delimiter", "channel", "encoding"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValueError(f"{path}: {key} must be a string, got {data[key]!r}")
    try:
        return ColumnMapping(
            columns=dict(columns),
            speakers={str(k): str(v) for k, v in speakers.items()},
            header=_parse_header(data.get("header"), path),
            delimiter=data.get("delimiter"),
            channel=data.get("channel"),
            encoding=data.get("encoding"),
            agents=list(agents),
            agent_ids={str(k): v for k, v in agent_ids.items()},
        )
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
