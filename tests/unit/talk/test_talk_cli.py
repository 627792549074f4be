"""The `workbench scripts` sub-commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli.scripts import app

REPO = Path(__file__).parents[3]
BAD = Path(__file__).parent / "fixtures" / "bad"
runner = CliRunner()


def test_check_default_path_is_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "ja")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 30 本")
    assert len(result.output.strip().splitlines()) == 1


def test_check_reports_file_line_code_and_fails() -> None:
    result = runner.invoke(app, ["check", str(BAD / "bad_branch.md"), str(BAD / "syntax_error.md")])
    assert result.exit_code == 1
    assert f"{BAD / 'bad_branch.md'}:18: bad-branch: " in result.output
    assert f"{BAD / 'syntax_error.md'}:16: syntax: " in result.output


def test_list_json_lines() -> None:
    result = runner.invoke(
        app, ["list", "--json", "--language", "ja", "--root", str(REPO / "talkscripts")]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 15
    assert {
        "id",
        "title",
        "reasons",
        "kind",
        "language",
        "active",
        "version",
        "variant_group",
    } <= set(rows[0])
    assert {r["language"] for r in rows} == {"ja"}
    groups = {r["id"]: r["variant_group"] for r in rows}
    assert groups["price_plan_review"] == groups["price_return_offer"] == "price_2026"


def test_list_plain_both_languages() -> None:
    result = runner.invoke(app, ["list", "--root", str(REPO / "talkscripts")])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 30


def test_render_demo() -> None:
    result = runner.invoke(
        app, ["render", "b2b_contact_changed", "--demo", "b2b", "--root", str(REPO / "talkscripts")]
    )
    assert result.exit_code == 0, result.output
    assert "高橋に代わりまして" in result.output
    assert "1. → hearing:" in result.output
    english = runner.invoke(
        app,
        [
            "render",
            "b2b_contact_changed",
            "--demo",
            "b2c",
            "--language",
            "en",
            "--root",
            str(REPO / "talkscripts"),
        ],
    )
    assert english.exit_code == 0 and "Hannah Sato" in english.output


def test_render_unknown_id() -> None:
    result = runner.invoke(app, ["render", "nope", "--root", str(REPO / "talkscripts")])
    assert result.exit_code == 2
