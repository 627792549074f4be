"""The `workbench scripts` sub-commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli.root import app as root_app
from workbench.cli.scripts import app
from workbench.talk.lint import check_paths

REPO = Path(__file__).parents[3]
BAD = Path(__file__).parent / "fixtures" / "bad"
runner = CliRunner()


@pytest.fixture
def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """A workbench.toml with the given keys, in a folder with no ./talkscripts of its own
    and no WORKBENCH_* variable around: what the test configures is all there is."""
    for name in ("WORKBENCH_LANGUAGE", "WORKBENCH_TALKSCRIPTS_DIR", "WORKBENCH_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def write(**keys: str) -> Path:
        path = tmp_path / "workbench.toml"
        path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in keys.items()), "utf-8")
        return path

    return write


def test_check_default_path_is_the_configured_folder(configure: Callable[..., Path]) -> None:
    config = configure(language="ja", talkscripts_dir=str(REPO / "talkscripts"))
    result = runner.invoke(root_app, ["--config", str(config), "scripts", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 30 本のスクリプトと 28 本のメールテンプレート")
    assert len(result.output.strip().splitlines()) == 1


def test_language_in_workbench_toml_switches_the_talk_messages(
    configure: Callable[..., Path],
) -> None:
    config = configure(language="en")
    result = runner.invoke(root_app, ["--config", str(config), "scripts", "check", str(BAD)])
    assert result.exit_code == 1
    assert "branch target section proposal does not exist" in result.output
    assert f"errors, 0 warnings ({len(list(BAD.glob('*.md')))} scripts checked)" in result.output
    # The invocation over, the process speaks as before it.
    [issue] = check_paths([BAD / "bad_branch.md"])
    assert issue.message == "分岐先のセクション proposal がありません"


def test_the_environment_variable_still_sets_the_language(
    configure: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "en")
    monkeypatch.setenv("WORKBENCH_TALKSCRIPTS_DIR", str(REPO / "talkscripts"))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: checked 30 scripts")


def test_list_root_file_lists_that_one_script() -> None:
    path = REPO / "talkscripts" / "ja" / "price_plan_review.md"
    result = runner.invoke(app, ["list", "--json", "--root", str(path)])
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in result.output.splitlines()]
    assert (row["id"], row["language"], row["path"]) == ("price_plan_review", "ja", str(path))
    other = runner.invoke(app, ["list", "--language", "en", "--root", str(path)])
    assert other.exit_code == 0 and other.output == ""


def test_list_root_broken_file_says_why_and_fails() -> None:
    path = BAD / "bad_branch.md"
    result = runner.invoke(app, ["list", "--root", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:18: bad-branch: 分岐先のセクション proposal がありません"
    ]


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
