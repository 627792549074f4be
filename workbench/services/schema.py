"""Opening the workbench's database and migrating its schema, for the faces.

`open_database` is what every command does first: the engine, once the schema is known
to be current (an empty database gets the schema; an older one is refused with
`StaleSchema`, whose message says how to back it up and upgrade).  `upgrade_database` is
`workbench db upgrade`, the only migration of an existing database: it reports the
revision before and after, and where the SQLite backup went.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from workbench.store.engine import make_engine
from workbench.store.schema import (
    SchemaError,
    StaleSchema,
    check,
    current_revision,
    head_revision,
    upgrade,
)

__all__ = ["SchemaError", "SchemaUpgrade", "StaleSchema", "open_database", "upgrade_database"]


@dataclass(frozen=True)
class SchemaUpgrade:
    database: str | None  # the SQLite file, or the server database's name
    before: str | None  # the revision found, None for an empty database
    head: str  # the revision the schema is at now
    backup: str | None  # where the SQLite file was copied first, if anywhere


def open_database(url: str, create_folder: bool = False) -> Engine:
    """The engine for `url`, its schema current (`StaleSchema` for an older one); a SQLite
    file's missing folder is created only with `create_folder` (the default database's)."""
    engine = make_engine(url, create_folder=create_folder)
    try:
        check(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade_database(url: str) -> SchemaUpgrade:
    """Migrate the schema to the current revision; a newer database raises `SchemaError`."""
    engine = make_engine(url, create_folder=False)
    try:
        before = current_revision(engine)
        backup = upgrade(engine)
        return SchemaUpgrade(engine.url.database, before, head_revision(), backup)
    finally:
        engine.dispose()
