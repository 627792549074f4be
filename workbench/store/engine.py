"""One engine factory for every backend."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from workbench.config import ConfigError
from workbench.messages import say
from workbench.store import file_lock


class DatabaseUrlError(ConfigError):
    """The database URL names no database we can open; the message says what to write instead."""


class ReadOnlyDatabase(OperationalError):
    """A SQLite database file (or its folder) cannot be written: nothing was written.

    Every engine from `make_engine` raises it at the first refused write, whichever
    command, service or screen writes, so a face catches this one class (or any
    `OperationalError`, which it is).  `path` is the database file; `orig` is SQLite's
    own error (or the PermissionError of a lock file beside the database).
    """

    def __init__(self, path: str, orig: BaseException, folder: bool = False) -> None:
        super().__init__(None, None, orig)  # type: ignore[arg-type]
        self.path = path
        self.folder = folder

    def __str__(self) -> str:
        where = (
            f"its folder {Path(self.path).parent} is read-only"
            if self.folder
            else "it is read-only"
        )
        return (
            f"db: cannot write the database {self.path}: {where}; nothing was written "
            "(make it writable, or give another --db)"
        )


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
            if Path(database).is_dir():
                example = f"sqlite:///{Path(database) / 'workbench.db'}"
                raise DatabaseUrlError(say("config.db_directory", path=database, example=example))
            folder = Path(database).parent
            if not folder.is_dir():
                if not create_folder:
                    raise DatabaseUrlError(say("config.db_no_folder", folder=folder, path=database))
                folder.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": 30, "factory": _Connection}
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _parse(url: str) -> URL:
    """The URL, with PostgreSQL's usual spellings mapped to the driver we install (psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(say("config.db_not_url", url=repr(url), examples=EXAMPLES)) from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql") and parsed.drivername in (
        "postgres",
        "postgresql",
        "postgresql+psycopg2",
    ):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.drivername != "sqlite":
        raise DatabaseUrlError(
            say("config.db_sqlite_driver", driver=repr(parsed.drivername), examples=EXAMPLES)
        )
    if backend == "postgresql" and parsed.drivername != "postgresql+psycopg":
        raise DatabaseUrlError(say("config.db_pg_driver", driver=repr(parsed.drivername)))
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(say("config.db_backend", backend=repr(backend), examples=EXAMPLES))
    return parsed


class _Cursor(sqlite3.Cursor):
    """SQLite's cursor, with a write refused by a read-only file raised as `ReadOnlyDatabase`."""

    def execute(self, *args: Any) -> Any:
        try:
            return super().execute(*args)
        except sqlite3.OperationalError as exc:
            raise _translated(exc, self.connection) from None

    def executemany(self, *args: Any) -> Any:
        try:
            return super().executemany(*args)
        except sqlite3.OperationalError as exc:
            raise _translated(exc, self.connection) from None

    def executescript(self, *args: Any) -> Any:
        try:
            return super().executescript(*args)
        except sqlite3.OperationalError as exc:
            raise _translated(exc, self.connection) from None


class _Connection(sqlite3.Connection):
    """The driver connection of every SQLite engine: all statements run on `_Cursor`s.

    The translation sits at the driver so that it covers SQLAlchemy's statements and the
    bulk paths that use the driver's cursor directly, in one place.
    """

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.database_path = str(database)

    def cursor(self, factory: Any = _Cursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, *args: Any) -> Any:
        return self.cursor().execute(*args)

    def executemany(self, *args: Any) -> Any:
        return self.cursor().executemany(*args)

    def executescript(self, *args: Any) -> Any:
        return self.cursor().executescript(*args)

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.OperationalError as exc:
            raise _translated(exc, self) from None


def _translated(exc: sqlite3.OperationalError, conn: sqlite3.Connection) -> Exception:
    """`ReadOnlyDatabase` for SQLite's read-only refusals, the error itself otherwise."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    path = getattr(conn, "database_path", "")
    if path in ("", ":memory:") or path.startswith("file:"):
        return exc
    if code == sqlite3.SQLITE_READONLY:
        return ReadOnlyDatabase(path, exc, folder=not _folder_writable(path))
    if code == sqlite3.SQLITE_CANTOPEN and not _folder_writable(path):
        # WAL needs its -wal and -shm files beside the database: a read-only folder refuses them.
        return ReadOnlyDatabase(path, exc, folder=True)
    return exc


def _folder_writable(database: str) -> bool:
    return os.access(Path(database).parent, os.W_OK)


def lock_file(database: str, suffix: str) -> Any:
    """Open (creating) the lock file `database + suffix` beside a SQLite database, for
    appending; a folder where it cannot be created raises `ReadOnlyDatabase`."""
    try:
        return open(f"{database}{suffix}", "a+b")
    except PermissionError as exc:
        raise ReadOnlyDatabase(database, exc, folder=True) from None


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


def connection_of(bind: Engine | Connection) -> AbstractContextManager[Connection]:
    """The connection itself (left open, in its transaction), or a new one from an engine."""
    return bind.connect() if isinstance(bind, Engine) else nullcontext(bind)


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
    with lock_file(engine.url.database, ".writers") as fh:
        file_lock.lock(fh)
        try:
            yield
        finally:
            file_lock.unlock(fh)
