"""The schema check's fast path: a database at the current revision opens without Alembic.

`HEAD_REVISION` must name Alembic's head, or a start would accept a database one migration
behind; a database at any other revision still goes through Alembic (created, or refused).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from workbench.services.schema import StaleSchema, open_database
from workbench.store.schema import HEAD_REVISION, current_revision, head_revision


def test_head_revision_constant_is_alembics_head() -> None:
    assert HEAD_REVISION == head_revision()


def test_current_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'current.db'}"
    open_database(url).dispose()  # created at head (through Alembic)
    probe = (
        "import sys\n"
        "from workbench.services.schema import open_database\n"
        f"open_database({url!r}).dispose()\n"
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_older_stamp_is_still_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_database(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    engine.dispose()
    with pytest.raises(StaleSchema, match="0006"):
        open_database(url)


def test_empty_database_is_created_at_head(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert current_revision(engine) == HEAD_REVISION
    finally:
        engine.dispose()
