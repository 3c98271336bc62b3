"""`cs-qa rules …`: list, lint, test and diff rule packs, for rule owners and CI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cs_qa.cli import common as common
from cs_qa.cli.common import EXIT_FAILURE, EXIT_USAGE, Lang, check_lang, load_pack_or_exit

rules_app = typer.Typer(
    help="Inspect, lint, test and diff rule packs.\n\nExample: cs-qa rules test rules/general.yaml",
    no_args_is_help=True,
)

PackArg = Annotated[
    str | None, typer.Argument(help="Rule pack file or built-in name (default: general).")
]
PacksArg = Annotated[list[str], typer.Argument(help="Rule pack files or built-in names.")]


@rules_app.command("list")
def rules_list(
    pack: PackArg = None,
    check_types: Annotated[
        bool, typer.Option("--check-types", help="List the check types and their parameters.")
    ] = False,
) -> None:
    """List the rules of a pack: id, title, category, check type, weight, examples.

    Example: cs-qa rules list rules/ecommerce.yaml

    Example: cs-qa rules list --check-types

    Exit codes: 0 listed; 2 the pack does not load.
    """
    from rich.table import Table

    console = common.console()
    if check_types:
        from cs_qa.checks import all_checks
        from cs_qa.packs.ruledoc import describe_params

        table = Table(title="check types", show_lines=True)
        table.add_column("check", no_wrap=True)
        table.add_column("parameters")
        table.add_column("what it checks", ratio=1, overflow="fold")
        for name, check in all_checks().items():
            table.add_row(name, describe_params(check.params), check.doc)
        console.print(table)
        from cs_qa.core import windows as conditions

        console.print("\nconditions (when: / unless:, on any rule)", style="bold")
        console.print(conditions.__doc__.strip(), markup=False, highlight=False, soft_wrap=True)
        return
    loaded = load_pack_or_exit(pack)
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
    console.print(table)


@rules_app.command("lint")
def rules_lint(packs: PacksArg) -> None:
    """Validate rule packs and print every problem as file:line: message.

    Checks YAML syntax, unknown keys, unknown check types, parameter types, duplicate
    rule ids, unknown lexicons, empty phrase lists, phrases that normalise to nothing,
    regexes that do not compile, rules without a violates and a passes example, and
    passes examples with a turn marked `>` (only violates examples pin turns).

    Example: cs-qa rules lint rules/*.yaml

    Exit codes: 0 clean; 1 problems found; 2 a file does not exist.
    """
    from cs_qa.packs.loader import load_pack
    from cs_qa.packs.problems import PackError

    problems = 0
    for spec in packs:
        try:
            load_pack(spec)
        except FileNotFoundError as exc:
            common.fail(f"{exc}", EXIT_USAGE)
        except PackError as exc:
            for problem in exc.problems:
                typer.echo(str(problem))
            problems += len(exc.problems)
    if problems:
        common.fail(f"{problems} problem(s)", EXIT_FAILURE)
    common.console().print(f"{len(packs)} pack(s) clean", style="green")


@rules_app.command("test")
def rules_test(
    packs: PacksArg,
    k: Annotated[
        str | None, typer.Option("-k", help="Only rules whose id contains this text.")
    ] = None,
    junit_xml: Annotated[
        Path | None, typer.Option("--junit-xml", help="Also write the results as JUnit XML.")
    ] = None,
) -> None:
    """Run every rule's examples with only that rule enabled.

    `violates` examples must fire the rule, `passes` examples must not. A turn marked
    with `>` in a violates example (`> 客服: 不行`) pins it: the rule's findings must be
    at exactly the marked turns (counted from 0). `todo_violates` and `todo_passes` record
    known gaps: reported, never failing.

    Example: cs-qa rules test rules/general.yaml -k greeting --junit-xml rules.xml

    Exit codes: 0 every example behaves as written; 1 an example failed or a pack has
    problems; 2 a file does not exist.
    """
    from cs_qa.packs.examples import run_examples, write_junit

    console = common.console()
    outcomes = []
    for spec in packs:
        loaded = load_pack_or_exit(spec, code=EXIT_FAILURE)
        outcomes.extend(run_examples(loaded, k))
    failed = [o for o in outcomes if not o.ok and not o.example.todo]
    todo = [o for o in outcomes if o.example.todo]
    for o in failed:
        fired = "; ".join(
            f"{f.matched or f.detail} (turn {f.turn_index})"
            if f.turn_index is not None
            else f.detail
            for f in o.findings
        )
        line = Text("FAIL", style="red")
        line.append(
            f" {o.test_id} ({o.example.file}:{o.example.line}): "
            f"expected {o.expected}, got {o.got}" + (f": {fired}" if fired else "")
        )
        console.print(line, highlight=False, soft_wrap=True)
        console.print(o.example.text.rstrip(), markup=False, highlight=False)
    for o in todo:
        state = "now behaves as the rule should: make it a real example" if o.ok else "known gap"
        line = Text("TODO", style="yellow")
        line.append(f" {o.test_id} ({o.example.file}:{o.example.line}): {state}")
        console.print(line, highlight=False, soft_wrap=True)
    if junit_xml is not None:
        write_junit(outcomes, junit_xml)
    passed = len(outcomes) - len(failed) - len(todo)
    typer.echo(
        f"{passed} passed, {len(failed)} failed" + (f", {len(todo)} skipped" if todo else "")
    )
    if failed:
        raise typer.Exit(EXIT_FAILURE)


@rules_app.command("diff")
def rules_diff(
    inputs: Annotated[list[Path], typer.Argument(help="Transcripts to score with both packs.")],
    base: Annotated[str, typer.Option("--base", help="The pack as it is (file or built-in name).")],
    head: Annotated[
        str, typer.Option("--head", help="The pack as changed (file or built-in name).")
    ],
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="Column mapping FIELD=COLUMN, as for score.")
    ] = None,
    speaker: Annotated[
        list[str] | None, typer.Option("--speaker", help="Speaker value mapping VALUE=ROLE.")
    ] = None,
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help="Column mapping YAML file, as for score.")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="terminal (default) or markdown (for a pull request).")
    ] = "terminal",
    fail_if_pass_rate_drops: Annotated[
        float | None,
        typer.Option(
            "--fail-if-pass-rate-drops",
            help="Exit 1 when the team pass rate falls by more than PCT percentage points.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Changed conversations to list.")] = 20,
    lang: Lang = "zh",
) -> None:
    """Score the same transcripts with two versions of a pack and show what changes.

    Lists the conversations whose score or pass/fail changed (with the rule that made the
    difference), per-rule finding counts, and per-agent mean score and pass-rate deltas.
    A rule with `renamed_from` is matched to its old id.

    Example: cs-qa rules diff --base general --head my-general.yaml sample_transcripts

    Example: cs-qa rules diff --base old.yaml --head new.yaml day/ --format markdown
    --fail-if-pass-rate-drops 2

    Exit codes: 0 compared; 1 the pass rate dropped by more than the gate; 2 usage or a
    pack does not load.
    """
    from cs_qa.compare.diff import diff_markdown, diff_packs, render_diff

    check_lang(lang)
    if format_ not in ("terminal", "markdown"):
        common.fail(f"--format must be terminal or markdown, not {format_!r}", EXIT_USAGE)
    old, new = load_pack_or_exit(base), load_pack_or_exit(head)
    mapping = common.mapping_from_options(map_, speaker, mapping_file)
    try:
        result = diff_packs(inputs, old, new, mapping)
    except (ValueError, OSError) as exc:
        common.fail(f"{exc}", EXIT_USAGE)
    if format_ == "markdown":
        typer.echo(diff_markdown(result, lang=lang, limit=limit))
    else:
        render_diff(result, common.console(), lang=lang, limit=limit)
    if fail_if_pass_rate_drops is not None and result.pass_rate_drop > fail_if_pass_rate_drops:
        common.fail(
            f"pass rate dropped {result.pass_rate_drop:.1f} points "
            f"(gate: {fail_if_pass_rate_drops:g})",
            EXIT_FAILURE,
        )
