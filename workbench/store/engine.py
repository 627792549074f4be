"""One engine factory for every backend."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from workbench.config import ConfigError


class DatabaseUrlError(ConfigError):
    """The database URL names no database we can open; the message says what to write instead."""


EXAMPLES = "sqlite:///path/to/file.db or postgresql+psycopg://user@host/dbname"


def make_engine(url: str, create_folder: bool = True, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    WAL lets operators read the queue while another process writes, and the
    busy timeout turns short write contention into waiting instead of errors.
    A SQLite file's folder is created only with `create_folder` (the default database's
    own folder); a URL naming a folder that does not exist is a typo, not a wish.
    """
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            folder = Path(database).parent
            if not folder.is_dir():
                if not create_folder:
                    raise DatabaseUrlError(
                        f"db: the folder {folder} does not exist (the database file {database} would go there)"
                    )
                folder.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _parse(url: str) -> URL:
    """The URL, with PostgreSQL's usual spellings mapped to the driver we install (psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"db: {url!r} is not a database URL ({EXAMPLES})") from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql") and parsed.drivername in (
        "postgres",
        "postgresql",
        "postgresql+psycopg2",
    ):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.drivername != "sqlite":
        raise DatabaseUrlError(
            f"db: the SQLite driver {parsed.drivername!r} is not supported ({EXAMPLES})"
        )
    if backend == "postgresql" and parsed.drivername != "postgresql+psycopg":
        raise DatabaseUrlError(
            f"db: the PostgreSQL driver {parsed.drivername!r} is not installed; use postgresql+psycopg://"
        )
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(
            f"db: {backend!r} databases are not supported: SQLite or PostgreSQL ({EXAMPLES})"
        )
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """Take turns for short write transactions on a SQLite file.

    SQLite's busy handler polls with growing sleeps, so under twenty concurrent
    operators some writers starve past the timeout.  An OS lock beside the file
    queues them in the kernel and wakes the next one at once.  PostgreSQL needs
    nothing: it has row locks.
    """
    if (
        engine.dialect.name != "sqlite"
        or not engine.url.database
        or engine.url.database == ":memory:"
    ):
        yield
        return
    with open(f"{engine.url.database}.writers", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
