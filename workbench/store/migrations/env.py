"""Alembic environment: the engine comes from the caller (workbench.store.schema)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import workbench.store.models  # noqa: F401  (registers the tables)
import workbench.store.reason_models  # noqa: F401  (the tables models.py has no room for)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
