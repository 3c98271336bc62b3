"""The `cs-qa` command line: parse options, call the library, hand results to a renderer.

Heavy modules (pandas, pyarrow, jieba) are imported inside commands so that `--help`
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="cs-qa",
    help="Quality assurance (质检) for Chinese customer-service chat and call transcripts.\n\n"
    "Example: cs-qa score sample_transcripts --out out",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(
    help="Inspect and test rule packs.\n\nExample: cs-qa rules test rules/general.yaml",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3

Lang = Annotated[str, typer.Option("--lang", help="Report language: zh (default) or en.")]


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console()


def _err_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        _err_console().print(f"[red]--lang must be zh or en, not {lang!r}[/red]")
        raise typer.Exit(EXIT_USAGE)
    return lang


def _load_pack(spec: str | None):  # type: ignore[no-untyped-def]
    from cs_qa.pack import PackError, load_pack

    err = _err_console()
    try:
        return load_pack(spec)
    except FileNotFoundError as exc:
        err.print(f"[red]{exc}[/red]")
    except PackError as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False, highlight=False)
        err.print(f"[red]{len(exc.problems)} problem(s) in the rule pack[/red]")
    raise typer.Exit(EXIT_USAGE)


@app.command()
def score(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Transcript files or folders (.jsonl .json .csv .tsv .parquet)."),
    ],
    rules: Annotated[
        str | None,
        typer.Option("--rules", "-r", help="Rule pack file or built-in name (default: general)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output dataset folder.")] = Path("out"),
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing dataset.")
    ] = False,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="Column mapping FIELD=COLUMN (header name or 0-based position)."
        ),
    ] = None,
    speaker: Annotated[
        list[str] | None,
        typer.Option("--speaker", help="Speaker value mapping VALUE=agent|customer|system."),
    ] = None,
    mapping_file: Annotated[
        Path | None,
        typer.Option(
            "--mapping", help="Column mapping YAML file (columns, speakers, header, delimiter)."
        ),
    ] = None,
    no_mask: Annotated[
        bool,
        typer.Option(
            "--no-mask",
            help="Keep phone numbers, ID and card numbers, e-mails (authorised reviewers).",
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 instead of 3 when records are rejected.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or report.")
    ] = False,
    lang: Lang = "zh",
) -> None:
    """Score transcripts against a rule pack and write the dataset.

    Example: cs-qa score sample_transcripts --out out --overwrite

    Example (no header, JD export): cs-qa score chats.tsv --map conversation_id=0
    --map speaker=2 --map text=6 --speaker 0=customer --speaker 1=agent

    Exit codes: 0 all scored; 3 some records rejected (listed in the errors table;
    --strict makes it 1); 2 usage or rule-pack error; 1 failure.
    """
    from cs_qa.ingest.mapping import load_mapping, parse_map_options
    from cs_qa.report import load_dataset, render_run, render_team, team_summary
    from cs_qa.run import score_inputs
    from cs_qa.store import OutputExists

    _check_lang(lang)
    err = _err_console()
    pack = _load_pack(rules)
    try:
        mapping = load_mapping(mapping_file) if mapping_file else None
        if map_ or speaker:
            extra = parse_map_options(list(map_ or []), list(speaker or []))
            mapping = extra if mapping is None else mapping.merged(extra)
    except (ValueError, OSError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from exc
    console = _console()
    try:
        if quiet:
            summary = score_inputs(
                inputs, pack, out, mapping=mapping, mask=not no_mask, overwrite=overwrite
            )
        else:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("files", total=None)

                def tick(done: int, files: int, read: int, rejected: int) -> None:
                    bar.update(
                        task,
                        completed=done,
                        total=files,
                        description=f"{read} conversations, {rejected} rejected · files",
                    )

                summary = score_inputs(
                    inputs,
                    pack,
                    out,
                    mapping=mapping,
                    mask=not no_mask,
                    overwrite=overwrite,
                    progress=tick,
                )
    except (OutputExists, FileNotFoundError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from exc
    if not quiet:
        render_run(summary, console, lang=lang)
        if summary.scored:
            render_team(team_summary(load_dataset(out)), console, lang=lang)
    if summary.rejected:
        raise typer.Exit(EXIT_FAILURE if strict else EXIT_REJECTED)


@app.command()
def report(
    datasets: Annotated[
        list[Path],
        typer.Argument(help="Dataset folders written by `cs-qa score` (several: trend over days)."),
    ],
    agent: Annotated[
        str | None, typer.Option("--agent", "-a", help="Print this agent's scorecard.")
    ] = None,
    lang: Lang = "zh",
) -> None:
    """Print the team summary, or one agent's scorecard, from written datasets.

    Example: cs-qa report out --agent A1003

    Exit codes: 0 printed; 2 not a dataset or unknown agent.
    """
    from cs_qa.report import (
        DatasetError,
        UnknownAgent,
        agent_scorecard,
        load_datasets,
        render_scorecard,
        render_team,
        team_summary,
    )

    _check_lang(lang)
    console, err = _console(), _err_console()
    try:
        ds = load_datasets(datasets)
    except DatasetError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from exc
    if agent is None:
        render_team(team_summary(ds), console, lang=lang)
        return
    try:
        card = agent_scorecard(ds, agent)
    except UnknownAgent as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from exc
    render_scorecard(card, console, lang=lang)


@rules_app.command("list")
def rules_list(
    pack: Annotated[
        str | None, typer.Argument(help="Rule pack file or built-in name (default: general).")
    ] = None,
) -> None:
    """List the rules of a pack: id, title, category, check type, weight, examples.

    Example: cs-qa rules list rules/general.yaml

    Exit codes: 0 listed; 2 the pack does not load.
    """
    from rich.table import Table

    loaded = _load_pack(pack)
    table = Table(title=f"{loaded.title} ({loaded.name} {loaded.version})")
    table.add_column("id", no_wrap=True)
    for column in ("title", "category", "check", "weight", "examples"):
        table.add_column(column)
    for r in loaded.rules:
        weight = (
            "致命 fatal"
            if r.fatal
            else "flag"
            if r.flag
            else f"-{r.deduct:g}" + (f" (cap {r.cap:g})" if r.cap else "")
        )
        table.add_row(r.id, r.title, r.category, r.check.name, weight, str(len(r.examples)))
    _console().print(table)


@rules_app.command("lint")
def rules_lint(
    packs: Annotated[list[str], typer.Argument(help="Rule pack files or built-in names.")],
) -> None:
    """Validate rule packs and print every problem as file:line: message.

    Example: cs-qa rules lint rules/*.yaml

    Exit codes: 0 clean; 1 problems found; 2 a file does not exist.
    """
    from cs_qa.pack import PackError, load_pack

    err = _err_console()
    problems = 0
    for spec in packs:
        try:
            load_pack(spec)
        except FileNotFoundError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_USAGE) from exc
        except PackError as exc:
            for problem in exc.problems:
                typer.echo(str(problem))
            problems += len(exc.problems)
    if problems:
        err.print(f"[red]{problems} problem(s)[/red]")
        raise typer.Exit(EXIT_FAILURE)
    _console().print(f"[green]{len(packs)} pack(s) clean[/green]")


@rules_app.command("test")
def rules_test(
    packs: Annotated[list[str], typer.Argument(help="Rule pack files or built-in names.")],
    k: Annotated[
        str | None, typer.Option("-k", help="Only rules whose id contains this text.")
    ] = None,
) -> None:
    """Run every rule's examples with only that rule enabled.

    Example: cs-qa rules test rules/general.yaml -k greeting

    Exit codes: 0 every example behaves as written; 1 an example failed; 2 a pack does
    not load.
    """
    from cs_qa.ruletest import run_examples

    console = _console()
    failed = passed = todo = 0
    for spec in packs:
        loaded = _load_pack(spec)
        for outcome in run_examples(loaded, k):
            if outcome.example.todo:
                todo += 1
                continue
            if outcome.ok:
                passed += 1
                continue
            failed += 1
            expected = "a violation" if outcome.example.expects_violation else "no violation"
            fired = "; ".join(
                f"{f.matched or f.detail} (turn {f.turn_index})" for f in outcome.findings
            )
            console.print(
                f"[red]FAIL[/red] {outcome.test_id} ({loaded.path}:{outcome.example.line}): "
                f"expected {expected}, got {outcome.status}" + (f": {fired}" if fired else ""),
                markup=True,
                highlight=False,
            )
            console.print(outcome.example.text.rstrip(), markup=False, highlight=False)
    typer.echo(f"{passed} passed, {failed} failed" + (f", {todo} todo" if todo else ""))
    if failed:
        raise typer.Exit(EXIT_FAILURE)


def main() -> None:
    app()
