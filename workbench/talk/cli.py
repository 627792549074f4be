"""``workbench scripts``: check, list and preview talk scripts (mounted by the main CLI).

Output is Japanese unless ``WORKBENCH_LANGUAGE=en``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workbench.talk.demo import demo_context
from workbench.talk.i18n import msg
from workbench.talk.library import ScriptLibrary, default_root
from workbench.talk.lint import check_paths, count_files
from workbench.talk.model import SCRIPT_LANGUAGES, Severity, TalkScript
from workbench.talk.render import RenderedSection, render_script

app = typer.Typer(help="トークスクリプトの検査・一覧・試し表示 / talk scripts",
                  no_args_is_help=True)

RootOption = Annotated[
    Path | None, typer.Option("--root", help="talkscripts フォルダー / scripts root")
]


class DemoKind(StrEnum):
    B2C = "b2c"
    B2B = "b2b"


class Language(StrEnum):
    JA = "ja"
    EN = "en"


@app.command("check")
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="ファイルまたはフォルダー / files or folders")
    ] = None,
) -> None:
    """スクリプトを検査します（エラーがあれば終了コード 1）/ lint scripts."""
    targets = paths or [default_root()]
    issues = check_paths(targets)
    errors = [i for i in issues if i.severity is Severity.ERROR]
    warnings = len(issues) - len(errors)
    label = msg("cli.warning")
    for issue in issues:
        prefix = f"{label}: " if issue.severity is Severity.WARNING else ""
        typer.echo(f"{issue.path}:{issue.line}: {issue.code}: {prefix}{issue.message}")
    files = count_files(targets)
    if errors:
        typer.echo(msg("cli.failed", errors=len(errors), warnings=warnings, files=files), err=True)
        raise typer.Exit(1)
    typer.echo(msg("cli.ok", files=files, warnings=warnings))


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
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines で出力 / JSON lines")] = False,
    language: Annotated[
        Language | None, typer.Option("--language", help="ja / en（省略時は両方）")
    ] = None,
    root: RootOption = None,
) -> None:
    """読み込めるスクリプトの一覧 / list loadable scripts."""
    base = root or default_root()
    languages = [language.value] if language else list(SCRIPT_LANGUAGES)
    for lang in languages:
        library = ScriptLibrary(base, lang)
        for warning in library.warnings:
            typer.echo(warning, err=True)
        for script in library.scripts():
            row = _summary(script)
            if as_json:
                typer.echo(json.dumps(row, ensure_ascii=False))
                continue
            flags = ("" if script.active else " [inactive]")
            flags += " [pinned]" if script.pinned else ""
            group = f" ({script.variant_group})" if script.variant_group else ""
            typer.echo(f"{lang}  {script.id:<28} {script.version}  {script.kind:<3}  "
                       f"{','.join(script.reasons)}{group}{flags}  {script.title}")


def _print_section(section: RenderedSection) -> None:
    typer.echo(f"【{section.id}】{section.title}")
    if section.error:
        typer.echo(f"!! {msg('cli.error')}: {section.error}")
        typer.echo(section.raw.strip())
    else:
        typer.echo(section.text)
    for number, branch in enumerate(section.branches, start=1):
        typer.echo(f"  {number}. → {branch.target}: {branch.label}")
    typer.echo("")


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
    customer: Annotated[str | None, typer.Option(
        "--customer", help="データベースのお客様 ID で表示 / render for a database customer")] = None,
    operator: Annotated[str | None, typer.Option(
        "--operator", help="担当者コード（--customer 用）/ operator code")] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="基準日時 ISO 8601（--customer 用）/ instant")] = None,
) -> None:
    """デモ顧客またはお客様でスクリプトを表示します / render a script for a demo or real customer."""
    if customer is not None:
        from workbench.cli_stats import render_for_customer

        # An explicit --language wins; otherwise the configured language applies.
        source = ctx.get_parameter_source("language")
        given = source is not None and source.name != "DEFAULT"
        render_for_customer(ctx, script_id, customer, operator, at, root=root,
                            language=language.value if given else None)
        return
    library = ScriptLibrary(root or default_root(), language.value)
    script = library.get(script_id)
    if script is None:
        typer.echo(msg("cli.not_found", value=script_id, lang=language.value), err=True)
        raise typer.Exit(2)
    context = demo_context(demo.value, language.value, not no_offer,
                           script.reasons[0] if script.reasons else "unknown")
    typer.echo(f"# {script.title}  ({script.id} @ {script.version})\n")
    sections = render_script(script, context)
    for section in sections:
        _print_section(section)
    if any(section.error for section in sections):
        raise typer.Exit(1)
