"""Schema revision check and Alembic upgrades, run on start and by `workbench db upgrade`."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaError(RuntimeError):
    """The database schema is unknown to this version of the workbench."""


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, backup: bool = True) -> str | None:
    """Bring the schema to head; back up an existing SQLite file first.

    Returns the backup path (or None).  A database stamped with a revision this
    version does not know (a newer workbench wrote it) is refused.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    script = ScriptDirectory.from_config(_config())
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaError(
            f"the database is at schema revision {current}, unknown to this version of the "
            "workbench: upgrade the workbench, or restore a backup"
        )
    backup_path = _backup_sqlite(engine) if backup and current is not None else None
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
