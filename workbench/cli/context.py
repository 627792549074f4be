"""What every command shares: the invocation's context, user errors, `--at`, JSON lines.

The bottom of the CLI package: every command module imports it, it imports no
command module.  Only the standard library, typer and the code lists (`domain.codes`, plain
enums) at import time, so `workbench --help` stays quick; settings and the engine are made on
first use.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.domain.codes import Kind

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from workbench.config import Settings


class UserError(Exception):
    """An error for people: printed without a traceback, exit status 2."""


class Context:
    """`--db` and `--config` of one invocation; settings and engine made when first asked for."""

    def __init__(self, db: str | None, config: Path | None) -> None:
        self._db = db
        self._config = config
        self._spoken: str | None = None  # the talk messages' language before this invocation

    @cached_property
    def settings(self) -> Settings:
        """The configuration; the talk package's messages speak its language from now on."""
        from workbench.config import load_settings
        from workbench.talk.i18n import use_language

        settings = load_settings(self._config)
        self._spoken = use_language(settings.language)
        return settings

    def close(self) -> None:
        """The invocation is over: its database connections are closed (SQLite folds its
        write-ahead log back into the database file when the last one closes), and the talk
        messages speak as before it (in-process callers)."""
        engine = self.__dict__.pop("engine", None)
        if engine is not None:
            engine.dispose()
        if self._spoken is not None:
            from workbench.talk.i18n import use_language

            use_language(self._spoken)
            self._spoken = None

    @property
    def db_url(self) -> str:
        return self._db or self.settings.db

    @cached_property
    def engine(self) -> Engine:
        from workbench.config import DEFAULT_DB_URL
        from workbench.services.schema import open_database

        self.settings  # noqa: B018  (loaded first: a bad URL is reported in the interface language)
        # Only the default database's folder is created: any other missing folder is a typo.
        return open_database(self.db_url, create_folder=self.db_url == DEFAULT_DB_URL)


def context(ctx: typer.Context) -> Context:
    """The root callback's Context; a sub-app invoked on its own (tests) gets the defaults."""
    root = ctx.find_root()
    if not isinstance(root.obj, Context):
        root.obj = Context(None, None)
        root.call_on_close(root.obj.close)
    return root.obj


def parse_at(settings: Settings, at: str | None, option: str = "--at") -> datetime:
    """An ISO 8601 instant; without a zone it is read in the configured time zone."""
    if at is None:
        return datetime.now(UTC)
    from zoneinfo import ZoneInfo

    from workbench.domain.values import parse_datetime

    try:
        return parse_datetime(at, ZoneInfo(settings.timezone))
    except ValueError:
        from workbench.messages import say

        raise UserError(
            say("cmd.bad_instant", option=option, value=repr(at), zone=settings.timezone)
        ) from None


def emit_json(obj: Any) -> None:
    """One JSON object on one line of standard output."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (overrides WORKBENCH_DB).")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Path of workbench.toml.")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="The instant to act at, ISO 8601 (default: now).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]
OperatorOption = Annotated[str | None, typer.Option("--operator", help="Operator id")]
# A team lead's changes (pins, retirements, reasons marked fixed): for which kind, and by whom.
KindOption = Annotated[
    Kind | None, typer.Option("--kind", help="b2c / b2b（省略時は両方）/ default: both kinds")
]
ByOption = Annotated[
    str | None, typer.Option("--by", help="変更する担当者 ID / who makes the change")
]
RootOption = Annotated[
    Path | None, typer.Option("--root", help="talkscripts フォルダー / scripts root")
]
