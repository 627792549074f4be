"""queue_scores.blocked_until: skip customers held back by a retry gap or cap

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workbench.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_scores") as batch_op:
        batch_op.add_column(sa.Column("blocked_until", workbench.store.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_scores") as batch_op:
        batch_op.drop_column("blocked_until")
