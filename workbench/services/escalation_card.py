"""What the operator's card shows of the escalation: the email sent and how the customer answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, select

from workbench.store.models import ContactAttempt, OutboxMessage

outbox = OutboxMessage.__table__
attempts = ContactAttempt.__table__
STRENGTH = {"opened": 1, "clicked": 2, "replied": 3}


@dataclass(frozen=True)
class EmailOnCard:
    subject: str
    sent_at: datetime
    response: str | None  # the strongest answer to it: opened, clicked or replied
    response_at: datetime | None
    said: str | None  # what a reply said (its first lines)


def email_on_card(engine: Engine, customer_id: int) -> EmailOnCard | None:
    """The customer's latest sent email and its strongest answer; None when none was sent."""
    with engine.connect() as conn:
        sent = conn.execute(
            select(outbox.c.subject, outbox.c.sent_at, outbox.c.message_id)
            .where(and_(outbox.c.customer_id == customer_id, outbox.c.status == "sent"))
            .order_by(outbox.c.sent_at.desc(), outbox.c.id.desc())
            .limit(1)
        ).first()
        if sent is None:
            return None
        answers = conn.execute(
            select(attempts.c.outcome, attempts.c.at, attempts.c.note).where(
                and_(
                    attempts.c.customer_id == customer_id,
                    attempts.c.channel == "email",
                    attempts.c.message_id == sent.message_id,
                    attempts.c.outcome.in_(tuple(STRENGTH)),
                )
            )
        ).all()
    best = max(answers, key=lambda a: (STRENGTH[a.outcome], a.at), default=None)
    return EmailOnCard(
        sent.subject,
        sent.sent_at,
        best.outcome if best else None,
        best.at if best else None,
        best.note if best else None,
    )
