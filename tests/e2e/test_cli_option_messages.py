"""The command line's own option errors speak the interface language: Japanese by default,
English with `language = "en"`; one `error:` line naming the option, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]


def workbench(tmp_path: Path, language: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update(WORKBENCH_DB=f"sqlite:///{tmp_path / 'wb.db'}", WORKBENCH_LANGUAGE=language,
               WORKBENCH_SERVER="off", WORKBENCH_KPI_CONTROL_SHARE="0")  # fmt: skip
    out = subprocess.run(
        [*BASE, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    [line] = out.stderr.strip().splitlines()
    assert line.startswith("error: "), line
    return line


CASES = [
    (("customers", "--at", "someday"), "error: --at: 'someday' は日時として読めません",
     "error: --at: 'someday' is not a date and time"),
    (("customers", "--limit", "-1"), "error: --limit: 0（すべて）以上", "error: --limit: must be 0 (all) or more, got -1"),
    (("customers", "--state", "asleep"), "error: --state: 'asleep' は使えません",
     "error: --state: 'asleep' is not one of active"),
    (("customers", "show", "NOPE"), "error: 顧客 ID 'NOPE' が見つかりません", "error: unknown customer 'NOPE'"),
    (("stats", "scripts", "--since", "last week"), "error: --since: 'last week' は日付として読めません",
     "error: --since: expected a date like 2026-11-25, got 'last week'"),
    (("escalation", "list", "--state", "asleep"), "error: --state: 'asleep' は使えません（使えるもの: waiting",
     "error: --state: 'asleep' is not one of waiting"),
    (("escalation", "show", "C9"), "error: 顧客 'C9' のエスカレーションはまだありません",
     "error: customer 'C9': no escalation cadence"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "ja", "en"), CASES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_option_errors_in_japanese_then_english(tmp_path: Path, args, ja, en) -> None:  # type: ignore[no-untyped-def]
    # A database with the schema (and demo data) for the commands that read it.
    subprocess.run([*BASE, "db", "upgrade"], cwd=tmp_path, capture_output=True, timeout=300,
                   env={**os.environ, "WORKBENCH_DB": f"sqlite:///{tmp_path / 'wb.db'}"})  # fmt: skip
    line = workbench(tmp_path, "ja", *args)
    assert line.startswith(ja), line
    en_line = workbench(tmp_path, "en", *args)
    assert en_line.startswith(en), en_line
    assert not any("\u3040" <= ch <= "\u9fff" for ch in en_line), en_line
