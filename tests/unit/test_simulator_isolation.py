"""No product module may know the simulator or its hidden truth."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import workbench

ROOT = Path(workbench.__file__).resolve().parent
FORBIDDEN = re.compile(
    r"\b(scripts\.sim|simulate|from\s+sim\b|import\s+sim\b|truth\.json|hidden_truth)\b"
)


def test_no_product_source_mentions_the_simulator_or_its_truth() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(text):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{number}: {text.strip()}")
    assert offenders == []


IMPORT_ALL = """
import importlib, pkgutil, sys
import workbench
names = [m.name for m in pkgutil.walk_packages(workbench.__path__, prefix="workbench.")]
assert "workbench.services.queue" in names and "workbench.cli" in names
for name in names:
    importlib.import_module(name)
print("\\n".join(sorted(sys.modules)))
"""


def test_importing_every_product_module_loads_no_simulator_module() -> None:
    # A fresh interpreter: other tests in this session import the simulator on purpose.
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "workbench.services.dispose" in loaded
    assert [
        m for m in loaded if m == "sim" or m.startswith(("sim.", "scripts", "simulate", "benchlib"))
    ] == []
