"""`workbench kpi`: the campaign against the control group, with the uplift and its 95 % interval."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.cli.context import JsonOption, UserError, context, emit_json
from workbench.cli.report import option_date

if TYPE_CHECKING:
    from workbench.services.kpi import KpiReport, KpiRow

# The documented `--by` values (the service's BREAKDOWNS, kept here so `--help` imports nothing).
BY_VALUES = ("kind", "segment", "reason", "script")


def kpi_json(report: KpiReport, row: KpiRow) -> dict[str, Any]:
    """One line of `kpi --json`: the period, then the row's fields (README, JSON fields)."""
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "control_contacted": report.control_contacted,
        **asdict(row),
    }


def kpi_(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option("--since", help="First day of the period (YYYY-MM-DD; default 89 days before --until)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last day of the period, inclusive (YYYY-MM-DD; default today)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="[kind|segment|reason|script]",
                     help="Also break every KPI down by kind, segment, reason or script."),
    ] = None,
    as_json: JsonOption = False,
) -> None:  # fmt: skip
    """Reactivation rate, re-purchase within N days, order-value recovery, LTV change, revenue
    per customer and ROI of the customers lapsed at the period's start: campaign against the
    control group, with the uplift, its 95% interval and the relative lift."""
    from workbench.config import now_from_env
    from workbench.report.labels import words
    from workbench.services.kpi import default_period, kpi_report, library_serves

    c = context(ctx)
    w = words(c.settings.language)
    if by is not None and by not in BY_VALUES:
        raise UserError(w["by_invalid"].format(value=by, allowed=", ".join(BY_VALUES)))
    start, end = option_date(since, "--since"), option_date(until, "--until")
    now = now_from_env(c.settings)
    last = end if end is not None else default_period(c.settings, now)[1]
    if start is not None and last < start:
        raise UserError(w["bad_period"].format(since=start, until=last))
    serves = library_serves(c.settings) if by == "script" else None
    report = kpi_report(c.engine, c.settings, start, end, by, now=now, serves=serves)
    if as_json:
        for row in report.rows:
            emit_json(kpi_json(report, row))
        return
    _table(report, by, c.settings.language)


def _table(report: KpiReport, by: str | None, language: str) -> None:
    from workbench.cli.format import FitColumn, fitted_table, table_console
    from workbench.report.html import period_label
    from workbench.report.labels import group_label, kpi_interval, kpi_value, shown_unit, words

    w = words(language)
    console = table_console()
    console.print(f"{w['period']}: {period_label(report.since, report.until, language)}")
    console.print(w["kpi_population"].format(campaign=report.campaign_n, control=report.control_n))
    if report.no_control:
        console.print(w["no_control_note"])
    if report.control_contacted:
        console.print(w["control_contacted_note"].format(n=report.control_contacted))
    rows = list(report.rows)

    def column(key: str, cells: list[str], min_width: int | None = None) -> FitColumn:
        return FitColumn(w[key], cells, right=True, min_width=min_width)

    def relative(r: KpiRow) -> str:
        return "-" if r.relative_lift is None else f"{r.relative_lift:+.0%}"

    figures = [
        column("campaign_n", [f"{r.campaign_n:,}" for r in rows]),
        column("control_n", [f"{r.control_n:,}" for r in rows]),
        column("campaign", [kpi_value(shown_unit(r.kpi, r.unit), r.campaign) for r in rows], min_width=6),
        column("control", [kpi_value(shown_unit(r.kpi, r.unit), r.control) for r in rows], min_width=6),
        column("uplift", [kpi_value(shown_unit(r.kpi, r.unit), r.uplift, signed=True) for r in rows]),
        column("interval", [kpi_interval(shown_unit(r.kpi, r.unit), r.uplift_low, r.uplift_high) for r in rows],
               min_width=9),
        column("relative_lift", [relative(r) for r in rows]),
    ]  # fmt: skip
    names = FitColumn(w["kpi"], [w[f"kpi.{r.kpi}"] for r in rows], min_width=13)
    groups = FitColumn(
        w["group"], [group_label(r.group_by, r.group, language) for r in rows], min_width=6
    )
    columns = [names, *([groups] if by else []), *figures]
    ends = {i for i in range(len(rows) - 1) if rows[i].group != rows[i + 1].group}
    console.print(fitted_table(columns, console.width, sections_after=ends))
