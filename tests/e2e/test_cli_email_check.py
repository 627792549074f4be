"""The real console command `workbench scripts check` on a tree holding email templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]
WORKBENCH = Path(sys.executable).parent / "workbench"  # the venv's console script
STARTER = REPO / "talkscripts" / "email"


def check(*args: str, cwd: Path, language: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    if language:
        env["WORKBENCH_LANGUAGE"] = language
    return subprocess.run([str(WORKBENCH), "scripts", "check", *args], check=False, cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip


def tree(root: Path) -> Path:
    """A scripts tree with one talk script, a good email template per language and a broken one."""
    (root / "ja").mkdir(parents=True)
    shutil.copy(REPO / "talkscripts" / "ja" / "b2c_listen_general.md", root / "ja")
    for language in ("ja", "en"):
        (root / "email" / language).mkdir(parents=True)
        shutil.copy(STARTER / language / "general_greeting.md", root / "email" / language)
    return root


def test_a_tree_of_good_templates_passes(tmp_path: Path) -> None:
    root = tree(tmp_path / "scripts")
    result = check(str(root), cwd=tmp_path)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert result.stdout.startswith("OK: ")
    assert "Traceback" not in result.stderr


def test_the_repository_tree_passes() -> None:
    result = check("talkscripts/", cwd=REPO)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "エラー 0 件、警告 0 件" in result.stdout


def test_a_broken_template_fails_naming_file_and_line(tmp_path: Path) -> None:
    root = tree(tmp_path / "scripts")
    source = (STARTER / "ja" / "usage_decreased_greeting.md").read_text(encoding="utf-8")
    lines = source.splitlines()
    heading = next(n for n, line in enumerate(lines, 1) if line.startswith("## text"))
    broken = source.replace("{{ unsubscribe_mailto }} 宛に", "").replace(
        "{% if unsubscribe_url %}{{ unsubscribe_url }} からお手続きいただくか、{% endif %}", ""
    )
    broken = broken.replace("{{ addressee }}", "{{ adressee }}", 1)
    path = root / "email" / "ja" / "usage_decreased_greeting.md"
    path.write_text(broken, encoding="utf-8")

    result = check(str(root), cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    out = result.stdout.splitlines()
    assert f"{path}:{heading}: law-unsubscribe: 本文（text）に配信停止の方法" in "\n".join(out)
    assert any(line.startswith(f"{path}:{heading + 1}: unknown-variable:") for line in out), out
    assert "エラー 2 件" in result.stderr
    assert "Traceback" not in result.stderr

    english = check(str(path), cwd=tmp_path, language="en")
    assert english.returncode == 1
    assert f"{path}:{heading}: law-unsubscribe: the text part does not show" in english.stdout
