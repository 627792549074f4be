"""A database at an older schema revision: refused by every command but `db upgrade`, which migrates it.

Through the console entry point, on a real SQLite file migrated only to an older revision
(and on PostgreSQL, in a schema of its own, when WORKBENCH_TEST_PG_URL is set).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from workbench.store.engine import make_engine
from workbench.store.schema import MIGRATIONS, current_revision, head_revision

BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]
OLD = "0005"


def workbench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    return subprocess.run(
        [*BASE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def migrate_to(url: str, revision: str) -> None:
    """The schema as an older workbench left it: migrated only as far as `revision`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def revision_of(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database at schema revision OLD."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        migrate_to(url, OLD)
        yield url
        return
    url = request.getfixturevalue("pg_empty_url")
    migrate_to(url, OLD)
    yield url


def test_the_old_revision_is_older_than_this_version() -> None:
    assert head_revision() != OLD  # otherwise the tests below would test nothing


@pytest.mark.parametrize(
    "args",
    [
        ["customers"],
        ["queue", "--limit", "1"],
        ["rescore"],
        ["import", "customers", "missing.csv"],
        ["ui"],
    ],
)
def test_every_command_refuses_an_older_schema_and_leaves_it_alone(
    old_db: str, args: list[str], tmp_path: Path
) -> None:
    out = workbench("--db", old_db, *args, cwd=tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    line = lines[0]
    assert line.startswith("error: ")
    assert f"schema {OLD}" in line and f"needs {head_revision()}" in line
    assert "older than this version" in line and "`workbench db upgrade`" in line
    if old_db.startswith("sqlite"):
        path = old_db.removeprefix("sqlite:///")
        assert f"cp {path} {path}.bak" in line
    else:
        assert "pg_dump" in line
    assert revision_of(old_db) == OLD  # nothing was upgraded on the way


def test_db_upgrade_migrates_from_the_old_revision_and_then_commands_work(
    old_db: str, tmp_path: Path
) -> None:
    out = workbench("--db", old_db, "db", "upgrade", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"upgraded the schema from {OLD} to {head_revision()}" in out.stdout
    assert revision_of(old_db) == head_revision()
    if old_db.startswith("sqlite"):
        backups = list((tmp_path / "backups").glob("old-*.db"))
        assert len(backups) == 1 and f"→ {backups[0]}" in out.stdout
        assert revision_of(f"sqlite:///{backups[0]}") == OLD  # the copy is the database before
    again = workbench("--db", old_db, "db", "upgrade", cwd=tmp_path)
    assert again.returncode == 0 and f"already at {head_revision()}" in again.stdout
    listed = workbench("--db", old_db, "customers", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr


def test_an_empty_database_gets_the_schema_on_first_use(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    out = workbench("--db", f"sqlite:///{db}", "customers", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert revision_of(f"sqlite:///{db}") == head_revision()


def test_a_revision_this_version_does_not_know_is_refused_by_upgrade_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    migrate_to(url, "head")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for args in (["customers"], ["db", "upgrade"]):
        out = workbench("--db", url, *args, cwd=tmp_path)
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        assert "9999, unknown to this version" in out.stderr
    assert revision_of(url) == "9999"
