"""The `cs-qa` command line: parse options, call the library, hand results to a renderer.

Heavy modules (pandas, pyarrow, jieba) are imported inside commands so that `--help`
stays fast.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from cs_qa.cli import common as common
from cs_qa.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_NOTHING,
    EXIT_REJECTED,
    EXIT_USAGE,
    Lang,
    check_lang,
    load_pack_or_exit,
)
from cs_qa.cli.rules import rules_app

app = typer.Typer(
    name="cs-qa",
    help="Quality assurance (质检) for Chinese customer-service chat and call transcripts.\n\n"
    "Example: cs-qa score sample_transcripts --out out",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(rules_app, name="rules")


@app.command()
def score(
    inputs: Annotated[
        list[Path],
        # Written out (importing the reader registry would slow every --help); a test
        # checks it against cs_qa.ingest.SUFFIXES.
        typer.Argument(
            help="Transcript files or folders (.jsonl .json .csv .tsv .parquet .txt .log "
            ".vtt .srt)."
        ),
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
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Worker processes (default: the number of cores); with --engine dask, "
            "those of the local cluster (ignored with --scheduler).",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Where to score: local (this machine) or dask (a Dask cluster; needs "
            "pip install 'cs-qa\\[dask]').",
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="With --engine dask: the scheduler's address (e.g. tcp://10.0.0.5:8786); "
            "default: a local cluster of --workers processes.",
        ),
    ] = None,
    lang: Lang = "zh",
) -> None:
    """Score transcripts against a rule pack and write the dataset.

    Example: cs-qa score sample_transcripts --out out --overwrite

    Example (no header, JD export): cs-qa score chats.tsv --map conversation_id=0
    --map speaker=2 --map text=6 --speaker 0=customer --speaker 1=agent

    Example (Dask cluster): cs-qa score /shared/chats --engine dask
    --scheduler tcp://10.0.0.5:8786 --out out

    The dataset is the same for any --workers and either --engine: large
    JSON Lines files are split into byte ranges and the results merged in
    input order. --engine dask scores the parts on a Dask cluster: the one at
    --scheduler, or a local one of --workers processes, closed afterwards.
    Its workers need cs-qa at this version and must read the inputs at the
    same absolute path (shared storage); the rule pack is sent to them.

    Exit codes: 0 all scored; 3 some records rejected (listed in the errors
    table) or a rule failed on some conversations (status error, listed in the
    rule_errors table; everything else is scored), --strict makes these 1;
    4 nothing to score (no input file matched, the files were empty, or no
    record in them was recognised); 2 usage or rule-pack error, --out not a
    folder, another run writing the same --out, an unknown --engine,
    --scheduler without --engine dask, dask not installed, the scheduler
    unreachable or without workers, workers on another cs-qa version, or an
    input a worker cannot read; 1 failure (e.g. the disk full or the output
    folder read-only: nothing is left half-written and an earlier dataset at
    --out is kept); 130 interrupted (Ctrl-C: workers stopped, nothing
    written, the partial output removed).
    """
    from cs_qa.dataset.store import OutputExists, OutputUnusable
    from cs_qa.engine.dask_engine import EngineError  # imports no dask
    from cs_qa.engine.run import ENGINES, default_workers, score_inputs

    check_lang(lang)
    if engine not in ENGINES:
        message = f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}"
        common.fail(message, EXIT_USAGE)
    if scheduler is not None and engine != "dask":
        common.fail("--scheduler needs --engine dask", EXIT_USAGE)
    pack = load_pack_or_exit(rules)
    mapping = common.mapping_from_options(map_, speaker, mapping_file)
    console = common.console()
    # the same run with or without a progress bar (a partial, so mypy checks the keywords)
    run = functools.partial(
        score_inputs,
        inputs,
        pack,
        out,
        mapping=mapping,
        mask=not no_mask,
        overwrite=overwrite,
        workers=workers or default_workers(),
        engine=engine,
        scheduler=scheduler,
    )
    try:
        if quiet:
            summary = run()
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
                task = bar.add_task("parts", total=None)

                def tick(done: int, parts: int, read: int, rejected: int) -> None:
                    bar.update(
                        task,
                        completed=done,
                        total=parts,
                        description=f"{read} conversations, {rejected} rejected · parts",
                    )

                summary = run(progress=tick)
    except (OutputExists, OutputUnusable, FileNotFoundError, EngineError) as exc:
        common.fail(str(exc), EXIT_USAGE)
    except OSError as exc:  # the disk full, a read-only folder: nothing was written
        where = f" ({exc.filename})" if exc.filename else ""
        common.fail(
            f"{out}: cannot write the dataset: {exc.strerror or exc}{where}; nothing "
            "written, an earlier dataset there is kept",
            EXIT_FAILURE,
        )
    except KeyboardInterrupt:
        common.fail(
            f"interrupted: nothing written to {out} (the partial output was removed)",
            EXIT_INTERRUPTED,
        )
    if not quiet:
        # Imported here: pandas is not needed to score, only to print the summary.
        from cs_qa.dataset.reader import load_dataset
        from cs_qa.reports.team import team_summary
        from cs_qa.reports.terminal import render_run
        from cs_qa.reports.terminal_team import render_team

        render_run(summary, console, lang=lang)
        if summary.scored:
            render_team(team_summary(load_dataset(out)), console, lang=lang)
    nothing = summary.nothing_scored()
    if nothing is not None:
        shown = " ".join(str(p) for p in inputs)
        common.fail(f"nothing scored from {shown}: {nothing}", EXIT_NOTHING)
    if summary.rejected or summary.rule_errors:
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
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Write a printable A4 HTML page (the team report, or with --agent the "
            "agent's scorecard) instead of printing.",
        ),
    ] = None,
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            help="Targets YAML (a `targets:` section); replaces the targets the dataset's "
            "pack was scored with.",
        ),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster",
            help="Roster CSV (agent_id, name, team, hired_on): names, teams, and hire dates "
            "for the new-agent target ramp.",
        ),
    ] = None,
    disputes: Annotated[
        Path | None,
        typer.Option(
            "--disputes",
            help="Disputes file (`cs-qa dispute`): accepted disputes are applied (scores "
            "recomputed, findings shown as overruled); the dataset is not changed.",
        ),
    ] = None,
    lang: Lang = "zh",
) -> None:
    """Print the team summary, or one agent's scorecard, from written datasets, each
    figure against its target; or write them as a printable HTML page.

    Example: cs-qa report out --agent A1011 --roster examples/roster.csv

    Example: cs-qa report out --agent A1011 --roster examples/roster.csv --html a1011.html

    Exit codes: 0 printed or written; 2 not a dataset, unknown agent, unreadable targets,
    roster or disputes, or unwritable HTML file.
    """
    from cs_qa.dataset.disputes import DisputesError, apply_disputes, load_disputes
    from cs_qa.dataset.reader import DatasetError, load_datasets
    from cs_qa.packs.targets import TargetsError
    from cs_qa.reports.i18n import t
    from cs_qa.reports.scorecard import UnknownAgent, agent_scorecard
    from cs_qa.reports.team import team_summary
    from cs_qa.reports.terminal_scorecard import render_scorecard
    from cs_qa.reports.terminal_team import render_team

    check_lang(lang)
    console = common.console()
    spec = common.load_targets_or_exit(targets)
    people = common.load_roster_or_exit(roster)
    try:
        ds = load_datasets(datasets)
        if disputes is not None:
            ds = apply_disputes(ds, load_disputes(disputes))
        if agent is None:
            summary = team_summary(ds, targets=spec, roster=people)
        else:
            card = agent_scorecard(ds, agent, targets=spec, roster=people)
    except (DatasetError, UnknownAgent, TargetsError, DisputesError) as exc:
        common.fail(str(exc), EXIT_USAGE)
    if html is None:
        if agent is None:
            render_team(summary, console, lang=lang)
        else:
            render_scorecard(card, console, lang=lang)
        return
    from cs_qa.reports.html_scorecard import scorecard_html
    from cs_qa.reports.html_team import team_html

    text = team_html(summary, lang=lang) if agent is None else scorecard_html(card, lang=lang)
    try:
        html.write_text(text, encoding="utf-8")
    except OSError as exc:
        common.fail(f"{html}: {exc}", EXIT_USAGE)
    console.print(t("html_written", lang).format(path=html), markup=False, highlight=False)


@app.command()
def show(
    datasets: Annotated[
        list[Path],
        typer.Argument(
            help="Dataset folder(s) written by `cs-qa score` (the first holding the id wins)."
        ),
    ],
    conversation_id: Annotated[str, typer.Argument(help="The conversation to show.")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a printable HTML page instead.")
    ] = None,
    disputes: Annotated[
        Path | None,
        typer.Option(
            "--disputes", help="Disputes file: accepted disputes show their findings overruled."
        ),
    ] = None,
    lang: Lang = "zh",
) -> None:
    """Print one conversation turn by turn, matched phrases highlighted and each finding
    under its turn.

    Example: cs-qa show out c-20261116-0003 --html c-0003.html

    Exit codes: 0 shown; 2 not a dataset, unknown conversation id, unreadable disputes or
    unwritable HTML file.
    """
    from cs_qa.dataset.disputes import DisputesError, apply_disputes, load_disputes
    from cs_qa.dataset.reader import DatasetError, load_datasets
    from cs_qa.reports.conversation import UnknownConversation, conversation_view
    from cs_qa.reports.html_conversation import conversation_html
    from cs_qa.reports.i18n import t
    from cs_qa.reports.terminal_conversation import render_conversation

    check_lang(lang)
    console = common.console()
    try:
        ds = load_datasets(datasets)
        if disputes is not None:
            ds = apply_disputes(ds, load_disputes(disputes))
        view = conversation_view(ds, conversation_id)
    except (DatasetError, UnknownConversation, DisputesError) as exc:
        common.fail(str(exc), EXIT_USAGE)
    if html is None:
        render_conversation(view, console, lang=lang)
        return
    try:
        html.write_text(conversation_html(view, lang=lang), encoding="utf-8")
    except OSError as exc:
        common.fail(f"{html}: {exc}", EXIT_USAGE)
    console.print(t("show_written", lang).format(path=html), markup=False, highlight=False)


@app.command()
def verify(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder written by `cs-qa score`.")],
    inputs_root: Annotated[
        Path | None,
        typer.Option(
            "--inputs-root",
            help="Folder the run's input paths are relative to (default: the current folder). "
            "Given, a missing input is a problem; otherwise it is only not checked.",
        ),
    ] = None,
    lang: Lang = "zh",
) -> None:
    """Re-check a dataset against its manifest: counts add up (read = scored +
    rejected), every table file has the size and SHA-256 the run recorded and no file was
    added, and the input files and rule pack, where found, are the ones the run read.

    Example: cs-qa verify out --inputs-root .

    Exit codes: 0 every check passed; 1 a problem found (listed); 2 not a dataset (no
    manifest.json: unfinished, killed or foreign) or a usage error.
    """
    from rich.table import Table
    from rich.text import Text

    from cs_qa.dataset.verify import NotADataset, verify_dataset
    from cs_qa.reports.i18n import t

    check_lang(lang)
    console = common.console()
    if inputs_root is not None and not inputs_root.is_dir():
        common.fail(f"--inputs-root {inputs_root}: not a folder", EXIT_USAGE)
    try:
        result = verify_dataset(dataset, inputs_root, require_inputs=inputs_root is not None)
    except NotADataset as exc:
        common.fail(str(exc), EXIT_USAGE)
    table = Table(title=t("verify_title", lang).format(path=dataset))
    for key in ("verify_check", "verify_status", "verify_detail"):
        table.add_column(t(key, lang))
    styles = {"ok": "green", "problem": "red", "skipped": "yellow"}
    for check in result.checks:
        status = t(f"verify_{check.status}", lang)
        table.add_row(check.what, Text(status, style=styles[check.status]), check.detail)
    console.print(table)
    tally = {s: sum(1 for c in result.checks if c.status == s) for s in styles}
    console.print(
        t("verify_summary", lang).format(
            ok=tally["ok"], problems=tally["problem"], skipped=tally["skipped"]
        ),
        markup=False,
    )
    if not result.ok:
        raise typer.Exit(EXIT_FAILURE)


@app.command()
def dispute(
    conversation_id: Annotated[str, typer.Argument(help="The conversation of the finding.")],
    rule_id: Annotated[str, typer.Argument(help="The rule whose finding is disputed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the finding is overruled.")],
    disputes: Annotated[
        Path, typer.Option("--disputes", help="The disputes file (CSV; created if missing).")
    ],
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help="accepted (default: the finding no longer counts), rejected or pending.",
        ),
    ] = "accepted",
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decided.")] = "",
    dataset: Annotated[
        Path | None,
        typer.Option(
            "--dataset", help="Check against this dataset that the rule has a finding there."
        ),
    ] = None,
    lang: Lang = "zh",
) -> None:
    """Record a reviewed finding (复核/申诉) in a disputes file of its own, never in a
    dataset. The last decision for a conversation and rule is the one in force; reports
    given --disputes apply the accepted ones.

    Example: cs-qa dispute c-20261116-0003 language.refusal --reason "客户要求的是退差价，
    客服在解释规则" --disputes disputes.csv --reviewer 王芳 --dataset out

    Exit codes: 0 recorded; 2 a bad status, an empty reason, a disputes file that is not
    one, or (with --dataset) no such finding.
    """
    from datetime import datetime

    from cs_qa.dataset.disputes import DisputesError, record_dispute
    from cs_qa.dataset.reader import DatasetError, load_dataset
    from cs_qa.reports.i18n import t

    check_lang(lang)
    try:
        if dataset is not None:
            findings = load_dataset(dataset).findings
            mine = findings[
                (findings["conversation_id"] == conversation_id) & (findings["rule_id"] == rule_id)
            ]
            if mine.empty:
                raise DisputesError(
                    f"{dataset} has no finding of {rule_id} in {conversation_id} to dispute"
                )
        record_dispute(
            disputes,
            conversation_id,
            rule_id,
            reason=reason,
            reviewer=reviewer,
            status=status,
            at=datetime.now().astimezone(),
        )
    except (DisputesError, DatasetError) as exc:
        common.fail(str(exc), EXIT_USAGE)
    common.console().print(
        t("dispute_recorded", lang).format(
            conversation=conversation_id, rule=rule_id, status=status, path=disputes
        ),
        markup=False,
        highlight=False,
    )


@app.command()
def calibrate(
    datasets: Annotated[
        list[Path], typer.Argument(help="Dataset folder(s) written by `cs-qa score`.")
    ],
    labels: Annotated[
        Path,
        typer.Option(
            "--labels",
            help="Reviewers' labels, CSV or Parquet: conversation_id, rule_id, violated (0/1), "
            "score, reviewer, note (a row without rule_id gives the overall score).",
        ),
    ],
    format_: Annotated[
        str, typer.Option("--format", help="terminal (default) or markdown.")
    ] = "terminal",
    suggest: Annotated[
        bool,
        typer.Option(
            "--suggest",
            help="Also list, per rule, the misses and false alarms and the words and short "
            "n-grams over-represented in each: what to add to a lexicon or a scope.",
        ),
    ] = False,
    lang: Lang = "zh",
) -> None:
    """How often cs-qa agrees with human reviewers: per rule the confusion table
    (both violated, false alarms, missed, both fine; n/a when the rule could not apply,
    missed (said n/a) when the reviewer saw a violation there), precision, recall, F1
    and Cohen's kappa, pooled over all rules, the Spearman correlation of scores, and
    every disagreement with cs-qa's evidence and the reviewer's note.

    Example: cs-qa calibrate jd-out --labels calibration/real/labels.csv --suggest

    Exit codes: 0 printed; 2 not a dataset, or a labels file that cannot be read (every
    bad line listed).
    """
    from cs_qa.dataset.reader import DatasetError, load_datasets
    from cs_qa.reports.calibrate import calibrate as compare
    from cs_qa.reports.calibration_labels import LabelsError, load_labels
    from cs_qa.reports.calibration_report import calibration_markdown, render_calibration

    check_lang(lang)
    console = common.console()
    if format_ not in ("terminal", "markdown"):
        common.fail(f"--format must be terminal or markdown, not {format_!r}", EXIT_USAGE)
    try:
        data = load_datasets(datasets)
        given = load_labels(labels)
    except (DatasetError, LabelsError) as exc:
        common.fail(str(exc), EXIT_USAGE)
    result = compare(given, data.conversations, data.rule_results, data.findings)
    if format_ == "markdown":
        typer.echo(calibration_markdown(result, lang=lang))
    else:
        render_calibration(result, console, lang=lang)
    if suggest:
        from cs_qa.reports.calibration_report import suggestions_markdown
        from cs_qa.reports.calibration_suggestions import suggest as suggestions

        typer.echo(suggestions_markdown(suggestions(result, data.turns, data.findings), lang))


def main() -> None:
    app()
