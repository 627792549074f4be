"""`workbench stats scripts|emails`: how well each talk script and email template wins customers back."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.cli.context import JsonOption, UserError, context, emit_json
from workbench.cli.labels import labels, pct

if TYPE_CHECKING:
    from workbench.services.email_stats import EmailStatsRow
    from workbench.talk.stats import ScriptGroup, StatsRow

app = typer.Typer(
    help="Statistics: how well talk scripts and email templates win customers back.",
    no_args_is_help=True,
)

# The documented `--by` values (the service's BREAKDOWNS, kept here so `--help` imports nothing).
BY_VALUES = ("reason", "kind", "operator")


def stats_json(row: StatsRow, level: str = "breakdown") -> dict[str, Any]:
    """One row of `stats scripts --json`; `level` tells a script's total from its breakdown."""
    return {
        "level": level,
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
        str,
        typer.Option(
            "--by",
            metavar="[reason|kind|operator]",
            help="What each script's total is broken down by: reason (the default), kind or operator.",
        ),
    ] = "reason",
    since: Annotated[
        str | None, typer.Option("--since", help="Only attempts from this date on (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Per script version: a total (attempts, contacts, reactivations, rate with Wilson 95%,
    P(best) among the scripts, revenue) with its breakdown by reason, kind or operator under it."""
    from zoneinfo import ZoneInfo

    from workbench.domain.values import parse_date
    from workbench.services.script_stats import script_report

    c = context(ctx)
    t = labels(c.settings.language)
    if by not in BY_VALUES:
        raise UserError(t["by_invalid"].format(value=by, allowed=", ".join(BY_VALUES)))
    try:
        start: date | None = None if since is None else parse_date(since)
    except ValueError:
        from workbench.messages import say

        raise UserError(say("cmd.bad_date", option="--since", value=repr(since))) from None
    groups = script_report(c.engine, by, start, zone=ZoneInfo(c.settings.timezone))
    if as_json:
        for group in groups:
            emit_json(stats_json(group.total, "total"))
            for row in group.breakdown:
                emit_json(stats_json(row))
        return
    _scripts_table(groups, by, t, c.settings.language)


def _p_best(p: float | None, thin: bool, t: dict[str, str]) -> str:
    """P(best) as a whole percent; "not enough data" below ~30 conversations instead of a rank."""
    if thin:
        return t["thin"]
    return "-" if p is None else f"{p:.0%}"


def _scripts_table(groups: list[ScriptGroup], by: str, t: dict[str, str], language: str) -> None:
    from workbench.cli.format import FitColumn, fitted_table, table_console, table_fits

    console = table_console()
    if not groups:
        console.print(t["none"])
        return
    rows: list[tuple[StatsRow, bool]] = []
    ends: set[int] = set()
    for group in groups:
        rows.append((group.total, True))
        rows.extend((row, False) for row in group.breakdown)
        ends.add(len(rows) - 1)
    extra = [] if by == "reason" else [by]
    name = [(row.script_id or "-") if total else "  " + (row.reason or "-") for row, total in rows]
    versions = ["" if not total else _short(row.version) for row, total in rows]
    rest = [
        *(
            FitColumn(t[key], ["" if total else (getattr(row, key) or "-") for row, total in rows], min_width=4)
            for key in extra
        ),
        *_figure_columns([row for row, _ in rows], t, language, "attempts_short"),
    ]  # fmt: skip
    columns = [
        FitColumn(t["script_reason"], name, min_width=12),
        FitColumn(t["version_short"], versions),
        *rest,
    ]
    if not table_fits(columns, console.width):
        # Short of room: a total's version goes under its script id.
        merged = [
            f"{n}\n{v}" if v not in ("", "-") else n for n, v in zip(name, versions, strict=True)
        ]
        columns = [FitColumn(t["script_reason"], merged, min_width=12), *rest]
    styles = ["bold" if total else "" for _, total in rows]
    console.print(fitted_table(columns, console.width, row_styles=styles, sections_after=ends))


def _short(version: str | None) -> str:
    """A version hash abbreviated as git does (7 characters); "-" for imported history."""
    return "-" if not version else version[:7]


def _figure_columns(
    rows: list[StatsRow], t: dict[str, str], language: str, first: str
) -> list[Any]:
    from workbench.cli.format import FitColumn, compact_count, compact_yen, pct_range

    def column(key: str, cells: list[str], min_width: int | None = None) -> FitColumn:
        return FitColumn(t[key], cells, right=True, min_width=min_width)

    return [
        column(first, [compact_count(r.attempts, language) for r in rows]),
        column("contacts_short", [compact_count(r.contacts, language) for r in rows]),
        column("reactivations_short", [compact_count(r.reactivations, language) for r in rows]),
        column("rate", [pct(r.rate) for r in rows]),
        column("interval", ["-" if r.rate is None else pct_range(r.wilson_low, r.wilson_high) for r in rows]),
        # English "not enough data" may wrap to two lines; Japanese データ不足 is 10 cells.
        column("p_best", [_p_best(r.p_best, r.not_enough_data, t) for r in rows], min_width=10),
        column("revenue", [compact_yen(r.revenue, language) for r in rows]),
    ]  # fmt: skip


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
    except ValueError:
        from workbench.messages import say

        raise UserError(say("cmd.bad_date", option="--since", value=repr(since))) from None
    zone = ZoneInfo(c.settings.timezone)
    rows = email_stats(c.engine, None if start is None else datetime.combine(start, time(), zone))
    if as_json:
        for row in rows:
            emit_json(row.as_json())
        return
    _emails_table(rows, labels(c.settings.language), c.settings.language)


def _emails_table(rows: list[EmailStatsRow], t: dict[str, str], language: str) -> None:
    from rich.cells import cell_len

    from workbench.cli.format import (
        FitColumn,
        compact_count,
        compact_yen,
        fitted_table,
        pct_range,
        table_console,
        table_fits,
    )

    console = table_console()
    if not rows:
        console.print(t["none"])
        return

    def column(key: str, cells: list[str], min_width: int | None = None) -> FitColumn:
        return FitColumn(t[key], cells, right=True, min_width=min_width)

    def count(key: str) -> list[str]:
        return [compact_count(getattr(r, key), language) for r in rows]

    figures = [
        column("sent", count("sent")), column("opened_short", count("opened")),
        column("clicked_short", count("clicked")), column("replied_short", count("replied")),
        column("reactivations_short", count("reactivations")),
        column("response_short", [pct(r.rate) for r in rows]),
        column("interval", ["-" if r.rate is None else pct_range(r.wilson_low, r.wilson_high) for r in rows]),
        column("p_best", [_p_best(r.p_best, r.not_enough_data, t) for r in rows], min_width=10),
        column("revenue", [compact_yen(r.revenue, language) for r in rows]),
    ]  # fmt: skip
    # Never narrower than its header: テンプレート is 12 cells and cannot break.
    least = max(10, cell_len(t["template"]))
    columns = [
        FitColumn(t["template"], [r.template_id for r in rows], min_width=least),
        FitColumn(t["version_short"], [_short(r.version) for r in rows]),
        *figures,
    ]
    if not table_fits(columns, console.width):
        # Short of room (80 columns): the version goes under the template id.
        header = f"{t['template']} / {t['version_short']}"
        names = [f"{r.template_id}\n{_short(r.version)}" for r in rows]
        columns = [FitColumn(header, names, min_width=least), *figures]
    console.print(fitted_table(columns, console.width))
