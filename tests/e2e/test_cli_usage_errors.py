"""click's usage errors through the entry point (issue #11): one `error: …` line, exit 2.

A bad value, a missing or unknown option, an unknown command: each names the option,
argument or command and what was expected, without click's boxed usage panel; `--help`
and the exit status of a command that fails on its own are unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]
ROOT = Path(__file__).resolve().parents[2]


def workbench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["WORKBENCH_DB"] = f"sqlite:///{cwd / 'never.db'}"
    return subprocess.run(
        [*BASE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def one_line_error(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and "╭" not in out.stderr, out.stderr
    assert "Usage:" not in out.stderr + out.stdout, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: "), out.stderr
    return lines[0]


def test_a_non_integer_limit_names_the_option_and_the_value(tmp_path: Path) -> None:
    line = one_line_error(workbench("customers", "--limit", "abc", cwd=tmp_path))
    assert line.startswith("error: --limit: 'abc' is not a valid integer"), line
    assert "workbench customers --help" in line
    assert not (tmp_path / "never.db").exists()


def test_dispose_without_outcome_names_the_option(tmp_path: Path) -> None:
    line = one_line_error(workbench("dispose", "C-1", cwd=tmp_path))
    assert "--outcome" in line, line


def test_a_missing_argument_names_it_as_the_help_does(tmp_path: Path) -> None:
    line = one_line_error(workbench("scripts", "render", cwd=tmp_path))
    assert line.startswith("error: ID: missing argument of `workbench scripts render`"), line


def test_an_unknown_option_names_it_and_suggests_the_near_one(tmp_path: Path) -> None:
    line = one_line_error(workbench("customers", "--limt", "3", cwd=tmp_path))
    assert line.startswith("error: --limt: no such option of `workbench customers`"), line
    assert "--limit" in line


def test_an_unknown_command_is_named(tmp_path: Path) -> None:
    line = one_line_error(workbench("frobnicate", cwd=tmp_path))
    assert "no such command 'frobnicate'" in line, line
    assert "`workbench --help`" in line


def test_an_invalid_choice_lists_the_choices(tmp_path: Path) -> None:
    line = one_line_error(workbench("scripts", "list", "--language", "fr", cwd=tmp_path))
    assert line.startswith("error: --language: 'fr' is not one of 'ja', 'en'"), line


def test_an_option_without_its_value(tmp_path: Path) -> None:
    line = one_line_error(workbench("customers", "--limit", cwd=tmp_path))
    assert "'--limit' requires an argument" in line, line


@pytest.mark.parametrize("args", [["--help"], ["customers", "--help"]])
def test_help_is_unchanged(tmp_path: Path, args: list[str]) -> None:
    out = workbench(*args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Usage: workbench " in out.stdout
    assert out.stderr == ""


def test_a_command_failing_on_its_own_keeps_its_status(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "unit" / "talk" / "fixtures" / "bad" / "bad_branch.md"
    out = workbench("scripts", "check", str(bad), cwd=tmp_path)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert f"{bad}:18: bad-branch: " in out.stdout
