"""`workbench report --html FILE [--csv DIR]`: the supervisor's report, to share or print."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.context import UserError, context


def option_date(value: str | None, option: str) -> date | None:
    """A --since/--until date (YYYY-MM-DD); a bad one is an error naming the option."""
    from workbench.domain.values import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise UserError(f"{option}: {exc}") from None


def report_(
    ctx: typer.Context,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the report as one HTML file here.")
    ] = None,
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Write scripts.csv, weekly.csv, reasons.csv and kpi.csv into this folder."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only calls from this date on (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Only calls up to this date, inclusive (YYYY-MM-DD)."),
    ] = None,
    encoding: Annotated[
        str,
        typer.Option("--encoding", help="CSV encoding: utf-8 (with a BOM, the default) or cp932."),
    ] = "utf-8",
) -> None:
    """The report: key figures per period, the script table with Wilson 95% intervals and
    P(best), the weekly trend and the reasons customers gave, as a self-contained HTML file
    (inline charts, nothing loaded from the network) and/or CSV tables."""
    from zoneinfo import ZoneInfo

    from workbench.report.csv_files import ReportFileError, encoding_for, write_csv
    from workbench.report.html import render_html
    from workbench.report.labels import words
    from workbench.services.report_data import report_data

    c = context(ctx)
    language = c.settings.language
    w = words(language)
    if html is None and csv is None:
        raise UserError(w["need_output"])
    start, end = option_date(since, "--since"), option_date(until, "--until")
    if start is not None and end is not None and end < start:
        raise UserError(w["bad_period"].format(since=start, until=end))
    try:
        chosen = encoding_for(encoding, language)
    except ReportFileError as exc:
        raise UserError(str(exc)) from None
    zone = ZoneInfo(c.settings.timezone)
    from workbench.config import now_from_env

    data = report_data(
        c.engine, start, end, zone=zone, now=now_from_env(c.settings), settings=c.settings
    )
    written: list[Path] = []
    try:
        if csv is not None:
            written += write_csv(data, csv, language, chosen)
        if html is not None:
            try:
                html.write_text(render_html(data, language, zone), encoding="utf-8")
            except OSError as exc:
                raise ReportFileError(
                    w["cannot_write"].format(path=html, why=exc.strerror or exc)
                ) from None
            written.append(html)
    except ReportFileError as exc:
        raise UserError(str(exc)) from None
    for path in written:
        typer.echo(w["written"].format(path=path), err=True)
