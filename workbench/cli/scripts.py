"""`workbench scripts`: check, list, preview talk scripts, and their figures by version.

Output is in the configured language (`Settings.language`: ``language`` in workbench.toml
or ``WORKBENCH_LANGUAGE``, Japanese by default), the scripts are read from the configured
``talkscripts_dir`` unless ``--root`` or the paths say otherwise.  The talk package is
imported inside the commands (it brings Jinja), so start-up stays quick.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workbench.cli.context import (
    Context,
    JsonOption,
    RootOption,
    UserError,
    context,
    emit_json,
    parse_at,
)
from workbench.cli.labels import interval, labels, pct, yen
from workbench.cli.script_admin import Language, record_checked, register

if TYPE_CHECKING:
    from workbench.talk.library import ScriptLibrary
    from workbench.talk.model import TalkScript
    from workbench.talk.render import RenderedSection

app = typer.Typer(
    help="トークスクリプトの検査・一覧・試し表示 / talk scripts", no_args_is_help=True
)


class DemoKind(StrEnum):
    B2C = "b2c"
    B2B = "b2b"


@app.command("check")
def check(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="ファイルまたはフォルダー / files or folders")
    ] = None,
) -> None:
    """スクリプトを検査します（エラーがあれば終了コード 1）/ lint scripts."""
    from workbench.talk.i18n import msg
    from workbench.talk.lint import check_paths, count_email_files, count_files
    from workbench.talk.model import Severity

    configured = _root(context(ctx), None)  # also sets the messages' language
    targets = paths or [configured]
    issues = check_paths(targets)
    errors = [i for i in issues if i.severity is Severity.ERROR]
    warnings = len(issues) - len(errors)
    label = msg("cli.warning")
    for issue in issues:
        prefix = f"{label}: " if issue.severity is Severity.WARNING else ""
        typer.echo(f"{issue.path}:{issue.line}: {issue.code}: {prefix}{issue.message}")
    files, templates = count_files(targets), count_email_files(targets)
    counts = {"files": files, "warnings": warnings, "templates": templates}
    mail = "_mail" if templates else ""
    if errors:
        typer.echo(msg(f"cli.failed{mail}", errors=len(errors), **counts), err=True)
        raise typer.Exit(1)
    typer.echo(msg(f"cli.ok{mail}", **counts))
    record_checked(context(ctx), targets)


def _summary(script: TalkScript) -> dict[str, object]:
    return {
        "id": script.id,
        "title": script.title,
        "reasons": list(script.reasons),
        "kind": script.kind,
        "language": script.language,
        "active": script.active,
        "version": script.version,
        "variant_group": script.variant_group,
        "pinned": script.pinned,
        "path": str(script.path),
    }


@app.command("list")
def list_scripts(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines で出力 / JSON lines")] = False,
    language: Annotated[
        Language | None, typer.Option("--language", help="ja / en（省略時は両方）")
    ] = None,
    root: RootOption = None,
) -> None:
    """読み込めるスクリプトの一覧（--root にファイルを指定するとその 1 本）/ list loadable
    scripts (a file given as --root: that one script, as `scripts check FILE` checks it)."""
    from workbench.talk.library import ScriptLibrary
    from workbench.talk.model import SCRIPT_LANGUAGES

    base = _root(context(ctx), root)
    if base.is_file():
        _list_file(base, language.value if language else None, as_json)
        return
    languages = [language.value] if language else list(SCRIPT_LANGUAGES)
    for lang in languages:
        library = ScriptLibrary(base, lang)
        for warning in library.warnings:
            typer.echo(warning, err=True)
        for script in library.scripts():
            _print_row(script, as_json)


def _list_file(path: Path, language: str | None, as_json: bool) -> None:
    """`scripts list --root FILE`: the one script, linted as `scripts check FILE` does; a file
    that cannot be loaded prints its errors (file:line: code: message) and exits 1."""
    from workbench.talk.lint import check_file
    from workbench.talk.model import Severity

    script, issues = check_file(path)
    errors = [i for i in issues if i.severity is Severity.ERROR]
    if script is None or errors:
        for issue in errors or issues:
            typer.echo(f"{issue.path}:{issue.line}: {issue.code}: {issue.message}", err=True)
        raise typer.Exit(1)
    if language is None or script.language == language:
        _print_row(script, as_json)


def _print_row(script: TalkScript, as_json: bool) -> None:
    row = _summary(script)
    if as_json:
        typer.echo(json.dumps(row, ensure_ascii=False))
        return
    flags = "" if script.active else " [inactive]"
    flags += " [pinned]" if script.pinned else ""
    group = f" ({script.variant_group})" if script.variant_group else ""
    typer.echo(
        f"{script.language}  {script.id:<28} {script.version}  {script.kind:<3}  "
        f"{','.join(script.reasons)}{group}{flags}  {script.title}"
    )


@app.command("render")
def render(
    ctx: typer.Context,
    script_id: Annotated[str, typer.Argument(metavar="ID")],
    demo: Annotated[DemoKind, typer.Option("--demo", help="デモ顧客 b2c / b2b")] = DemoKind.B2C,
    language: Annotated[Language, typer.Option("--language")] = Language.JA,
    no_offer: Annotated[
        bool, typer.Option("--no-offer", help="オファーなしで表示 / without offer")
    ] = False,
    root: RootOption = None,
    customer: Annotated[
        str | None,
        typer.Option(
            "--customer", help="データベースのお客様 ID で表示 / render for a database customer"
        ),
    ] = None,
    operator: Annotated[
        str | None, typer.Option("--operator", help="担当者コード（--customer 用）/ operator code")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="基準日時 ISO 8601（--customer 用）/ instant")
    ] = None,
) -> None:
    """デモ顧客またはお客様でスクリプトを表示します / render a script for a demo or real customer."""
    if customer is not None:
        # An explicit --language wins; otherwise the configured language applies.
        source = ctx.get_parameter_source("language")
        given = source is not None and source.name != "DEFAULT"
        _render_for_customer(
            context(ctx), script_id, customer, operator, at, root, language.value if given else None
        )
        return
    from workbench.talk.demo import demo_context
    from workbench.talk.i18n import msg
    from workbench.talk.render import render_script

    library = _library(context(ctx), root, language.value)
    script = library.get(script_id)
    if script is None:
        typer.echo(msg("cli.not_found", value=script_id, lang=language.value), err=True)
        raise typer.Exit(2)
    context_ = demo_context(
        demo.value, language.value, not no_offer, script.reasons[0] if script.reasons else "unknown",
        company=context(ctx).settings.company_name,
    )  # fmt: skip
    typer.echo(f"# {script.title}  ({script.id} @ {script.version})\n")
    _print_sections(render_script(script, context_), msg("cli.error"), "  {number}. → ")


def _render_for_customer(
    c: Context,
    script_id: str,
    customer_id: str,
    operator: str | None,
    at: str | None,
    root: Path | None,
    language: str | None,
) -> None:
    """`scripts render ID --customer X`: every section for a database customer.

    Exit 1 when a section fails to render (its message and raw text are printed);
    an unknown script or customer is a `UserError` (exit 2).
    """
    import dataclasses

    from workbench.services.script_context import build_context
    from workbench.talk.render import render_script

    settings = c.settings
    lang = language or settings.language
    library = _library(c, root, lang)
    script = library.get(script_id)
    if script is None:
        from workbench.messages import say

        raise UserError(say("cmd.unknown_script", script=repr(script_id), folder=library.directory))
    instant = parse_at(settings, at)
    try:
        found = build_context(
            c.engine, settings, customer_id, operator or settings.operator or None, instant
        )
    except LookupError as exc:
        raise UserError(str(exc)) from None
    t = labels(lang)
    # A preview without an operator still shows where the caller's name goes.
    found = dataclasses.replace(
        found, language=lang, operator=found.operator or t["operator_placeholder"]
    )
    months = "-" if found.months_dormant is None else f"{found.months_dormant} {t['months']}"
    typer.echo(f"# {script.title}  ({script.id} @ {script.version})")
    typer.echo(
        f"{t['customer']}: {found.customer_name} ({customer_id}, {found.kind}) "
        f"{found.lifecycle} / {months} / {t['reason']}: {found.reason}\n"
    )
    _print_sections(render_script(script, found), t["error"], "{number}) → ")


def _print_sections(
    sections: Sequence[RenderedSection], error_label: str, branch_mark: str
) -> None:
    """Every section with its numbered branches; a section that failed shows its message and
    raw text, and the command then exits 1 (the other sections still print)."""
    for section in sections:
        typer.echo(f"【{section.id}】{section.title}")
        if section.error:
            typer.echo(f"!! {error_label}: {section.error}")
            typer.echo(section.raw.strip())
        else:
            typer.echo(section.text)
        for number, branch in enumerate(section.branches, start=1):
            typer.echo(f"{branch_mark.format(number=number)}{branch.target}: {branch.label}")
        typer.echo("")
    if any(section.error for section in sections):
        raise typer.Exit(1)


@app.command("history")
def history(
    ctx: typer.Context,
    script_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: JsonOption = False,
    root: RootOption = None,
    language: Annotated[
        Language | None,
        typer.Option("--language", help="ja / en の版（省略時は設定の言語）/ whose file"),
    ] = None,
) -> None:
    """版ごとの成績 / the figures of every version of one script file (ID and language; the
    current file version marked).  The other language's file of the same ID has its own
    versions and is left out; an earlier version no file has now shows the language of the
    file its stored text came from ("?" when its text was never stored)."""
    from dataclasses import replace

    from workbench.domain.local_time import in_zone, zone_named
    from workbench.services.script_contents import stored_languages
    from workbench.services.script_stats import script_history
    from workbench.talk.model import SCRIPT_LANGUAGES
    from workbench.talk.stats import version_languages

    c = context(ctx)
    lang = language.value if language else c.settings.language
    library = _library(c, root, lang)
    current = {}
    for each in SCRIPT_LANGUAGES:
        script = (library if each == lang else _library(c, root, each)).get(script_id)
        current[each] = script.version if script else None
    # An earlier version no file holds any more: the language of the file it was stored from.
    owner = {**stored_languages(c.engine, script_id), **version_languages(current)}
    # Seen times in the configured zone, with its offset; the table's days are local days.
    zone = zone_named(c.settings.timezone)
    rows = [
        replace(
            row, first_seen=in_zone(row.first_seen, zone), last_seen=in_zone(row.last_seen, zone)
        )
        for row in script_history(c.engine, library, script_id)
        if owner.get(row.version or "", lang) == lang
    ]
    if not rows:
        raise UserError(
            f"unknown script {script_id!r}: no file in {library.directory} and no calls recorded"
        )
    if as_json:
        for row in rows:
            emit_json(
                {"script_id": script_id, "language": owner.get(row.version or ""), **row.as_json()}
            )
        return
    from rich.console import Console
    from rich.table import Table

    t = labels(c.settings.language)
    table = Table(title=f"{script_id} ({lang})")
    table.add_column(t["language"])
    table.add_column(t["version"])
    table.add_column(t["first_seen"])
    table.add_column(t["last_seen"])
    for key in ("attempts", "contacts", "reactivations", "rate", "interval", "revenue"):
        table.add_column(t[key], justify="right")
    table.add_column(t["current"])
    for row in rows:
        table.add_row(
            owner.get(row.version or "", "?"), row.version or "-",
            row.first_seen.date().isoformat() if row.first_seen else "-",
            row.last_seen.date().isoformat() if row.last_seen else "-",
            str(row.attempts), str(row.contacts), str(row.reactivations), pct(row.rate),
            interval(row.wilson_low, row.wilson_high), yen(row.revenue), "*" if row.current else "",
        )  # fmt: skip
    Console().print(table)


def _root(c: Context, root: Path | None) -> Path:
    """`--root` when given, else the configured folder (`Settings.talkscripts_dir`).

    Reading the settings also sets the language of the talk messages, so every command
    asks here even when `--root` is given."""
    configured = Path(c.settings.talkscripts_dir)
    return configured if root is None else root


def _library(c: Context, root: Path | None, language: str | None = None) -> ScriptLibrary:
    from workbench.talk.library import ScriptLibrary

    return ScriptLibrary(_root(c, root), language or c.settings.language)


register(app)  # diff, pin, unpin, retire, unretire, audit (workbench/cli/script_admin.py)
