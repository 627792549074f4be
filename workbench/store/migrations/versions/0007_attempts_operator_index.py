"""contact_attempts: an index by (operator, at) for whether a callback's owner is working

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_attempts_operator_at", "contact_attempts", ["operator", "at"])


def downgrade() -> None:
    op.drop_index("ix_contact_attempts_operator_at", table_name="contact_attempts")
