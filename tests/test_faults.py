"""Faults a nightly batch survives (issue 13): user text is never markup, errors are one
unwrapped line, an empty run says so, disk faults leave nothing half-written, one run at
a time writes an --out, and verify finds the inputs wherever the run read them."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from filelock import FileLock
from typer.testing import CliRunner

from cs_qa.cli import app
from cs_qa.cli.common import EXIT_FAILURE, EXIT_NOTHING, EXIT_USAGE
from cs_qa.dataset.store import lock_path

runner = CliRunner()
DAY = SAMPLE / "chat_2026-11-16.jsonl"


def _score(*args: str):
    return runner.invoke(app, ["score", *args, "--quiet"])


def _one_line(output: str, needle: str) -> str:
    lines = [line for line in output.splitlines() if needle in line]
    assert lines, output
    return lines[0]


# --- user text is text, never markup -----------------------------------------------


def test_brackets_in_a_pack_path_are_printed_as_given(tmp_path):
    result = _score(str(DAY), "--rules", "my[/b]pack.yaml", "--out", str(tmp_path / "o"))
    assert result.exit_code == EXIT_USAGE
    assert "Traceback" not in result.output
    assert "my[/b]pack.yaml" in _one_line(result.output, "no such rule pack")


def test_brackets_in_pack_text_and_ids_are_printed_as_given(tmp_path):
    pack = tmp_path / "[bold]pack.yaml"
    pack.write_text(
        "pack: x\nversion: '1'\ntitle: '[b]t[/b]'\nrules:\n"
        "  - {id: r, title: t, check: '[bold]no_such[/bold]'}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(DAY), "--rules", str(pack), "-o", str(tmp_path)])
    assert result.exit_code == EXIT_USAGE
    assert f"{pack}:" in result.output and "[bold]no_such[/bold]" in result.output
    lint = runner.invoke(app, ["rules", "lint", str(pack)])
    assert lint.exit_code == EXIT_FAILURE and f"{pack}:" in lint.output
    out = tmp_path / "o"
    assert _score(str(DAY), "--out", str(out)).exit_code == 0
    report = runner.invoke(app, ["report", str(out), "--agent", "[red]A1[/red]"])
    assert report.exit_code == EXIT_USAGE and "[red]A1[/red]" in report.output
    show = runner.invoke(app, ["show", str(out), "[bold]c-1[/bold]"])
    assert show.exit_code == EXIT_USAGE and "[bold]c-1[/bold]" in show.output


def test_unreadable_packs_are_usage_errors(tmp_path):
    folder = tmp_path / "pack.yaml"
    folder.mkdir()
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x81pack")
    for pack in (folder, binary):
        result = _score(str(DAY), "--rules", str(pack), "--out", str(tmp_path / "o"))
        assert result.exit_code == EXIT_USAGE, result.output
        assert "cannot read the rule pack" in _one_line(result.output, str(pack))


def test_out_that_is_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("keep me", encoding="utf-8")
    result = _score(str(DAY), "--out", str(target))
    assert result.exit_code == EXIT_USAGE
    assert "a file, not a folder" in _one_line(result.output, str(target))
    assert target.read_text(encoding="utf-8") == "keep me"


# --- machine-readable lines are never wrapped ----------------------------------------


def test_file_line_messages_are_not_wrapped_on_a_pipe(tmp_path):
    deep = tmp_path / ("a-rather-long-folder-name-" * 4)
    deep.mkdir()
    pack = deep / "bad.yaml"
    rule_id = "closing.a_rule_id_long_enough_to_push_the_message_past_eighty_columns"
    pack.write_text(
        f"pack: x\nversion: '1'\ntitle: t\nrules:\n  - {{id: {rule_id}, title: t, "
        "check: no_such_check}\n",
        encoding="utf-8",
    )
    cs_qa = str(Path(sys.executable).parent / "cs-qa")
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    for args in (["rules", "lint", str(pack)], ["score", str(DAY), "--rules", str(pack)]):
        done = subprocess.run(
            [cs_qa, *args], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
        )
        lines = (done.stdout + done.stderr).splitlines()
        problem = [line for line in lines if line.startswith(f"{pack}:5:")]
        assert problem and rule_id in problem[0] and len(problem[0]) > 80, lines
    # A rejected record in the run's summary on stdout.
    bad = deep / ("an-export-with-a-long-name-" * 3 + ".jsonl")
    good = DAY.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(good + "\n{not json at all\n", encoding="utf-8")
    done = subprocess.run(
        [cs_qa, "score", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    rejected = [line for line in done.stdout.splitlines() if f"{bad.name}:2:" in line]
    assert rejected and rejected[0].rstrip().endswith("at column 2"), done.stdout


# --- nothing silently empty -----------------------------------------------------------


def test_a_run_that_scores_nothing_exits_4_and_says_why(tmp_path):
    empty_folder = tmp_path / "none"
    empty_folder.mkdir()
    (empty_folder / "notes.md").write_text("not a transcript", encoding="utf-8")
    empty_file = tmp_path / "empty.jsonl"
    empty_file.write_text("\n  \n", encoding="utf-8")
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("{oops\n[1, 2]\n", encoding="utf-8")
    for inputs, why in (
        (empty_folder, "no input file matched"),
        (empty_file, "held no records"),
        (garbage, "none of the 2 record(s) read could be scored"),
    ):
        result = _score(str(inputs), "--out", str(tmp_path / "o"), "--overwrite")
        assert result.exit_code == EXIT_NOTHING, result.output
        assert why in _one_line(result.output, "nothing scored from")


# --- verify finds the inputs -----------------------------------------------------------


def test_verify_finds_a_single_file_scored_by_a_relative_path(tmp_path, monkeypatch):
    work = tmp_path / "work"
    data = tmp_path / "shared" / "day"
    work.mkdir()
    data.mkdir(parents=True)
    (data / "chat.jsonl").write_bytes(DAY.read_bytes())
    monkeypatch.chdir(work)
    assert _score("../shared/day/chat.jsonl", "--out", "out").exit_code == 0
    inputs = json.loads(Path("out/manifest.json").read_text(encoding="utf-8"))["inputs"]
    assert inputs == [
        {
            "path": "chat.jsonl",
            "given": "../shared/day/chat.jsonl",
            "from_cwd": "../shared/day/chat.jsonl",
            "bytes": DAY.stat().st_size,
            "sha256": inputs[0]["sha256"],
        }
    ]
    result = runner.invoke(app, ["verify", "out", "--inputs-root", "."])
    assert result.exit_code == 0, result.output


# --- disk faults and two runs at once ----------------------------------------------------


@pytest.fixture
def earlier(tmp_path):
    """A finished dataset at --out, and its bytes, to prove a failed run leaves it."""
    out = tmp_path / "out"
    assert _score(str(DAY), "--out", str(out)).exit_code == 0
    return out, _snapshot(out)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*") if not p.name.endswith("lock"))


def test_disk_full_leaves_nothing_half_written(earlier, monkeypatch):
    out, before = earlier

    def full(self):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))

    monkeypatch.setattr("cs_qa.dataset.store.TableWriter.flush", full)
    result = _score(str(DAY), "--out", str(out), "--overwrite", "-w", "1")
    assert result.exit_code == EXIT_FAILURE
    line = _one_line(result.output, "cannot write the dataset")
    assert os.strerror(errno.ENOSPC) in line and "earlier dataset there is kept" in line
    assert _snapshot(out) == before and _leftovers(out) == []


def test_a_read_only_folder_is_a_clear_failure(tmp_path, monkeypatch):
    out = tmp_path / "ro" / "out"
    real_mkdir = Path.mkdir

    def refuse(self, *args, **kwargs):
        if ".partial-" in self.name:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = _score(str(DAY), "--out", str(out))
    assert result.exit_code == EXIT_FAILURE
    assert os.strerror(errno.EACCES) in _one_line(result.output, "cannot write the dataset")
    assert not out.exists() and _leftovers(out) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_really_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = _score(str(DAY), "--out", str(folder / "out"))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == EXIT_FAILURE and "cannot write the dataset" in result.output


def test_a_failed_swap_puts_the_earlier_dataset_back(earlier, monkeypatch):
    out, before = earlier
    real_rename = Path.rename

    def fail_into_place(self, target):
        if ".partial-" in self.name:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", fail_into_place)
    result = _score(str(DAY), "--out", str(out), "--overwrite", "-w", "1")
    assert result.exit_code == EXIT_FAILURE
    assert _snapshot(out) == before and _leftovers(out) == []


def test_a_second_run_on_the_same_out_is_refused(earlier):
    out, before = earlier
    with FileLock(lock_path(out), timeout=0):  # another run, still writing
        result = _score(str(DAY), "--out", str(out), "--overwrite")
    assert result.exit_code == EXIT_USAGE
    line = _one_line(result.output, "another cs-qa run is writing it")
    assert str(lock_path(out)) in line
    assert _snapshot(out) == before
    # Once it is done, the next run proceeds.
    assert _score(str(DAY), "--out", str(out), "--overwrite").exit_code == 0


def test_two_runs_at_once_one_proceeds(tmp_path):
    out = tmp_path / "out"
    cs_qa = str(Path(sys.executable).parent / "cs-qa")
    runs = [
        subprocess.Popen(
            [cs_qa, "score", str(SAMPLE), "--out", str(out), "--quiet", "-w", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes[0] in (0, 3), results  # the sample has rejected records on purpose
    assert codes[1] == EXIT_USAGE, results
    refused = next(err for code, err in results if code == EXIT_USAGE)
    assert "another cs-qa run is writing it" in refused or "exists" in refused
    assert runner.invoke(app, ["verify", str(out)]).exit_code == 0
