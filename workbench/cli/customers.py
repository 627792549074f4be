"""`workbench customers [show ID]`: the attack list and one customer's details."""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.cli.context import AtOption, JsonOption, UserError, context, emit_json, parse_at

app = typer.Typer(help="Customers and their lifecycle state (the attack list).")


@app.callback(invoke_without_command=True)
def customers_list(
    ctx: typer.Context,
    state: Annotated[
        str | None, typer.Option(help="active, at_risk, dormant, churned, prospect")
    ] = None,
    at: AtOption = None,
    limit: Annotated[
        int | None, typer.Option(help="At most this many rows (0 or not given: all)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List customers with lifecycle state and RFM, the most valuable first."""
    if ctx.invoked_subcommand is not None:
        return
    from workbench.services.customers import attack_list

    c = context(ctx)
    # A bad --db, configuration or --at is its own error, not a --state one; the settings
    # first, so that every message speaks their language.
    engine, settings = c.engine, c.settings
    if limit is not None and limit < 0:
        from workbench.messages import say

        raise UserError(say("cmd.limit_negative", value=limit))
    when = parse_at(settings, at)
    try:
        rows = attack_list(engine, settings, when, state, limit)
    except ValueError:
        from workbench.domain.lifecycle import LifecycleState
        from workbench.messages import say

        allowed = ", ".join(LifecycleState)
        raise UserError(say("cmd.bad_state", value=repr(state), allowed=allowed)) from None
    if as_json:
        for row in rows:
            emit_json(row.as_json())
        return
    from workbench.cli.format import customers_table

    customers_table(rows, settings.language)


@app.command("show")
def customers_show(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer's external id")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """One customer's details, purchases and contact history."""
    from workbench.services.customers import UnknownCustomer, show_customer

    c = context(ctx)
    try:
        detail = show_customer(c.engine, c.settings, customer_id, parse_at(c.settings, at))
    except UnknownCustomer:
        from workbench.messages import say

        raise UserError(say("cmd.unknown_customer", customer=repr(customer_id))) from None
    if as_json:
        emit_json(detail.as_json())  # times in the customer's zone, with the offset
        return
    from workbench.cli.format import customer_detail

    customer_detail(detail, c.settings.language, c.settings.category_labels())
