"""Helpers shared by the command modules: consoles, exit codes, option types.

User-supplied text (paths, ids, pack messages, exception texts) is never read as rich
markup: both consoles have markup off, so 「my[/b]pack.yaml」 prints as itself. Errors go
through `fail`: one line on stderr, never wrapped (CI log parsers and editors read
`file:line: message`), then the exit code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from cs_qa.ingest.mapping import ColumnMapping
    from cs_qa.packs.model import RulePack
    from cs_qa.packs.targets import RosterEntry, TargetsSpec

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
EXIT_NOTHING = 4  # score read no conversation at all: no file matched, empty, unrecognised
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C

Lang = Annotated[str, typer.Option("--lang", help="Report language: zh (default) or en.")]


def console() -> Console:
    from rich.console import Console

    return Console(markup=False)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def say(message: str, style: str = "red") -> None:
    """One message on stderr, as written: no markup, no wrapping."""
    err_console().print(message, style=style)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Say what went wrong, where and why on one line, and exit with `code`."""
    say(" ".join(str(message).split("\n")))
    raise typer.Exit(code)


def check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    return lang


def load_pack_or_exit(spec: str | None, code: int = EXIT_USAGE) -> RulePack:
    """Load a pack, or print every problem as file:line: message and exit with `code`."""
    from cs_qa.packs.loader import load_pack
    from cs_qa.packs.problems import PackError

    try:
        return load_pack(spec)
    except UnicodeDecodeError as exc:
        fail(
            f"{spec}: cannot read the rule pack: not UTF-8 text ({exc.reason} at byte {exc.start})"
        )
    except OSError as exc:  # not found, a folder, no permission
        fail(f"{spec}: cannot read the rule pack: {exc.strerror}" if exc.strerror else str(exc))
    except PackError as exc:
        for problem in exc.problems:
            say(str(problem), style="")
        fail(f"{len(exc.problems)} problem(s) in the rule pack", code)


def mapping_from_options(
    pairs: list[str] | None, speakers: list[str] | None, mapping_file: Path | None
) -> ColumnMapping | None:
    """The column mapping given by --mapping FILE and --map / --speaker (these win)."""
    from cs_qa.ingest.mapping import load_mapping, parse_map_options

    try:
        mapping = load_mapping(mapping_file) if mapping_file else None
        if pairs or speakers:
            extra = parse_map_options(list(pairs or []), list(speakers or []))
            mapping = extra if mapping is None else mapping.merged(extra)
    except (ValueError, OSError) as exc:
        fail(str(exc))
    return mapping


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: {exc}")


def load_targets_or_exit(path: Path | None) -> TargetsSpec | None:
    """The targets YAML given by --targets (None when not given); exit 2 on a bad file."""
    from cs_qa.packs.targets import TargetsError, load_targets_text

    if path is None:
        return None
    try:
        return load_targets_text(_read_text(path), str(path))
    except TargetsError as exc:
        fail(str(exc))


def load_roster_or_exit(path: Path | None) -> dict[str, RosterEntry]:
    """The roster CSV given by --roster (empty when not given); exit 2 on a bad file."""
    from cs_qa.packs.targets import TargetsError, parse_roster

    if path is None:
        return {}
    try:
        return parse_roster(_read_text(path), str(path))
    except TargetsError as exc:
        fail(str(exc))
