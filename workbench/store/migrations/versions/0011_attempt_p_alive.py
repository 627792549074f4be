"""the customer's P(alive) on each call (the win-back model fits how often customers it holds
not alive come back from it) and each score's alive weight

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact_attempts") as batch:
        batch.add_column(sa.Column("p_alive", sa.Float(), nullable=True))
    with op.batch_alter_table("queue_scores") as batch:
        batch.add_column(sa.Column("alive_weight", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_scores") as batch:
        batch.drop_column("alive_weight")
    with op.batch_alter_table("contact_attempts") as batch:
        batch.drop_column("p_alive")
