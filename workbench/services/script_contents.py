"""The stored text of every talk-script version the workbench has met.

A script version is the hash of its file (`workbench.talk.model.script_version`), and only
the current file exists on disk: so the first time a process meets a version (the queue's
pick, a claim, `scripts check`, `scripts diff`) its text goes to `script_contents`, once.
Each process remembers what it stored or found stored, so a queue read costs one SELECT
the first time and nothing after; a version edited in the meantime costs one INSERT … ON
CONFLICT DO NOTHING (two processes meeting it together store it once).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, make_url, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from workbench.store.engine import connection_of
from workbench.store.models import ScriptContent
from workbench.talk.model import Severity, TalkScript, script_version

contents = ScriptContent.__table__
Key = tuple[str, str, str]  # (script_id, language, version)

_lock = threading.Lock()
_met: dict[str, set[Key]] = {}  # database URL → versions stored there (by anyone)


@dataclass(frozen=True)
class StoredVersion:
    script_id: str
    language: str
    version: str
    first_seen: datetime
    content: str


def _key(script: TalkScript) -> Key:
    return script.id, script.language, script.version


def _holds_sqlite_write(conn: Connection) -> bool:
    """True when `conn` is a SQLite connection inside a write transaction (a claim's): a
    second connection would wait on its lock, so the version is stored through this one."""
    if conn.dialect.name != "sqlite":
        return False
    driver = conn.connection.dbapi_connection
    return bool(getattr(driver, "in_transaction", False))


def _rows(scripts: Iterable[TalkScript], at: datetime) -> list[dict[str, object]]:
    """The rows of the scripts whose file still holds the version loaded (an edit since
    is stored when the library reloads it)."""
    out = []
    for script in scripts:
        try:
            data = script.path.read_bytes()
        except OSError:
            continue
        if script_version(data) != script.version:
            continue
        out.append({"script_id": script.id, "language": script.language, "version": script.version,
                    "content": data.decode("utf-8", errors="replace"), "first_seen": at})  # fmt: skip
    return out


def _store(conn: Connection, scripts: Sequence[TalkScript], at: datetime) -> int:
    """Insert the versions not stored yet; returns how many rows were written."""
    ids = sorted({s.id for s in scripts})
    stored = {
        (r.script_id, r.language, r.version)
        for r in conn.execute(
            select(contents.c.script_id, contents.c.language, contents.c.version).where(
                contents.c.script_id.in_(ids)
            )
        )
    }
    rows = _rows([s for s in scripts if _key(s) not in stored], at)
    if not rows:
        return 0
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(contents).values(rows).on_conflict_do_nothing()
    return len(conn.execute(stmt.returning(contents.c.version)).all())


def record_versions(
    bind: Engine | Connection,
    scripts: Sequence[TalkScript],
    at: datetime | None = None,
    *,
    look: bool = False,
) -> int:
    """Store the text of every version in `scripts` this process has not met in this
    database; returns the rows written.  Cheap to call on every pick: versions already met
    cost a set lookup.  Written through `conn` inside a savepoint when it holds SQLite's
    write lock, else in a short transaction of its own, so a read-only caller (`queue`)
    stores too.  A database that cannot be written (read-only file, busy) is left alone:
    the next process tries again; the caller's work goes on.  `look` asks the database even
    for versions this process met (a one-off command in a long-lived process, whose database
    may have been replaced since).  Given an engine, it holds no connection of the caller's: a
    claim stores before its transaction, since from inside it a second connection would be
    needed, and as many claims at once as the pool has connections would wait for it forever."""
    url = str(bind.engine.url)
    with _lock:
        met = set() if look else _met.get(url, set())
        new = [s for s in scripts if _key(s) not in met]
    if not new:
        return 0
    when = at or datetime.now(UTC)
    written = 0
    try:
        if isinstance(bind, Connection) and _holds_sqlite_write(bind):
            with bind.begin_nested():
                written = _store(bind, new, when)
        else:
            with bind.engine.begin() as own:
                written = _store(own, new, when)
    except OperationalError:
        return 0
    with _lock:
        _met.setdefault(url, set()).update(_key(s) for s in new)
    return written


def forget_met(url: str | None = None) -> None:
    """Forget what this process stored (tests; a database replaced under a running process)."""
    with _lock:
        if url is None:
            _met.clear()
        else:
            _met.pop(url, None)


def stored_versions(
    bind: Engine | Connection, script_id: str, language: str | None = None
) -> list[StoredVersion]:
    """The stored versions of one script id (one language's file, or both), oldest first."""
    stmt = select(contents).where(contents.c.script_id == script_id)
    if language is not None:
        stmt = stmt.where(contents.c.language == language)
    stmt = stmt.order_by(contents.c.first_seen, contents.c.version)
    with connection_of(bind) as conn:
        return [
            StoredVersion(r.script_id, r.language, r.version, r.first_seen, r.content)
            for r in conn.execute(stmt)
        ]


def stored_languages(bind: Engine | Connection, script_id: str) -> dict[str, str]:
    """version → the language of the file it was stored from, for one script id."""
    stmt = select(contents.c.version, contents.c.language).where(contents.c.script_id == script_id)
    with connection_of(bind) as conn:
        return {version: language for version, language in conn.execute(stmt)}


def record_files(engine: Engine, paths: Iterable[Path], at: datetime | None = None) -> int:
    """`scripts check`: store the versions of the script files under `paths` that load
    without errors; returns the rows written."""
    from workbench.talk.lint import check_file, iter_script_files

    scripts = []
    for path in iter_script_files(list(paths)):
        script, issues = check_file(path)
        if script is not None and not any(i.severity is Severity.ERROR for i in issues):
            scripts.append(script)
    with engine.connect() as conn:
        return record_versions(conn, scripts, at, look=True)


def database_exists(url: str) -> bool:
    """False for a SQLite file not created yet: `scripts check` creates no database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database or ""
    return database not in ("", ":memory:") and Path(database).is_file()
