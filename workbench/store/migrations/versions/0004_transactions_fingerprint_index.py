"""transactions.fingerprint: a named unique index instead of an inline constraint

A first load of millions of purchases into an empty table is several times
faster when the indexes are built once at the end; SQLite can drop a named
index inside the import's transaction, but never an inline UNIQUE constraint.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = "id, customer_id, ordered_at, amount, category, product, fingerprint"
_TABLE = """CREATE TABLE {name} (
    id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    ordered_at DATETIME NOT NULL,
    amount BIGINT NOT NULL,
    category VARCHAR(100),
    product VARCHAR(200),
    fingerprint BIGINT NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE{extra}
)"""


def _rebuild_sqlite(extra: str) -> None:
    op.execute(_TABLE.format(name="transactions_rebuilt", extra=extra))
    op.execute(f"INSERT INTO transactions_rebuilt ({_COLUMNS}) SELECT {_COLUMNS} FROM transactions")
    op.execute("DROP TABLE transactions")
    op.execute("ALTER TABLE transactions_rebuilt RENAME TO transactions")
    op.create_index("ix_transactions_customer_ordered", "transactions", ["customer_id", "ordered_at"])


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite("")
    else:
        op.drop_constraint("transactions_fingerprint_key", "transactions", type_="unique")
    op.create_index("ux_transactions_fingerprint", "transactions", ["fingerprint"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_transactions_fingerprint", table_name="transactions")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(",\n    UNIQUE (fingerprint)")
    else:
        op.create_unique_constraint("transactions_fingerprint_key", "transactions", ["fingerprint"])
