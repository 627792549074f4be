"""`workbench reasons fix|unfix|list`: dormancy reasons the business fixed, as of a day.

Thin: `services.reason_fixes` checks, stores, audits and marks the scores stale; the queue
re-approaches the customers who left for a fixed reason (`domain.reason_fixes`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from workbench.cli.context import (
    AtOption,
    ByOption,
    Context,
    JsonOption,
    KindOption,
    UserError,
    context,
    emit_json,
    parse_at,
)

if TYPE_CHECKING:
    from workbench.services.script_admin import AdminError

app = typer.Typer(help="Reasons fixed as of a day: the queue calls again those who left for them.")

SAID: dict[str, dict[str, str]] = {
    "ja": {
        "fixed": "改善済みにしました: {reason}（{kind}）{day} から",
        "unfixed": "改善済みの印を外しました: {reason}（{kind}）",
        "any": "全種別", "empty": "改善済みの理由はありません", "none": "なし",
        "unknown_reason": "理由 {value} はありません（使える理由: {known}）",
        "unknown_kind": "種別 {value} はありません（使える種別: {known}）",
        "not_fixed": "理由 {reason}（{kind}）は改善済みになっていません",
        "unknown_operator": "担当者 {value} は登録されていないか退任しています（登録済み: {known}）",
        "no_actor": "誰の変更かを --by 担当者ID で指定してください",
        "bad_day": "--on: 日付は YYYY-MM-DD で指定してください（{value}）",
        "row": "{reason}\t{kind}\t{day} から\t{by}\t{note}",
    },
    "en": {
        "fixed": "marked fixed: {reason} ({kind}) as of {day}",
        "unfixed": "no longer marked fixed: {reason} ({kind})",
        "any": "both kinds", "empty": "no reason is marked fixed", "none": "none",
        "unknown_reason": "unknown reason {value} (known: {known})",
        "unknown_kind": "unknown kind {value} (known: {known})",
        "not_fixed": "{reason} ({kind}) is not marked fixed",
        "unknown_operator": "unknown or retired operator {value} (registered: {known})",
        "no_actor": "say who makes the change: --by OPERATOR",
        "bad_day": "--on: give the day as YYYY-MM-DD (got {value})",
        "row": "{reason}\t{kind}\tas of {day}\t{by}\t{note}",
    },
}  # fmt: skip


ReasonArgument = Annotated[str, typer.Argument(metavar="REASON", help="理由コード / reason code")]


def _said(c: Context) -> dict[str, str]:
    return SAID["en" if c.settings.language == "en" else "ja"]


def _kind_word(said: dict[str, str], kind: str) -> str:
    return said["any"] if kind == "any" else kind


def _refused(c: Context, exc: AdminError) -> UserError:
    said = _said(c)
    values = {k: (", ".join(map(str, v)) or said["none"]) if isinstance(v, list) else v
              for k, v in exc.values.items()}  # fmt: skip
    if "kind" in values:
        values["kind"] = _kind_word(said, str(values["kind"]))
    return UserError(said[exc.code].format(**values) if exc.code in said else str(exc))


def _day(c: Context, text: str | None, today: date) -> date:
    if text is None:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(_said(c)["bad_day"].format(value=text)) from None


@app.command("fix")
def fix(
    ctx: typer.Context,
    reason: ReasonArgument,
    on: Annotated[
        str | None,
        typer.Option("--on", help="改善した日 YYYY-MM-DD（省略時は今日）/ the day it was fixed"),
    ] = None,
    kind: KindOption = None,
    note: Annotated[
        str | None, typer.Option("--note", help="何を改善したか / what changed")
    ] = None,
    by: ByOption = None,
    at: AtOption = None,
) -> None:
    """理由を改善済みにします / mark a reason fixed as of a day: from that day the queue
    boosts the customers who left for it (churned complainers come back); audited."""
    from zoneinfo import ZoneInfo

    from workbench.services.reason_fixes import AdminError, mark_fixed

    c = context(ctx)
    when = parse_at(c.settings, at)
    day = _day(c, on, when.astimezone(ZoneInfo(c.settings.timezone)).date())
    try:
        row = mark_fixed(c.engine, reason, day, by=by or c.settings.operator or "", at=when,
                         kind=kind.value if kind else "any", note=note)  # fmt: skip
    except AdminError as exc:
        raise _refused(c, exc) from None
    said = _said(c)
    kind_word = _kind_word(said, row.details["kind"])
    typer.echo(said["fixed"].format(reason=reason, kind=kind_word, day=day.isoformat()))


@app.command("unfix")
def unfix(
    ctx: typer.Context,
    reason: ReasonArgument,
    kind: KindOption = None,
    by: ByOption = None,
    at: AtOption = None,
) -> None:
    """改善済みの印を外します / take back a reason's fixed mark; audited."""
    from workbench.services.reason_fixes import AdminError, unmark_fixed

    c = context(ctx)
    try:
        row = unmark_fixed(c.engine, reason, by=by or c.settings.operator or "",
                           at=parse_at(c.settings, at), kind=kind.value if kind else "any")  # fmt: skip
    except AdminError as exc:
        raise _refused(c, exc) from None
    said = _said(c)
    typer.echo(said["unfixed"].format(reason=reason, kind=_kind_word(said, row.details["kind"])))


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """改善済みの理由 / every reason marked fixed (reason, kind, day, who, when, note)."""
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    from workbench.services.reason_fixes import list_fixes

    c = context(ctx)
    zone = ZoneInfo(c.settings.timezone)  # marked_at on the configured clock, with its offset
    rows = [replace(f, marked_at=f.marked_at.astimezone(zone)) for f in list_fixes(c.engine)]
    if as_json:
        for f in rows:
            emit_json(f.as_json())
        return
    said = _said(c)
    if not rows:
        typer.echo(said["empty"])
        return
    for f in rows:
        typer.echo(said["row"].format(reason=f.reason, kind=_kind_word(said, f.kind),
                                      day=f.fixed_on.isoformat(), by=f.marked_by,
                                      note=f.note or "-"))  # fmt: skip
