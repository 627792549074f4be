"""The command-line package's shape: no import circles, a lazy start, talk/ without a face.

`workbench.cli.context` is the bottom every command module imports; `root` assembles
the app; no module imports, at module level, a sibling that imports it back.  Each
module is imported alone in a fresh interpreter, so an order that only works when
another module happened to load first shows up here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import workbench

PACKAGE = Path(workbench.__file__).resolve().parent
CLI = PACKAGE / "cli"
CLI_MODULES = sorted(
    "workbench.cli" if path.name == "__init__.py" else f"workbench.cli.{path.stem}"
    for path in CLI.glob("*.py")
)
TALK_MODULES = sorted(
    f"workbench.talk.{path.stem}"
    for path in (PACKAGE / "talk").glob("*.py")
    if path.stem != "__init__"
)
# What `workbench --help` must not pay for: engines, numerics, the TUI, templates.
HEAVY = ("sqlalchemy", "numpy", "scipy", "textual", "jinja2", "alembic")
# The tables module is loaded by a command after its data is read, never at start-up.
LOADED_BY_COMMANDS = {"workbench.cli.format"}


def module_level_imports(path: Path) -> set[str]:
    """Modules a file imports when it is imported (not inside functions or TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from workbench.cli import queue` imports the submodule workbench.cli.queue.
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def all_imports(path: Path) -> set[str]:
    """Every module a file names in an import statement, wherever the statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def source(module: str) -> Path:
    parts = module.split(".")[1:]
    path = PACKAGE.joinpath(*parts)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_the_package_has_the_expected_modules() -> None:
    assert not (PACKAGE / "cli.py").exists() and not (PACKAGE / "talk" / "cli.py").exists()
    expected = {
        "context",
        "root",
        "imports",
        "customers",
        "queue",
        "scripts",
        "stats",
        "db",
        "demo",
    }
    assert {f"workbench.cli.{name}" for name in expected} <= set(CLI_MODULES)


def test_no_import_circle_in_the_cli_package() -> None:
    graph = {
        m: {i for i in module_level_imports(source(m)) if i in CLI_MODULES and i != m}
        for m in CLI_MODULES
    }
    # The package itself imports no module of its own at import time.
    assert graph["workbench.cli"] == set()
    # The bottom imports no command module.
    assert graph["workbench.cli.context"] == set()
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        assert module not in visiting, "import circle: " + " → ".join([*visiting, module])
        if module in done:
            return
        visiting.append(module)
        for target in sorted(graph[module]):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in CLI_MODULES:
        visit(module)


@pytest.mark.parametrize("module", CLI_MODULES)
def test_each_cli_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    probe = f"import sys, {module}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    if module not in LOADED_BY_COMMANDS:
        assert done.stdout.split() == [], f"{module} loads {done.stdout.strip()} at import time"


def test_the_entry_point_and_the_app_are_importable() -> None:
    probe = "from workbench.cli import app, main\nimport typer\nassert callable(main) and isinstance(app, typer.Typer)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_every_documented_command_is_registered_once() -> None:
    from workbench.cli.root import app

    commands = [c.name for c in app.registered_commands]
    groups = {
        g.name: [c.name for c in g.typer_instance.registered_commands]
        for g in app.registered_groups
    }
    assert sorted(commands) == sorted(
        [
            "ui",
            "import",
            "queue",
            "claim",
            "dispose",
            "rescore",
            "config",
            "demo",
            "report",
            "kpi",
            "supervisor",
        ]
    )
    assert groups == {
        "db": ["upgrade"],
        "scripts": [
            "check",
            "list",
            "render",
            "history",
            "diff",
            "pin",
            "unpin",
            "retire",
            "unretire",
            "audit",
        ],
        "stats": ["scripts", "emails"],
        "customers": ["show"],
        "operators": ["add", "retire"],
        "reasons": ["fix", "unfix", "list"],
        "escalation": ["run", "ingest", "show", "list"],
        "server": ["status", "stop"],
    }


@pytest.mark.parametrize("module", TALK_MODULES)
def test_talk_modules_know_nothing_of_the_command_line(module: str) -> None:
    named = {name for name in all_imports(source(module)) if name.startswith("workbench.")}
    assert not {
        name for name in named if name == "workbench.cli" or name.startswith("workbench.cli.")
    }
    assert "typer" not in all_imports(source(module))


def test_importing_every_talk_module_loads_no_cli_module() -> None:
    probe = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in TALK_MODULES)
        + (
            "print(' '.join(m for m in sys.modules if m == 'workbench.cli' or m.startswith('workbench.cli.')))"
        )
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
