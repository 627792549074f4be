"""`workbench scripts diff|pin|unpin|retire|unretire|audit`: team leads' script tools.

Registered under the `scripts` app (`register`).  Thin: the rules live in
`services.script_admin` (pins, retirements, the audit log) and `services.script_diff`;
this module parses, calls and prints in the configured language.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.cli.context import (
    AtOption,
    ByOption,
    Context,
    JsonOption,
    KindOption,
    RootOption,
    UserError,
    context,
    emit_json,
    parse_at,
)
from workbench.cli.labels import interval, labels, pct, yen

if TYPE_CHECKING:
    from workbench.services.script_admin import AdminError, AuditRow
    from workbench.services.script_diff import DiffSide, UnknownVersion

SAID: dict[str, dict[str, str]] = {
    "ja": {
        "from": "旧", "to": "新", "current": "現行", "no_calls": "架電なし",
        "pin": "固定", "unpin": "固定解除", "retire": "引退", "unretire": "復帰",
        "reason_fix": "改善済み", "reason_unfix": "改善済み解除",
        "pinned": "固定しました: {reason}（{kind}）→ {script}",
        "unpinned": "固定を解除しました: {reason}（{kind}）{script}",
        "retired": "引退にしました: {script}（どの理由でも出しません）",
        "unretired": "復帰させました: {script}",
        "any": "全種別", "empty": "記録はありません",
        "unknown_version": "{script}（{lang}）: 版 {value} は保存されていません（保存済みの版: {known}）",
        "no_earlier": "{script}（{lang}）: 比べる前の版が保存されていません（保存済みの版: {known}）",
        "unknown_script": "スクリプト {value} はありません（あるもの: {known}）",
        "unknown_reason": "理由 {value} はありません（使える理由: {known}）",
        "unknown_kind": "種別 {value} はありません（使える種別: {known}）",
        "not_serving": "スクリプト {value} は理由 {reason}（{kind}）に使えません（このスクリプトの理由: {reasons}）",
        "is_retired": "スクリプト {value} は引退しています（先に `workbench scripts unretire {value}`）",
        "already_retired": "スクリプト {value} はすでに引退しています",
        "not_pinned": "理由 {reason}（{kind}）には固定されたスクリプトがありません",
        "not_retired": "スクリプト {value} は引退していません",
        "unknown_operator": "担当者 {value} は登録されていないか退任しています（登録済み: {known}）",
        "no_actor": "誰の変更かを --by 担当者ID で指定してください",
        "none": "なし", "not_stored": "スクリプトの版をデータベースに保存できませんでした",
    },
    "en": {
        "from": "from", "to": "to", "current": "current", "no_calls": "no calls",
        "pin": "pin", "unpin": "unpin", "retire": "retire", "unretire": "unretire",
        "reason_fix": "reason fixed", "reason_unfix": "reason unfixed",
        "pinned": "pinned: {reason} ({kind}) → {script}",
        "unpinned": "unpinned: {reason} ({kind}) {script}",
        "retired": "retired: {script} (offered for no reason)",
        "unretired": "offered again: {script}",
        "any": "both kinds", "empty": "no entries",
        "unknown_version": "{script} ({lang}): version {value} is not stored (stored: {known})",
        "no_earlier": "{script} ({lang}): no earlier version stored to compare with (stored: {known})",
        "unknown_script": "unknown script {value} (known: {known})",
        "unknown_reason": "unknown reason {value} (known: {known})",
        "unknown_kind": "unknown kind {value} (known: {known})",
        "not_serving": "script {value} does not serve {reason} ({kind}) (its reasons: {reasons})",
        "is_retired": "script {value} is retired (first `workbench scripts unretire {value}`)",
        "already_retired": "script {value} is already retired",
        "not_pinned": "nothing is pinned for {reason} ({kind})",
        "not_retired": "script {value} is not retired",
        "unknown_operator": "unknown or retired operator {value} (registered: {known})",
        "no_actor": "say who makes the change: --by OPERATOR",
        "none": "none", "not_stored": "could not store the script versions in the database",
    },
}  # fmt: skip


class Language(StrEnum):
    JA = "ja"
    EN = "en"


def _said(c: Context) -> dict[str, str]:
    return SAID["en" if c.settings.language == "en" else "ja"]


def _listed(values: Any, said: dict[str, str]) -> str:
    return ", ".join(str(v) for v in values) if values else said["none"]


def _refused(c: Context, exc: AdminError) -> UserError:
    said = _said(c)
    values = {k: _listed(v, said) if isinstance(v, list) else v for k, v in exc.values.items()}
    if "kind" in values and values["kind"] == "any":
        values["kind"] = said["any"]
    key = "is_retired" if exc.code == "retired" else exc.code
    return UserError(said[key].format(**values) if key in said else str(exc))


def _unknown_version(c: Context, exc: UnknownVersion) -> UserError:
    said = _said(c)
    key = "no_earlier" if exc.value is None else "unknown_version"
    return UserError(said[key].format(script=exc.script_id, lang=exc.language, value=exc.value,
                                      known=_listed(exc.known, said)))  # fmt: skip


def _local(at: datetime, zone: tzinfo) -> datetime:
    """A stored instant (UTC; naive means UTC) on the configured clock."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone)


def _actor(c: Context, by: str | None) -> str:
    return by or c.settings.operator or ""


def diff(
    ctx: typer.Context,
    script_id: Annotated[str, typer.Argument(metavar="ID")],
    from_version: Annotated[
        str | None, typer.Option("--from", help="比べる元の版（省略時は一つ前）/ older version")
    ] = None,
    to_version: Annotated[
        str | None, typer.Option("--to", help="比べる先の版（省略時は現行ファイル）/ newer version")
    ] = None,
    language: Annotated[
        Language | None, typer.Option("--language", help="ja / en の版（省略時は設定の言語）")
    ] = None,
    as_json: JsonOption = False,
    root: RootOption = None,
) -> None:
    """版どうしの差分と各版の成績 / the unified diff between two stored versions of a script,
    with each version's figures (default: the previous version → the current file)."""
    from dataclasses import replace

    from workbench.domain.local_time import zone_named
    from workbench.services.script_diff import UnknownVersion, script_diff
    from workbench.talk.library import ScriptLibrary

    c = context(ctx)
    lang = language.value if language else c.settings.language
    library = ScriptLibrary(root or Path(c.settings.talkscripts_dir), lang)
    try:
        found = script_diff(c.engine, library, script_id, from_version, to_version)
    except UnknownVersion as exc:
        raise _unknown_version(c, exc) from None
    zone = zone_named(c.settings.timezone)  # seen times on the configured clock, as `history`
    found = replace(found, old=replace(found.old, first_seen=_local(found.old.first_seen, zone)),
                    new=replace(found.new, first_seen=_local(found.new.first_seen, zone)))  # fmt: skip
    if as_json:
        emit_json(found.as_json())
        return
    said, t = _said(c), labels(c.settings.language)
    typer.echo(f"{script_id} ({lang})")
    for name, side in ((said["from"], found.old), (said["to"], found.new)):
        typer.echo(f"  {name}  {_figures(side, said, t)}")
    typer.echo("")
    for line in found.lines:
        typer.echo(line)


def _figures(side: DiffSide, said: dict[str, str], t: dict[str, str]) -> str:
    head = f"{side.version}  {t['first_seen']} {side.first_seen.date().isoformat()}"
    head += f"  [{said['current']}]" if side.current else ""
    row = side.figures
    if row is None or not row.attempts:
        return f"{head}  ({said['no_calls']})"
    return (
        f"{head}  {t['attempts']} {row.attempts} / {t['contacts']} {row.contacts} / "
        f"{t['reactivations']} {row.reactivations} / {t['rate']} {pct(row.rate)} "
        f"({t['interval']} {interval(row.wilson_low, row.wilson_high)}) / "
        f"{t['revenue']} {yen(row.revenue)}"
    )


def pin(
    ctx: typer.Context,
    reason: Annotated[str, typer.Argument(metavar="REASON")],
    script_id: Annotated[str, typer.Argument(metavar="ID")],
    kind: KindOption = None,
    by: ByOption = None,
    at: AtOption = None,
) -> None:
    """理由にスクリプトを固定します / the queue gives this script for the reason (Thompson
    sampling no longer chooses); recorded in the audit log."""
    from workbench.services.script_admin import AdminError, pin_script

    c = context(ctx)
    try:
        row = pin_script(c.engine, c.settings, reason, script_id, by=_actor(c, by),
                         at=parse_at(c.settings, at), kind=kind.value if kind else "any")  # fmt: skip
    except AdminError as exc:
        raise _refused(c, exc) from None
    _done(c, "pinned", row)


def unpin(
    ctx: typer.Context,
    reason: Annotated[str, typer.Argument(metavar="REASON")],
    kind: KindOption = None,
    by: ByOption = None,
    at: AtOption = None,
) -> None:
    """理由の固定を解除します / the reason goes back to Thompson sampling."""
    from workbench.services.script_admin import AdminError, unpin_script

    c = context(ctx)
    try:
        row = unpin_script(c.engine, reason, by=_actor(c, by), at=parse_at(c.settings, at),
                           kind=kind.value if kind else "any")  # fmt: skip
    except AdminError as exc:
        raise _refused(c, exc) from None
    _done(c, "unpinned", row)


def retire(
    ctx: typer.Context,
    script_id: Annotated[str, typer.Argument(metavar="ID")],
    by: ByOption = None,
    at: AtOption = None,
) -> None:
    """スクリプトを引退させます / the queue offers this script for no reason (pinned or not)."""
    from workbench.services.script_admin import AdminError, retire_script

    c = context(ctx)
    try:
        row = retire_script(c.engine, c.settings, script_id, by=_actor(c, by),
                            at=parse_at(c.settings, at))  # fmt: skip
    except AdminError as exc:
        raise _refused(c, exc) from None
    _done(c, "retired", row)


def unretire(
    ctx: typer.Context,
    script_id: Annotated[str, typer.Argument(metavar="ID")],
    by: ByOption = None,
    at: AtOption = None,
) -> None:
    """引退したスクリプトを戻します / offer a retired script again."""
    from workbench.services.script_admin import AdminError, unretire_script

    c = context(ctx)
    try:
        row = unretire_script(c.engine, script_id, by=_actor(c, by), at=parse_at(c.settings, at))
    except AdminError as exc:
        raise _refused(c, exc) from None
    _done(c, "unretired", row)


def _done(c: Context, key: str, row: AuditRow) -> None:
    said = _said(c)
    kind = row.details.get("kind")
    typer.echo(said[key].format(reason=row.details.get("reason"), script=row.subject,
                                kind=said["any"] if kind == "any" else kind))  # fmt: skip


def audit(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", min=0, help="件数（0: すべて）/ rows, 0 = all")
    ] = 0,
    as_json: JsonOption = False,
) -> None:
    """変更の記録（新しい順）/ the audit log of pins and retirements, newest first:
    who, when, what."""
    from dataclasses import replace

    from workbench.domain.local_time import zone_named
    from workbench.services.script_admin import audit_entries

    c = context(ctx)
    zone = zone_named(c.settings.timezone)  # times on the configured clock, with its offset
    rows = [replace(row, at=_local(row.at, zone)) for row in audit_entries(c.engine, limit or None)]
    if as_json:
        for row in rows:
            emit_json(row.as_json())
        return
    said = _said(c)
    if not rows:
        typer.echo(said["empty"])
        return
    for row in rows:
        details = json.dumps(row.details, ensure_ascii=False)
        typer.echo(f"{row.at.isoformat(timespec='minutes')}  {row.actor}  {said.get(row.action, row.action)}  "
                   f"{row.subject or '-'}  {details}")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the commands to the `scripts` app."""
    app.command("diff")(diff)
    app.command("pin")(pin)
    app.command("unpin")(unpin)
    app.command("retire")(retire)
    app.command("unretire")(unretire)
    app.command("audit")(audit)


def record_checked(c: Context, targets: list[Path]) -> None:
    """After a clean `scripts check`: store the checked versions' text in the database, when
    there is one (a check creates none); a database that cannot take them only warns."""
    from sqlalchemy.exc import SQLAlchemyError

    from workbench.services.schema import SchemaError
    from workbench.services.script_contents import database_exists, record_files

    if not database_exists(c.db_url):
        return
    try:
        record_files(c.engine, targets)
    except (SchemaError, SQLAlchemyError) as exc:
        typer.echo(f"{_said(c)['not_stored']}: {exc}", err=True)
