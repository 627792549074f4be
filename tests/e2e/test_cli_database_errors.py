"""Bad database URLs, as a new user typed them: exit 2 with one line naming the problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]


def workbench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    return subprocess.run(
        [*BASE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "url, says",
    [
        ("foo://bar", "'foo' のデータベースには対応していません"),
        ("notaurl", "'notaurl' はデータベースの URL ではありません"),
        ("mysql://u@localhost/x", "'mysql' のデータベースには対応していません"),
        ("postgres://x@127.0.0.1:1/x", "データベースに接続できません"),
    ],
)
def test_a_bad_database_url_is_one_line_and_exit_2(url: str, says: str, tmp_path: Path) -> None:
    out = workbench("--db", url, "customers", cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    first = out.stderr.strip().splitlines()[0]
    assert first.startswith("error: ") and says in first


def test_a_missing_folder_is_not_created_silently(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "x.db"
    out = workbench("--db", f"sqlite:///{missing}", "customers", cwd=tmp_path)
    assert out.returncode == 2 and "がありません" in out.stderr and "Traceback" not in out.stderr
    assert not missing.parent.exists()


def test_the_default_database_folder_is_created(tmp_path: Path) -> None:
    out = workbench("customers", "--limit", "1", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "db" / "workbench.db").is_file()


def test_a_bad_database_url_is_in_english_with_language_en(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text('language = "en"\n', encoding="utf-8")
    out = workbench(
        "--config", "en.toml", "--db", "mysql://u@localhost/x", "customers", cwd=tmp_path
    )
    assert out.returncode == 2, out.stderr
    first = out.stderr.strip().splitlines()[0]
    assert first.startswith("error: db: ") and "'mysql' databases are not supported" in first


def test_a_file_that_is_not_a_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"meeting notes, not SQLite\n" * 300)
    out = workbench("--db", f"sqlite:///{notes}", "queue", "--limit", "1", cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert out.stderr.strip() == (
        "error: データベースに接続できません: 指定のファイルはデータベースではないか、壊れています"
    )
    assert notes.read_bytes() == b"meeting notes, not SQLite\n" * 300  # nothing written over it
