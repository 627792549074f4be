"""`workbench stats scripts|emails`: how well each talk script and email template wins customers back."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.cli.context import JsonOption, UserError, context, emit_json
from workbench.cli.labels import interval, labels, pct, yen

if TYPE_CHECKING:
    from workbench.talk.stats import StatsRow

app = typer.Typer(
    help="Statistics: how well talk scripts and email templates win customers back.",
    no_args_is_help=True,
)


class By(StrEnum):
    SCRIPT = "script"
    REASON = "reason"
    KIND = "kind"
    OPERATOR = "operator"


def stats_json(row: StatsRow) -> dict[str, Any]:
    return {
        "script_id": row.script_id, "version": row.version, "reason": row.reason, "kind": row.kind,
        "operator": row.operator, "attempts": row.attempts, "contacts": row.contacts,
        "reactivations": row.reactivations, "rate": row.rate, "wilson_low": row.wilson_low,
        "wilson_high": row.wilson_high, "p_best": row.p_best, "revenue": int(row.revenue),
        "not_enough_data": row.not_enough_data,
    }  # fmt: skip


@app.command("scripts")
def stats_scripts(
    ctx: typer.Context,
    by: Annotated[
        By, typer.Option("--by", help="Break the script rows down by reason, kind or operator.")
    ] = By.SCRIPT,
    since: Annotated[
        str | None, typer.Option("--since", help="Only attempts from this date on (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Attempts, contacts, reactivation rate (Wilson 95%), P(best) per reason and revenue per script version."""
    from zoneinfo import ZoneInfo

    from workbench.domain.values import parse_date
    from workbench.services.script_stats import script_stats

    c = context(ctx)
    try:
        start: date | None = None if since is None else parse_date(since)
    except ValueError as exc:
        raise UserError(f"--since: {exc}") from None
    rows = script_stats(c.engine, by.value, start, zone=ZoneInfo(c.settings.timezone))
    if as_json:
        for row in rows:
            emit_json(stats_json(row))
        return
    _stats_table(rows, by, labels(c.settings.language))


def _stats_table(rows: list[StatsRow], by: By, t: dict[str, str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not rows:
        console.print(t["none"])
        return
    extra = [by.value] if by in (By.KIND, By.OPERATOR) else []
    table = Table(show_lines=False)
    for key in ["script", "version", "reason", *extra]:
        table.add_column(t[key])
    for key in ("attempts", "contacts", "reactivations", "rate", "interval", "p_best", "revenue"):
        table.add_column(t[key], justify="right")
    table.add_column(t["note"])
    for row in rows:
        keys = [row.script_id, row.version, row.reason, *(getattr(row, k) for k in extra)]
        table.add_row(
            *("-" if value is None else str(value) for value in keys),
            str(row.attempts), str(row.contacts), str(row.reactivations), pct(row.rate),
            interval(row.wilson_low, row.wilson_high), pct(row.p_best), yen(row.revenue),
            t["thin"] if row.not_enough_data else "",
        )  # fmt: skip
    console.print(table)


@app.command("emails")
def stats_emails(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Only emails sent from this date on (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sent, opened, clicked, replied, response rate (Wilson 95%), P(best) in its variant group,
    and win-backs after it (last touch within 30 days) per email template version."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from workbench.domain.values import parse_date
    from workbench.services.email_stats import email_stats

    c = context(ctx)
    try:
        start = None if since is None else parse_date(since)
    except ValueError as exc:
        raise UserError(f"--since: {exc}") from None
    zone = ZoneInfo(c.settings.timezone)
    rows = email_stats(c.engine, None if start is None else datetime.combine(start, time(), zone))
    if as_json:
        for row in rows:
            emit_json(row.as_json())
        return
    from rich.console import Console
    from rich.table import Table

    t = labels(c.settings.language)
    console = Console()
    if not rows:
        console.print(t["none"])
        return
    table = Table(show_lines=False)
    table.add_column(t["template"])
    table.add_column(t["version"])
    for key in ("sent", "opened", "clicked", "replied", "reactivations", "response_rate",
                "interval", "p_best", "revenue"):  # fmt: skip
        table.add_column(t[key], justify="right")
    table.add_column(t["note"])
    for row in rows:
        table.add_row(
            row.template_id, row.version, str(row.sent), str(row.opened), str(row.clicked),
            str(row.replied), str(row.reactivations), pct(row.rate),
            interval(row.wilson_low, row.wilson_high), pct(row.p_best), yen(row.revenue),
            t["thin"] if row.not_enough_data else "",
        )  # fmt: skip
    console.print(table)
