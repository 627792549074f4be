"""One tiny end-to-end run of scripts/simulate.py: every strategy dials, nothing breaks the rules."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_simulation_runs_and_records(tmp_path: Path) -> None:
    record = tmp_path / "bench.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "simulate.py"), "--worlds", "households", "--seeds", "1",
         "--customers", "60", "--days", "1", "--dials-per-hour", "2", "--operators", "1", "--jobs", "1",
         "--strategies", "workbench,random,informed,oracle", "--record", str(record)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    runs = [line for line in done.stdout.splitlines() if line.startswith("households")]
    assert len(runs) == 4
    for line in runs:
        assert re.search(r"dials +22 ", line), line
        assert "violations 0" in line and "rejected 0" in line
    text = record.read_text(encoding="utf-8")
    assert "## Honest simulation" in text and "| households | oracle | 1 |" in text
    assert "| households | informed | 1 |" in text


def test_a_wrong_option_is_an_error_without_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "simulate.py"), "--worlds", "moon"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert "unknown world 'moon'" in done.stderr and "Traceback" not in done.stderr
