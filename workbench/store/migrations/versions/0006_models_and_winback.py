"""Customer-base models and win-backs: day-merged purchase counts, call orders, win-back segments

- customer_metrics.n_days / first_day_amount: purchases merged per local day, as the
  BG/NBD and Gamma-Gamma models count them (several order lines on one day are one transaction);
- transactions.source: 'import' or 'call' (an order taken on a win-back call);
- contact_attempts.winback_key and queue_scores.winback_key: the segment the queue scored the
  customer in, so each conversation's outcome updates the win-back model of that segment;
- queue_scores.expected_spend / horizon_weeks / reason_confidence: visible parts of the score.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer_metrics") as batch_op:
        batch_op.add_column(sa.Column("n_days", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("first_day_amount", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("transactions") as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="import"))
    with op.batch_alter_table("contact_attempts") as batch_op:
        batch_op.add_column(sa.Column("winback_key", sa.String(length=120), nullable=True))
    with op.batch_alter_table("queue_scores") as batch_op:
        batch_op.add_column(sa.Column("winback_key", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("expected_spend", sa.Float(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("horizon_weeks", sa.Float(), nullable=False, server_default="52"))
        batch_op.add_column(sa.Column("reason_confidence", sa.Float(), nullable=False, server_default="1"))
    # Metrics written before this revision have no day counts: recompute them on the next import
    # or rescore (n_days = 0 marks them; the scoring run falls back to n_orders).


def downgrade() -> None:
    with op.batch_alter_table("queue_scores") as batch_op:
        for name in ("reason_confidence", "horizon_weeks", "expected_spend", "winback_key"):
            batch_op.drop_column(name)
    with op.batch_alter_table("contact_attempts") as batch_op:
        batch_op.drop_column("winback_key")
    with op.batch_alter_table("transactions") as batch_op:
        batch_op.drop_column("source")
    with op.batch_alter_table("customer_metrics") as batch_op:
        batch_op.drop_column("first_day_amount")
        batch_op.drop_column("n_days")
