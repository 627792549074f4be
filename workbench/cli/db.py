"""`workbench db …`: the database schema."""

from __future__ import annotations

import typer

from workbench.cli.context import context

app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Migrate the database schema to the current revision (backs up SQLite first)."""
    from workbench.services.schema import upgrade_database

    done = upgrade_database(context(ctx).db_url)
    if done.backup:
        typer.echo(f"backed up {done.database} to {done.backup}")
    typer.echo(f"schema at {done.head} (was {done.before or 'empty'})")
