"""Schema revision check (on start) and Alembic upgrades (`workbench db upgrade`).

Only an empty database is migrated on start (there is nothing to lose); a database at
an older revision is refused until someone backs it up and runs `workbench db upgrade`,
so no command changes a schema as a side effect.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision, read off the version files' names (`0007_….py` holds revision
# "0007"), so a start at the current schema reads one row and imports no Alembic (a quarter
# of a second of every command); Alembic decides everything else.
# tests/store/test_schema_head.py checks the names against Alembic's own head.
HEAD_REVISION = max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


class SchemaError(RuntimeError):
    """The database schema is unknown to this version of the workbench."""


class StaleSchema(SchemaError):
    """The database is at an older schema revision: back it up, then `workbench db upgrade`."""

    def __init__(self, url: URL, current: str, head: str) -> None:
        self.current, self.head = current, head
        where, backup = _where_and_backup(url)
        super().__init__(
            f"データベース {where} のスキーマ (版 {current}) はこの workbench (版 {head}) より古いため"
            f"開けません。バックアップ ({backup}) のうえ `workbench db upgrade` を実行してください / "
            f"the database {where} is older than this version of the workbench (schema {current}, "
            f"this version needs {head}): back it up ({backup}) and run `workbench db upgrade`"
        )


def _where_and_backup(url: URL) -> tuple[str, str]:
    """The database as people name it, and the command that copies it."""
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        return path, f"cp {path} {path}.bak"
    name = url.database or ""
    options = [f"-h {url.host}" if url.host else "", f"-p {url.port}" if url.port else "",
               f"-U {url.username}" if url.username else ""]  # fmt: skip
    return name, " ".join(["pg_dump", *filter(None, options), f"-Fc -f {name}.dump {name}"])


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check(engine: Engine) -> None:
    """What every command does on start: create the schema in an empty database; refuse a
    database at an older revision (`StaleSchema`) or at one this version does not know."""
    if _stamped(engine) == HEAD_REVISION:
        return
    current = current_revision(engine)
    if current == head_revision():
        return
    if current is None:
        upgrade(engine, backup=False)  # a new database: created at head, nothing to back up
        return
    _refuse_unknown(current)
    raise StaleSchema(engine.url, current, head_revision())


def _stamped(engine: Engine) -> str | None:
    """The one revision stamped in `alembic_version`, read with plain SQL; None when there is
    no such table or not exactly one row (then Alembic looks)."""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def _refuse_unknown(current: str) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    if current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaError(
            f"the database is at schema revision {current}, unknown to this version of the "
            "workbench: upgrade the workbench, or restore a backup"
        )


def upgrade(engine: Engine, backup: bool = True) -> str | None:
    """Bring the schema to head; back up an existing SQLite file first.

    Returns the backup path (or None).  A database stamped with a revision this
    version does not know (a newer workbench wrote it) is refused.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is not None:
        _refuse_unknown(current)
    backup_path = _backup_sqlite(engine) if backup and current is not None else None
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup_path


def _backup_sqlite(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    source = Path(engine.url.database)
    if not source.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.parent / "backups" / f"{source.stem}-{stamp}{source.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(source, target)
    return str(target)
