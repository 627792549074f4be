"""reasons a supervisor marked "fixed as of a date" (the queue re-approaches customers who
left for them), the day a customer's reason was fixed on their score, and operators' roles

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reason_fixes",
        sa.Column("reason", sa.String(length=40), primary_key=True),
        sa.Column("kind", sa.String(length=3), primary_key=True),
        sa.Column("fixed_on", sa.String(length=10), nullable=False),
        sa.Column("marked_by", sa.String(length=64), nullable=False),
        sa.Column("marked_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    with op.batch_alter_table("operators") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=12), nullable=False, server_default="operator")
        )
    with op.batch_alter_table("queue_scores") as batch:
        batch.add_column(sa.Column("reason_fixed", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queue_scores") as batch:
        batch.drop_column("reason_fixed")
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("role")
    op.drop_table("reason_fixes")
