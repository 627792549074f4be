"""`workbench queue`, `claim`, `dispose` and `rescore`: the calling loop from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workbench.cli.context import (
    AtOption,
    Context,
    JsonOption,
    OperatorOption,
    UserError,
    context,
    emit_json,
    parse_at,
)
from workbench.cli.labels import labels

if TYPE_CHECKING:
    from workbench.services.dispose import DispositionResult


def queue_(
    ctx: typer.Context,
    at: AtOption = None,
    operator: OperatorOption = None,
    limit: Annotated[int, typer.Option(help="How many entries")] = 20,
    explain_: Annotated[
        bool, typer.Option("--explain", help="Count what each calling rule holds back")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The call queue at an instant, best first, without claiming anything."""
    from workbench.services.call_queue import explain_at, queue_at

    c = context(ctx)
    if limit < 0:
        raise UserError(f"--limit: {_say(c, 'cli.limit_negative', limit=limit)}")
    when = parse_at(c.settings, at)
    if explain_:
        result = explain_at(c.engine, c.settings, when, operator)
        if as_json:
            emit_json(result.as_json())
            return
        from workbench.cli.format import explanation

        explanation(result, c.settings.language)
        return
    entries = queue_at(c.engine, c.settings, when, operator, limit)
    if as_json:
        for entry in entries:
            emit_json(entry.as_json())
        return
    from workbench.cli.format import queue_table

    queue_table(entries, c.settings.language)


def claim_(
    ctx: typer.Context,
    operator: Annotated[str, typer.Option("--operator", help="Operator id")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lease the next customer to an operator and print it (the queue's JSON shape)."""
    from workbench.services.call_queue import claim_next
    from workbench.services.dispose_credit import CreditError

    c = context(ctx)
    try:
        entry = claim_next(c.engine, c.settings, operator, parse_at(c.settings, at))
    except CreditError as exc:
        raise UserError(f"--operator: {exc}") from None
    if entry is None:
        raise UserError(labels(c.settings.language)["t.nothing"])
    if as_json:
        emit_json(entry.as_json())
        return
    from workbench.cli.format import queue_table

    queue_table([entry], c.settings.language)


def dispose_(
    ctx: typer.Context,
    customer_id: Annotated[str | None, typer.Argument(help="The customer's external id")] = None,
    outcome: Annotated[str | None, typer.Option(help="Outcome code")] = None,
    at: AtOption = None,
    operator: OperatorOption = None,
    script: Annotated[str | None, typer.Option(help="Talk-script id used")] = None,
    reason: Annotated[str | None, typer.Option(help="Dormancy reason heard")] = None,
    amount: Annotated[
        str | None,
        typer.Option(
            help="Order amount in whole yen (reactivated): 12800, 12,800, ¥12,800, 12800円"
        ),
    ] = None,
    callback_at: Annotated[
        str | None, typer.Option("--callback-at", help="Promised callback time, ISO 8601")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What the customer said")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Batch of dispositions (contacts CSV)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record how a call ended: history, do-not-call, callbacks, answer model, script statistics."""
    from workbench.services.dispose import Disposition, DispositionError, dispose
    from workbench.services.dispose_file import DisposeFileError, dispose_file

    c = context(ctx)
    try:
        if file is not None:
            if customer_id or outcome:
                raise UserError(_say(c, "cli.dispose_both"))
            results = dispose_file(c.engine, c.settings, file)
        else:
            if not customer_id or not outcome:
                raise UserError(_say(c, "cli.dispose_needs"))
            disposition = Disposition(
                customer_id=customer_id, outcome=outcome, at=parse_at(c.settings, at), operator=operator,
                script=script, reason=reason, amount=_yen(c, amount),
                callback_at=parse_at(c.settings, callback_at, "--callback-at") if callback_at else None,
                note=note, source="cli",
            )  # fmt: skip
            results = [dispose(c.engine, c.settings, disposition)]
    except DisposeFileError as exc:
        raise UserError(str(exc)) from None
    except DispositionError as exc:
        # The service names its input (`callback_at`); on the command line that is an option.
        option = OPTION_OF.get(exc.field, exc.field)
        raise UserError(f"{option}: {exc.text}") from None
    _report(results, as_json, labels(c.settings.language))


# Disposition fields as the options (or argument) `workbench dispose` takes them.
OPTION_OF = {
    "customer_id": "CUSTOMER_ID", "outcome": "--outcome", "at": "--at", "operator": "--operator",
    "script": "--script", "reason": "--reason", "amount": "--amount",
    "callback_at": "--callback-at", "note": "--note",
}  # fmt: skip


def _say(c: Context, key: str, **values: object) -> str:
    """`workbench.messages.say` once the settings have set the interface language."""
    from workbench.messages import say

    c.settings  # noqa: B018  (loading them sets the language)
    return say(key, **values)


def _yen(c: Context, amount: str | None) -> int | None:
    """`--amount` in the yen formats an import accepts (the importer's own parser)."""
    if amount is None:
        return None
    from workbench.domain.values import parse_yen

    try:
        return parse_yen(amount)
    except ValueError:
        raise UserError(f"--amount: {_say(c, 'value.yen', value=repr(amount))}") from None


def _report(results: list[DispositionResult], as_json: bool, t: dict[str, str]) -> None:
    for result in results:
        if as_json:
            emit_json({"attempt_id": result.attempt_id, "customer_id": result.customer_id,
                       "outcome": result.outcome, "warnings": result.warnings})  # fmt: skip
        for warning in result.warnings:
            typer.echo(f"{t['c.warning']}: {result.customer_id}: {warning}", err=True)
    if not as_json:
        typer.echo(t["c.recorded"].format(n=len(results)))


def rescore_(ctx: typer.Context, at: AtOption = None) -> None:
    """Refit the models and rescore every customer now (after any run in progress); the
    scores count as fresh, so the next queue or claim does not rescore.  Without --at,
    WORKBENCH_NOW (the operator UI's fixed clock) is the instant when set."""
    from workbench.config import now_from_env
    from workbench.services.freshness import rescore_now

    c = context(ctx)
    when = (
        parse_at(c.settings, at)
        if at is not None
        else now_from_env(c.settings) or parse_at(c.settings, None)
    )
    summary = rescore_now(c.engine, c.settings, when)
    typer.echo(
        labels(c.settings.language)["c.scored"].format(
            n=summary.customers, seconds=summary.seconds, states=summary.states
        )
    )
    typer.echo(f"MBG/NBD: {summary.alive_model}")
