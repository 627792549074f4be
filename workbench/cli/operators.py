"""`workbench operators [add|retire]`: the operator ids claims and dispositions accept, and
their roles (a supervisor or team lead also gets the supervisor screen in `workbench ui`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from workbench.cli.context import JsonOption, UserError, context, emit_json

app = typer.Typer(help="Operators: the ids claims and dispositions accept.")
SAID = {
    "ja": {"added": "登録しました", "updated": "更新しました", "retired": "退任にしました",
           "retired_mark": "退任"},
    "en": {"added": "added", "updated": "updated", "retired": "retired", "retired_mark": "retired"},
}  # fmt: skip


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    TEAM_LEAD = "team_lead"


def _said(ctx: typer.Context) -> dict[str, str]:
    return SAID["en" if context(ctx).settings.language == "en" else "ja"]


@app.callback(invoke_without_command=True)
def operators_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every registered operator (code, name, language, role, active)."""
    if ctx.invoked_subcommand is not None:
        return
    from workbench.services.operators import all_operators

    rows = all_operators(context(ctx).engine)
    if as_json:
        for row in rows:
            emit_json(row.as_json())
        return
    said = _said(ctx)
    for row in rows:
        mark = "" if row.active else f"\t{said['retired_mark']}"
        typer.echo(f"{row.code}\t{row.name}\t{row.language}\t{row.role}{mark}")


@app.command("add")
def operators_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The operator id (e.g. sato)")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the id)")] = None,
    language: Annotated[str, typer.Option(help="ja or en")] = "ja",
    role: Annotated[
        Role | None,
        typer.Option(help="operator, supervisor or team_lead (default: operator; kept on update)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register an operator (or update and reactivate one)."""
    from workbench.services.operators import register_operator

    c = context(ctx)
    try:
        row, added = register_operator(c.engine, code, name, language, role.value if role else None)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        emit_json({**row.as_json(), "added": added})
        return
    typer.echo(f"{_said(ctx)['added' if added else 'updated']}: {row.code} {row.name}")


@app.command("retire")
def operators_retire(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The operator id")],
) -> None:
    """Mark an operator inactive (the history keeps the id; claims and dispositions refuse it)."""
    from workbench.services.operators import retire_operator

    try:
        row = retire_operator(context(ctx).engine, code)
    except LookupError as exc:
        raise UserError(str(exc)) from None
    typer.echo(f"{_said(ctx)['retired']}: {row.code}")
