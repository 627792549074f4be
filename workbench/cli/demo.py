"""`workbench demo`: generate the demo data set and import it."""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.cli.context import UserError, context
from workbench.messages import say


def demo(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option(help="How many demo customers")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    today: Annotated[
        str | None, typer.Option(help="Last day of the generated history (default: today)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Add demo customers to a database that holds customers")
    ] = False,
) -> None:
    """Generate the demo data set and import it (into an empty database; --force to add to one that is not)."""
    from datetime import date

    from workbench.services.demo import DemoRefused, load_demo

    c = context(ctx)
    try:
        end = date.fromisoformat(today) if today else None
    except ValueError:
        raise UserError(say("cmd.bad_date", option="--today", value=repr(today))) from None
    try:
        load_demo(
            c.engine, c.settings, customers, seed, announce=_to_stderr, today=end, force=force
        )
    except DemoRefused as exc:
        raise UserError(say("cmd.demo_refused", held=exc.held)) from None


def _to_stderr(message: str) -> None:
    typer.echo(message, err=True)
