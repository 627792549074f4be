"""`workbench supervisor`: the supervisor's terminal screen (scripts, reasons, funnel, trends)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from workbench.cli.context import UserError, context


def supervisor(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Figures from this date on (YYYY-MM-DD; default: 26 weeks)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="変更を記録する担当者 ID / who the screen's changes are recorded for"
        ),
    ] = None,
) -> None:
    """Open the supervisor screen: script table, reasons heard, funnel and heatmap, trends;
    mark reasons fixed, pin and retire scripts (with --by or the configured operator)."""
    from workbench.domain.values import parse_date
    from workbench.tui.supervisor_app import run_supervisor

    c = context(ctx)
    try:
        start: date | None = None if since is None else parse_date(since)
    except ValueError:
        from workbench.messages import say

        raise UserError(say("cmd.bad_date", option="--since", value=repr(since))) from None
    run_supervisor(c.engine, c.settings, start, by)
