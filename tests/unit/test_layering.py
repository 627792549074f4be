"""The domain and the services load without the terminal UI (or, for the domain, any database).

import-linter's contracts in pyproject.toml check the static imports; this checks what
actually ends up loaded, lazy imports included, in a fresh interpreter.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import workbench.domain
import workbench.services

PROBE = """
import importlib, json, sys
for name in {names!r}:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "sqlalchemy", "sqlmodel", "workbench"))))
"""


def _modules(package: object) -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + "."))  # type: ignore[attr-defined]


def _loaded(names: list[str]) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(names=names)],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout))


def test_the_domain_loads_no_ui_no_database_and_nothing_above_it() -> None:
    names = _modules(workbench.domain)
    assert "workbench.domain.calling_rules" in names and len(names) > 10
    loaded = _loaded(names)
    assert not {m for m in loaded if m.split(".")[0] in ("textual", "sqlalchemy", "sqlmodel")}
    above = {
        m
        for m in loaded
        if m.startswith(("workbench.store", "workbench.services", "workbench.tui", "workbench.cli"))
    }
    assert not above


def test_the_services_load_without_the_terminal_ui() -> None:
    names = _modules(workbench.services)
    assert "workbench.services.queue" in names
    loaded = _loaded(names)
    assert "sqlalchemy" in loaded  # the probe does load the modules it names
    assert not {
        m
        for m in loaded
        if m.split(".")[0] == "textual" or m.startswith(("workbench.tui", "workbench.cli"))
    }
