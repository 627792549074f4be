"""`workbench stats scripts`, `workbench scripts history` and `scripts render --customer`.

Mounted by `workbench.cli`; `workbench.cli` is imported lazily inside the commands
because it imports this module (and `workbench.talk.cli`) at start-up.
"""

from __future__ import annotations

import os
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from workbench.cli import Context
    from workbench.talk.library import ScriptLibrary
    from workbench.talk.stats import StatsRow

stats_app = typer.Typer(help="Statistics: how well talk scripts win customers back.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]
RootOption = Annotated[Path | None, typer.Option("--root", help="talkscripts フォルダー / scripts root")]

_HEADERS = {
    "ja": {"script": "スクリプト", "version": "版", "reason": "理由", "kind": "種別", "operator": "担当",
           "attempts": "架電", "contacts": "接触", "reactivations": "再開", "rate": "再開率",
           "interval": "95%区間", "p_best": "最良確率", "revenue": "売上", "note": "注記",
           "first_seen": "初回", "last_seen": "最終", "current": "現行",
           "thin": "データ不足", "none": "記録がありません", "customer": "お客様",
           "months": "か月", "error": "エラー", "operator_placeholder": "〈担当者名〉"},
    "en": {"script": "Script", "version": "Version", "reason": "Reason", "kind": "Kind", "operator": "Operator",
           "attempts": "Attempts", "contacts": "Contacts", "reactivations": "Reactivated", "rate": "Rate",
           "interval": "95% CI", "p_best": "P(best)", "revenue": "Revenue", "note": "Note",
           "first_seen": "First seen", "last_seen": "Last seen", "current": "Current",
           "thin": "not enough data", "none": "no records", "customer": "Customer",
           "months": "months", "error": "error", "operator_placeholder": "<operator>"},
}  # fmt: skip


class By(StrEnum):
    SCRIPT = "script"
    REASON = "reason"
    KIND = "kind"
    OPERATOR = "operator"


def _context(ctx: typer.Context) -> Context:
    from workbench.cli import Context

    root = ctx.find_root()
    if not isinstance(root.obj, Context):
        # Invoked through the scripts sub-app on its own: no main callback ran.
        root.obj = Context(None, None)
    return root.obj


def _labels(language: str) -> dict[str, str]:
    return _HEADERS["en" if language == "en" else "ja"]


def _library(c: Context, root: Path | None, language: str | None = None) -> ScriptLibrary:
    from workbench.talk.library import ScriptLibrary, default_root

    if root is None:
        # Same precedence as `scripts check/list` when their variable is set, else the setting.
        env = "WORKBENCH_TALKSCRIPTS_DIR" in os.environ
        root = default_root() if env else Path(c.settings.talkscripts_dir)
    return ScriptLibrary(root, language or c.settings.language)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _yen(value: float) -> str:
    return f"{int(value):,}"


def stats_json(row: StatsRow) -> dict[str, Any]:
    return {
        "script_id": row.script_id, "version": row.version, "reason": row.reason, "kind": row.kind,
        "operator": row.operator, "attempts": row.attempts, "contacts": row.contacts,
        "reactivations": row.reactivations, "rate": row.rate, "wilson_low": row.wilson_low,
        "wilson_high": row.wilson_high, "p_best": row.p_best, "revenue": int(row.revenue),
        "not_enough_data": row.not_enough_data,
    }  # fmt: skip


@stats_app.command("scripts")
def stats_scripts(
    ctx: typer.Context,
    by: Annotated[By, typer.Option("--by", help="Break the script rows down by reason, kind or operator.")] = By.SCRIPT,
    since: Annotated[str | None, typer.Option("--since", help="Only attempts from this date on (YYYY-MM-DD).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Attempts, contacts, reactivation rate (Wilson 95%), P(best) per reason and revenue per script version."""
    from zoneinfo import ZoneInfo

    from workbench.cli import UserError, emit_json
    from workbench.domain.values import parse_date
    from workbench.services.script_stats import script_stats

    c = _context(ctx)
    try:
        start: date | None = None if since is None else parse_date(since)
    except ValueError as exc:
        raise UserError(f"--since: {exc}") from None
    rows = script_stats(c.engine, by.value, start, zone=ZoneInfo(c.settings.timezone))
    if as_json:
        for row in rows:
            emit_json(stats_json(row))
        return
    _stats_table(rows, by, _labels(c.settings.language))


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
            str(row.attempts), str(row.contacts), str(row.reactivations), _pct(row.rate),
            f"{_pct(row.wilson_low)}–{_pct(row.wilson_high)}", _pct(row.p_best), _yen(row.revenue),
            t["thin"] if row.not_enough_data else "",
        )  # fmt: skip
    console.print(table)


def history(
    ctx: typer.Context,
    script_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: JsonOption = False,
    root: RootOption = None,
) -> None:
    """版ごとの成績 / the figures of every version of a script (the current file version marked)."""
    from workbench.cli import UserError, emit_json
    from workbench.services.script_stats import script_history

    c = _context(ctx)
    library = _library(c, root)
    rows = script_history(c.engine, library, script_id)
    if not rows:
        raise UserError(f"unknown script {script_id!r}: no file in {library.directory} and no calls recorded")
    if as_json:
        for row in rows:
            emit_json({"script_id": script_id, **row.as_json()})
        return
    from rich.console import Console
    from rich.table import Table

    t = _labels(c.settings.language)
    table = Table(title=script_id)
    table.add_column(t["version"])
    table.add_column(t["first_seen"])
    table.add_column(t["last_seen"])
    for key in ("attempts", "contacts", "reactivations", "rate", "interval", "revenue"):
        table.add_column(t[key], justify="right")
    table.add_column(t["current"])
    for row in rows:
        table.add_row(
            row.version or "-",
            row.first_seen.date().isoformat() if row.first_seen else "-",
            row.last_seen.date().isoformat() if row.last_seen else "-",
            str(row.attempts), str(row.contacts), str(row.reactivations), _pct(row.rate),
            f"{_pct(row.wilson_low)}–{_pct(row.wilson_high)}", _yen(row.revenue),
            "*" if row.current else "",
        )  # fmt: skip
    Console().print(table)


def render_for_customer(
    ctx: typer.Context,
    script_id: str,
    customer_id: str,
    operator: str | None,
    at: str | None,
    *,
    root: Path | None = None,
    language: str | None = None,
) -> None:
    """`scripts render ID --customer X`: every section for a database customer.

    Exit 1 when a section fails to render (its message and raw text are printed);
    an unknown script or customer is a `UserError` (exit 2).
    """
    import dataclasses

    from workbench.cli import UserError, parse_at
    from workbench.services.script_context import build_context
    from workbench.talk.render import render_script

    c = _context(ctx)
    settings = c.settings
    lang = language or settings.language
    library = _library(c, root, lang)
    script = library.get(script_id)
    if script is None:
        raise UserError(f"unknown script {script_id!r} in {library.directory}")
    instant = parse_at(settings, at)
    try:
        context = build_context(c.engine, settings, customer_id, operator or settings.operator or None, instant)
    except LookupError as exc:
        raise UserError(str(exc)) from None
    t = _labels(lang)
    # A preview without an operator still shows where the caller's name goes.
    context = dataclasses.replace(context, language=lang, operator=context.operator or t["operator_placeholder"])
    months = "-" if context.months_dormant is None else f"{context.months_dormant} {t['months']}"
    typer.echo(f"# {script.title}  ({script.id} @ {script.version})")
    typer.echo(f"{t['customer']}: {context.customer_name} ({customer_id}, {context.kind}) "
               f"{context.lifecycle} / {months} / {t['reason']}: {context.reason}\n")
    sections = render_script(script, context)
    for section in sections:
        typer.echo(f"【{section.id}】{section.title}")
        if section.error:
            typer.echo(f"!! {t['error']}: {section.error}")
            typer.echo(section.raw.strip())
        else:
            typer.echo(section.text)
        for number, branch in enumerate(section.branches, start=1):
            typer.echo(f"{number}) → {branch.target}: {branch.label}")
        typer.echo("")
    if any(section.error for section in sections):
        raise typer.Exit(1)


def register(scripts_app: typer.Typer) -> None:
    """Add `history` to the `workbench scripts` sub-app (idempotent)."""
    if any(command.name == "history" for command in scripts_app.registered_commands):
        return
    scripts_app.command("history")(history)
