"""The `workbench` command assembled: the root options, every command and group, `main()`.

Tables for people; `--json` prints one JSON object per line for tools.  The
commands, options and JSON fields are a public contract (README): extend, never break.
Commands live one group per module; this module only names them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import typer
import typer.main

from workbench.cli import customers, db, demo, escalation, imports, operators, queue, scripts, stats
from workbench.cli import reasons as reason_commands
from workbench.cli import servers as server_commands
from workbench.cli import supervisor as supervisor_command
from workbench.cli.context import ConfigOption, Context, DbOption, UserError, context
from workbench.cli.kpi import kpi_
from workbench.cli.report import report_

app = typer.Typer(
    help="休眠顧客の掘り起こし workbench: win back dormant customers.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def callback(ctx: typer.Context, db: DbOption = None, config: ConfigOption = None) -> None:
    ctx.obj = Context(db, config)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        ui(ctx, operator=None)


def ui(
    ctx: typer.Context,
    operator: Annotated[str | None, typer.Option("--operator", help="Operator id.")] = None,
) -> None:
    """Open the operator terminal UI (seeds demo data into an empty database)."""
    from workbench.services.demo import ensure_demo_data
    from workbench.services.dispose_credit import CreditError, known_operator
    from workbench.tui.app import run_app

    c = context(ctx)
    ensure_demo_data(c.engine, c.settings, announce=lambda msg: typer.echo(msg, err=True))
    try:
        known_operator(c.engine, operator or c.settings.operator or None)
    except CreditError as exc:
        raise UserError(f"--operator: {exc}") from None
    run_app(c.engine, c.settings, operator or c.settings.operator or None)


def config_(ctx: typer.Context) -> None:
    """Show every configuration key, its environment variable, value and meaning."""
    from workbench.config import describe

    settings = context(ctx).settings
    for key, doc, _default in describe():
        value: Any = settings
        for part in key.split("."):
            value = getattr(value, part)
        env = "WORKBENCH_" + key.replace(".", "_").upper()
        typer.echo(f"{key} = {value!r}\n    {env}: {doc}")


COMMANDS: dict[str, Callable[..., None]] = {
    "ui": ui,
    "import": imports.import_,
    "queue": queue.queue_,
    "claim": queue.claim_,
    "dispose": queue.dispose_,
    "rescore": queue.rescore_,
    "config": config_,
    "demo": demo.demo,
    "supervisor": supervisor_command.supervisor,
    "report": report_,
    "kpi": kpi_,
}
GROUPS: dict[str, tuple[typer.Typer, str]] = {
    "db": (db.app, "Database schema commands."),
    "scripts": (
        scripts.app,
        "Talk scripts: check, list, render, history, diff, pin, retire, audit.",
    ),
    "stats": (
        stats.app,
        "Statistics: how well talk scripts and email templates win customers back.",
    ),
    "customers": (customers.app, "Customers and their lifecycle state (the attack list)."),
    "operators": (operators.app, "Operators: the ids claims and dispositions accept."),
    "reasons": (reason_commands.app, "Reasons fixed as of a day: fix, unfix, list."),
    "escalation": (escalation.app, "Email-then-call escalation: run, ingest, show, list."),
    "server": (server_commands.app, "The command server that starts commands fast: status, stop."),
}

app.callback(invoke_without_command=True)(callback)
for name, command in COMMANDS.items():
    app.command(name)(command)
for name, (group, summary) in GROUPS.items():
    app.add_typer(group, name=name, help=summary)


@functools.cache
def click_command() -> Any:
    """The click command typer builds from `app` (built once: the command server's children
    inherit it)."""
    return typer.main.get_command(app)


def main() -> None:
    """The console entry point: an error for people prints `error: …` and exits 2.

    click's usage errors too (a bad value, a missing or unknown option or command): the app
    runs with `standalone_mode=False`, so they come here instead of click's boxed panel.
    """
    from workbench.cli.usage import click_errors, usage_error_line

    errors = click_errors()
    try:
        status = click_command().main(prog_name="workbench", standalone_mode=False)
    except errors.NoArgsIsHelpError:
        raise SystemExit(2) from None  # the group's help is already printed, as before
    except errors.UsageError as exc:
        typer.echo(f"error: {usage_error_line(exc)}", err=True)
        raise SystemExit(2) from None
    except errors.ClickException as exc:
        typer.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        from workbench.messages import say

        typer.echo(f"error: {say('cmd.aborted')}", err=True)
        raise SystemExit(1) from None
    except Exception as exc:
        message = _for_people(exc)
        if message is None:
            raise
        typer.echo(f"error: {message}", err=True)
        raise SystemExit(2) from None
    # Without standalone mode click returns the status of `typer.Exit(n)` instead of exiting.
    if isinstance(status, int) and status:
        raise SystemExit(status)


def _for_people(exc: Exception) -> str | None:
    """The message of an error a person can act on; None for a bug (its traceback shows).

    The error types are imported here, on the way out, so start-up loads none of their modules.
    """
    from sqlalchemy.exc import DatabaseError, OperationalError

    from workbench.config import ConfigError
    from workbench.importing.csvfile import ImportFileError
    from workbench.messages import say
    from workbench.services.errors import ReadOnlyDatabase
    from workbench.services.freshness import LockTimeout
    from workbench.services.schema import SchemaError

    if isinstance(exc, UserError | ConfigError | ImportFileError | LockTimeout | SchemaError):
        return str(exc)
    if isinstance(exc, ReadOnlyDatabase):
        return str(exc)
    if isinstance(exc, DatabaseError):
        from workbench.messages.db_errors import db_problem, known_db_problem

        # An outage always; another database error only when known (a file that is no
        # database), since the rest are bugs whose traceback should show.
        if isinstance(exc, OperationalError):
            return say("cmd.db_unavailable", detail=db_problem(exc))
        known = known_db_problem(exc)
        return None if known is None else say("cmd.db_unavailable", detail=known)
    return None
