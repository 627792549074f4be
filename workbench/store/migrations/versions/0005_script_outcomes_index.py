"""contact_attempts: a partial covering index for the script selector's tally

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHERE = sa.text("script_version IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_contact_attempts_script_outcomes", "contact_attempts", ["script_id", "script_version", "outcome", "channel"],
        sqlite_where=WHERE, postgresql_where=WHERE,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_contact_attempts_script_outcomes", table_name="contact_attempts")
