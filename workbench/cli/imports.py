"""`workbench import customers|transactions|contacts FILE`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from workbench.cli.context import JsonOption, UserError, context, emit_json

if TYPE_CHECKING:
    from workbench.services.importer import ImportKind

KINDS = ("customers", "transactions", "contacts")


def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="customers, transactions or contacts")],
    file: Annotated[Path, typer.Argument(help="CSV file (UTF-8 or Shift_JIS)")],
    encoding: Annotated[
        str | None, typer.Option(help="utf-8, utf-8-sig, cp932 (default: detect)")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Column-mapping TOML for other exports")
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Where rejected rows go (default FILE.rejects.csv)")
    ] = None,
    as_json: JsonOption = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr")
    ] = True,
) -> None:
    """Import a CSV file; re-importing the same file changes nothing."""
    from workbench.messages import say
    from workbench.services.importer import import_file

    c = context(ctx)
    c.settings  # noqa: B018  (loading them sets the language of the errors below)
    if kind not in KINDS:
        raise UserError(say("import.unknown_kind", kind=repr(kind)))
    if rejects is not None and rejects.is_dir():
        raise UserError(say("import.rejects_directory", path=rejects))
    checked = cast("ImportKind", kind)  # one of KINDS, checked above
    with ProgressBar(progress and sys.stderr.isatty() and not as_json, file) as bar:
        summary = import_file(
            c.engine, checked, file, c.settings, encoding, mapping, rejects, progress=bar
        )
    if as_json:
        emit_json(summary.__dict__)
        return
    typer.echo(
        f"{summary.kind}: {summary.rows} rows ({summary.encoding}) → {summary.inserted} new, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.rejected} rejected "
        f"in {summary.seconds:.1f}s"
    )
    if summary.rejected:
        by_column = ", ".join(f"{k}: {v}" for k, v in sorted(summary.reject_columns.items()))
        typer.echo(f"rejected rows ({by_column}) written to {summary.rejects_path}")


class ProgressBar:
    """A rich progress bar over bytes read, or nothing when output is not a terminal."""

    def __init__(self, enabled: bool, path: Path) -> None:
        self.enabled = enabled
        self.path = path

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._progress = Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            transient=True, console=Console(stderr=True),
        )  # fmt: skip
        self._progress.start()
        task = self._progress.add_task(self.path.name, total=None)
        return lambda done, total: self._progress.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._progress.stop()
