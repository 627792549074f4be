"""Fixtures: the demo database built once per session and copied per test; an app factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tui_helpers import NOW, build_demo_db, demo_settings

from workbench.store.database import open_database
from workbench.tui.app import WorkbenchApp
from workbench.tui.dialer import ClipboardDialer


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_db(tmp_path_factory.mktemp("demo") / "template.db")


@pytest.fixture
def db_path(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "workbench.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{demo_template}{suffix}")
        if source.exists():
            shutil.copy(source, f"{target}{suffix}")
    return target


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def make_app(engine: Engine) -> Callable[..., WorkbenchApp]:
    def make(
        operator: str | None = "op01", now: datetime = NOW, language: str = "ja", **kwargs: object
    ) -> WorkbenchApp:
        app = WorkbenchApp(
            engine, demo_settings(language), operator, now=now, dialer=ClipboardDialer(), **kwargs
        )  # type: ignore[arg-type]
        app.session.retry_delays = (0.05, 0.1)
        return app

    return make
