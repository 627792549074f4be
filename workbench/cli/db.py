"""`workbench db …`: the database schema."""

from __future__ import annotations

import typer

from workbench.cli.context import context

app = typer.Typer(help="Database schema commands.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Migrate the database schema to the current revision (backs up SQLite first).

    The only command that changes an existing schema: every other command refuses a
    database at an older revision and says to run this one.
    """
    from workbench.services.schema import upgrade_database

    done = upgrade_database(context(ctx).db_url)
    if done.backup:
        typer.echo(f"バックアップ / backed up: {done.database} → {done.backup}")
    if done.before == done.head:
        typer.echo(f"スキーマは最新です / the schema is already at {done.head}")
    elif done.before is None:
        typer.echo(f"スキーマを作成しました / created the schema at {done.head}")
    else:
        typer.echo(
            f"スキーマを {done.before} から {done.head} に更新しました / "
            f"upgraded the schema from {done.before} to {done.head}"
        )
