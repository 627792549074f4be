"""email-then-call escalation: cadences, their events, the outbox, suppressed addresses;
the script a lease assigned

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workbench.store.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _fk() -> sa.ForeignKey:
    return sa.ForeignKey("customers.id", ondelete="CASCADE")


def upgrade() -> None:
    with op.batch_alter_table("contact_attempts") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
    op.create_index("ix_contact_attempts_message_id", "contact_attempts", ["message_id"])
    with op.batch_alter_table("leases") as batch:
        batch.add_column(sa.Column("script_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("script_version", sa.String(length=20), nullable=True))

    op.create_table(
        "escalation_cadences",
        sa.Column("customer_id", sa.Integer(), _fk(), primary_key=True),
        sa.Column("tier", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("next_at", UTCDateTime(), nullable=True),
        sa.Column("response", sa.String(length=12), nullable=True),
        sa.Column("response_at", UTCDateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(length=40), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_escalation_cadences_due", "escalation_cadences", ["state", "next_at"])

    op.create_table(
        "escalation_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), _fk(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(), nullable=True),
    )
    op.create_index(
        "ix_escalation_events_customer_at", "escalation_events", ["customer_id", "at"]
    )

    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), _fk(), nullable=False, index=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False, unique=True),
        sa.Column("message_id", sa.String(length=255), nullable=False, unique=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("template_id", sa.String(length=100), nullable=False),
        sa.Column("template_version", sa.String(length=20), nullable=True),
        sa.Column("variant_group", sa.String(length=100), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
    )
    op.create_index("ix_email_outbox_due", "email_outbox", ["status", "next_try_at"])

    op.create_table(
        "email_suppressions",
        sa.Column("address", sa.String(length=254), primary_key=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("detail", sa.String(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("email_suppressions")
    op.drop_index("ix_email_outbox_due", table_name="email_outbox")
    op.drop_table("email_outbox")
    op.drop_index("ix_escalation_events_customer_at", table_name="escalation_events")
    op.drop_table("escalation_events")
    op.drop_index("ix_escalation_cadences_due", table_name="escalation_cadences")
    op.drop_table("escalation_cadences")
    with op.batch_alter_table("leases") as batch:
        batch.drop_column("script_version")
        batch.drop_column("script_id")
    op.drop_index("ix_contact_attempts_message_id", table_name="contact_attempts")
    with op.batch_alter_table("contact_attempts") as batch:
        batch.drop_column("message_id")
