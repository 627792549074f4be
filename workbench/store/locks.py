"""Named locks across processes, for work that must run once at a time (the scoring run).

Each backend's lock dies with its holder, so a crashed or killed process never leaves
one behind:

- PostgreSQL: a session-level advisory lock on a dedicated connection, keyed by the
  schema and the name (tests share one database with a schema each).
- SQLite file: an OS file lock (`workbench.store.file_lock`: `flock`, or its fallbacks
  where there is none) on `<database>-<name>.lock` beside the file.
- SQLite in memory: the database lives in this process, so a process-local lock.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from workbench.store import file_lock
from workbench.store.engine import lock_file

POLL_SECONDS = 0.05


class LockTimeout(Exception):
    """Waited the whole timeout for a named lock another process holds."""

    def __init__(self, name: str, waited: float, what: str) -> None:
        self.name = name
        self.waited = waited
        super().__init__(
            f"waited {waited:g} s for {what} in another workbench process (lock {name!r}); "
            "try again when it has finished (a crashed run frees the lock by itself)"
        )


@contextmanager
def named_lock(
    engine: Engine, name: str, timeout: float | None, what: str = "a run"
) -> Iterator[bool]:
    """Hold the lock `name` for the block.

    `timeout=None` does not wait: the block gets False when another holder has it
    (and must not do the work).  Otherwise wait up to `timeout` seconds, then raise
    `LockTimeout`; the block gets True.
    """
    if engine.dialect.name == "postgresql":
        cm = _pg_lock(engine, name, timeout, what)
    elif engine.url.database and engine.url.database != ":memory:":
        cm = _file_lock(engine.url.database, f"-{name}.lock", name, timeout, what)
    else:
        cm = _local_lock(engine, name, timeout, what)
    with cm as held:
        yield held


def is_locked(engine: Engine, name: str) -> bool:
    """Whether someone holds `name` right now (a snapshot: it may be free a moment later)."""
    with named_lock(engine, name, None) as held:
        return not held


@contextmanager
def _pg_lock(engine: Engine, name: str, timeout: float | None, what: str) -> Iterator[bool]:
    key = "hashtextextended(current_schema() || '/' || :name, 0)"
    conn = engine.connect()
    held = False
    try:
        if timeout is None:
            held = bool(
                conn.execute(
                    text(f"SELECT pg_try_advisory_lock({key})"), {"name": name}
                ).scalar_one()
            )
        else:
            held = _pg_wait(conn, key, name, timeout, what)
        conn.commit()  # the advisory lock is the session's; no transaction stays open while held
        yield held
    finally:
        try:
            if held:
                conn.execute(text(f"SELECT pg_advisory_unlock({key})"), {"name": name})
                conn.commit()
        except DBAPIError:
            conn.invalidate()  # closing the connection frees the lock anyway
        finally:
            conn.close()


def _pg_wait(conn: Connection, key: str, name: str, timeout: float, what: str) -> bool:
    conn.execute(
        text("SELECT set_config('lock_timeout', :ms, true)"),
        {"ms": f"{max(1, int(timeout * 1000))}ms"},
    )
    try:
        conn.execute(text(f"SELECT pg_advisory_lock({key})"), {"name": name})
    except OperationalError as exc:
        if (
            getattr(exc.orig, "sqlstate", None) == "55P03"
        ):  # lock_not_available: lock_timeout ran out
            conn.rollback()
            raise LockTimeout(name, timeout, what) from None
        raise
    return True


@contextmanager
def _file_lock(
    database: str, suffix: str, name: str, timeout: float | None, what: str
) -> Iterator[bool]:
    with lock_file(database, suffix) as fh:  # a read-only folder is ReadOnlyDatabase
        held = _flock(fh, timeout)
        if held is None:
            raise LockTimeout(name, timeout or 0.0, what)
        try:
            yield held
        finally:
            if held:
                file_lock.unlock(fh)


def _flock(fh: IO[bytes], timeout: float | None) -> bool | None:
    """True when taken; False when busy and not waiting; None when the wait timed out.

    `flock` itself cannot time out, so a bounded wait polls (a scoring run takes seconds,
    a 50 ms poll is no cost).
    """
    deadline = time.monotonic() + (timeout or 0.0)
    while True:
        if file_lock.try_lock(fh):
            return True
        if timeout is None:
            return False
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


_LOCAL: weakref.WeakKeyDictionary[Engine, dict[str, threading.Lock]] = weakref.WeakKeyDictionary()
_LOCAL_GUARD = threading.Lock()


@contextmanager
def _local_lock(engine: Engine, name: str, timeout: float | None, what: str) -> Iterator[bool]:
    with _LOCAL_GUARD:
        lock = _LOCAL.setdefault(engine, {}).setdefault(name, threading.Lock())
    held = lock.acquire(blocking=False) if timeout is None else lock.acquire(timeout=timeout)
    if not held and timeout is not None:
        raise LockTimeout(name, timeout, what)
    try:
        yield held
    finally:
        if held:
            lock.release()
