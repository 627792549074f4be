"""queue_scores: the claim's candidate index holds only the customers the queue may offer

The index on base_score alone made every claim walk past the active customers (the
highest scores, never in the win-back queue) and the customers held back for good: on a
million customers about 6,400 table rows for 24 candidates, 10 ms a page.  The partial
index holds the queue's states with no permanent block, and carries the state and the
retry hold, so a page is read from the index alone.

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

# The same text as `workbench.store.models.QUEUE_CANDIDATES` when this revision was written.
WHERE = "permanent_block IS NULL AND state IN ('dormant', 'at_risk', 'churned')"


def upgrade() -> None:
    op.drop_index("ix_queue_scores_base", table_name="queue_scores")
    op.create_index(
        "ix_queue_scores_candidates",
        "queue_scores",
        ["base_score", "customer_id", "state", "blocked_until"],
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_queue_scores_candidates", table_name="queue_scores")
    op.create_index("ix_queue_scores_base", "queue_scores", ["base_score"], unique=False)
