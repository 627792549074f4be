"""The `workbench` command line (entry point `workbench.cli:main`).

`context` is the bottom every command module imports; one module per command group
(`imports`, `customers`, `queue`, `scripts`, `stats`, `db`, `demo`); `root` assembles
them.  This file imports none of them until asked, so no module of the package
imports back into the one importing it.  `main` first offers the command to the
warm command server (`served`, `server`), and runs it here when none takes it.
"""

from __future__ import annotations

from typing import Any


def main() -> None:
    import sys

    from workbench.cli.served import try_server

    status = try_server(sys.argv[1:])
    if status is not None:
        raise SystemExit(status)
    from workbench.cli.root import main as run

    run()


def __getattr__(name: str) -> Any:
    if name == "app":
        from workbench.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
