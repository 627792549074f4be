"""talk scripts: the stored content of every version met, team leads' pins and retirements,
and the audit log of who changed them

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "script_contents",
        sa.Column("script_id", sa.String(length=100), primary_key=True),
        sa.Column("language", sa.String(length=5), primary_key=True),
        sa.Column("version", sa.String(length=20), primary_key=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
    )

    op.create_table(
        "script_pins",
        sa.Column("reason", sa.String(length=40), primary_key=True),
        sa.Column("kind", sa.String(length=3), primary_key=True),
        sa.Column("script_id", sa.String(length=100), nullable=False),
        sa.Column("pinned_by", sa.String(length=64), nullable=False),
        sa.Column("pinned_at", UTCDateTime(), nullable=False),
    )

    op.create_table(
        "script_retirements",
        sa.Column("script_id", sa.String(length=100), primary_key=True),
        sa.Column("retired_by", sa.String(length=64), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=False),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False, index=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("script_retirements")
    op.drop_table("script_pins")
    op.drop_table("script_contents")
