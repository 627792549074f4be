"""The same bad input gives a Japanese error by default and the English one with language = "en"
(WORKBENCH_LANGUAGE=en), through the real command: an import and a disposition."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]
AT = "2026-12-01T11:00+09:00"


def workbench(
    db: str, *args: str, cwd: Path, language: str | None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["WORKBENCH_SERVER"] = "off"
    if language is not None:
        env["WORKBENCH_LANGUAGE"] = language
    return subprocess.run(
        [*BASE, "--db", db, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def error_line(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    return lines[0]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'work.db'}"


@pytest.mark.parametrize(
    "language, says",
    [
        (None, "列 phone がありません（見出し行: customer_id, name, kind）"),
        ("ja", "列 phone がありません（見出し行: customer_id, name, kind）"),
        ("en", "missing column(s) phone; header is customer_id, name, kind"),
    ],
)
def test_an_import_file_error_names_file_and_line_in_the_language(
    language: str | None, says: str, db: str, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,name,kind\nC1,山田,b2c\n", encoding="utf-8")
    line = error_line(
        workbench(db, "import", "customers", str(path), cwd=tmp_path, language=language)
    )
    assert line == f"error: {path}:1: {says}"


@pytest.mark.parametrize(
    "language, reason",
    [
        (None, "必須の値が空です"),
        ("en", "required value is empty"),
    ],
)
def test_the_rejects_file_keeps_its_columns_and_speaks_the_language(
    language: str | None, reason: str, db: str, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,name,kind,phone\nC1,山田,b2c,03-1234-5678\nC2,,b2c,03-1234-5679\n",
        encoding="utf-8",
    )
    out = workbench(db, "import", "customers", str(path), cwd=tmp_path, language=language)
    assert out.returncode == 0, out.stderr
    with (tmp_path / "customers.rejects.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "line", "column", "reason", "row"]
    assert rows[1][:4] == [str(path), "3", "name", reason]


@pytest.mark.parametrize(
    "language, says",
    [
        (None, "error: CUSTOMER_ID: 顧客 ID 'NOPE' が見つかりません"),
        ("en", "error: CUSTOMER_ID: unknown customer 'NOPE'"),
    ],
)
def test_a_dispose_error_names_the_field_in_the_language(
    language: str | None, says: str, db: str, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,name,kind,phone\nC1,山田,b2c,03-1234-5678\n", encoding="utf-8")
    assert (
        workbench(db, "import", "customers", str(path), cwd=tmp_path, language=None).returncode == 0
    )
    out = workbench(
        db, "dispose", "NOPE", "--outcome", "no_answer", "--at", AT, cwd=tmp_path, language=language
    )
    assert error_line(out) == says
