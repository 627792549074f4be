"""Opening the configured database: engine plus automatic schema upgrade."""

from __future__ import annotations

from sqlalchemy import Engine

from workbench.store.engine import make_engine
from workbench.store.schema import upgrade


def open_database(url: str, migrate: bool = True, create_folder: bool = True) -> Engine:
    engine = make_engine(url, create_folder=create_folder)
    if migrate:
        upgrade(engine)
    return engine
