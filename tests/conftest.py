"""Shared fixtures: every store and service test runs on SQLite and, when
WORKBENCH_TEST_PG_URL is set, on PostgreSQL too (each test in its own schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from workbench.config import Settings, load_settings
from workbench.store.engine import make_engine
from workbench.store.schema import upgrade

PG_URL = os.environ.get("WORKBENCH_TEST_PG_URL")
# Commands the tests start as processes run in-process, each test on its own: the command
# server is tested on its own (tests/e2e/test_cli_server.py) with a runtime folder per test.
os.environ["WORKBENCH_SERVER"] = "off"
# No control group unless a test asks for one: the shipped 10 % would hold back a random tenth
# of every fixture, and the tests count queues, claims and emails exactly.  Its own tests set
# the share (tests/store/test_control_group.py) or check the default.
os.environ["WORKBENCH_KPI_CONTROL_SHARE"] = "0"
BACKENDS = ["sqlite", "postgresql"]


def _sqlite_engine(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'workbench.db'}")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, migrated database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workbench.db'}"
        upgrade(make_engine(url))
        yield url
        return
    url = request.getfixturevalue("pg_empty_url")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url


@pytest.fixture
def pg_empty_url() -> Iterator[str]:
    """A URL of an empty PostgreSQL schema of this test's own, dropped afterwards."""
    if not PG_URL:
        pytest.skip(
            "PostgreSQL tests need WORKBENCH_TEST_PG_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    schema = f"wb_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings() -> Settings:
    return load_settings(path=None, env={"WORKBENCH_KPI_CONTROL_SHARE": "0"})  # as above


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"


@pytest.fixture
def english_messages() -> Iterator[None]:
    """The process's interface language is English for the test (`language = "en"`), then as before."""
    from workbench.messages import use_language

    previous = use_language("en")
    yield
    use_language(previous)
