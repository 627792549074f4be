"""The email outbox's queries: write a message, claim due ones under a lease, record outcomes.

Every helper takes a connection and never commits; the services own the transactions.

A claim is one statement on both backends (`UPDATE … WHERE id IN (SELECT … LIMIT n)
RETURNING …`): on SQLite the UPDATE takes the database's write lock before it reads, so two
claimers run one after the other and the second sees the first one's rows as leased; on
PostgreSQL the inner SELECT locks its rows `FOR UPDATE SKIP LOCKED`, so a concurrent claimer
passes over them instead of waiting and claiming them again.  Either way a row is leased to
one owner until `lease_until`; the outcome updates name the owner, so a run whose lease was
taken over after it expired cannot overwrite the new holder's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from workbench.store.models import Customer, EmailSuppression, OutboxMessage

outbox = OutboxMessage.__table__
suppressions = EmailSuppression.__table__
customers = Customer.__table__

STATUSES = ("queued", "sending", "sent", "failed", "skipped")


@dataclass(frozen=True)
class OutboxRow:
    """One claimed message, as plain values (what the sender needs to build and send it)."""

    id: int
    customer_id: int
    message_id: str
    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    template_id: str
    step: int
    attempts: int
    lease_until: datetime


def insert_message(conn: Connection, values: dict[str, Any]) -> int | None:
    """Queue one message; None when its `dedupe_key` is already in the outbox (written before)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(outbox)
        .values(status="queued", attempts=0, **values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(outbox.c.id)
    )
    return conn.execute(stmt).scalar_one_or_none()


def claim_due(
    conn: Connection, now: datetime, owner: str, lease_until: datetime, limit: int
) -> list[OutboxRow]:
    """Lease up to `limit` due messages to `owner`: queued ones whose `next_try_at` has come,
    and 'sending' ones whose lease expired (their sender died): those are sent again."""
    due = or_(
        and_(outbox.c.status == "queued", outbox.c.next_try_at <= now),
        and_(outbox.c.status == "sending", outbox.c.lease_until <= now),
    )
    inner = select(outbox.c.id).where(due).order_by(outbox.c.next_try_at, outbox.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        inner = inner.with_for_update(skip_locked=True)
    stmt = (
        update(outbox)
        .where(outbox.c.id.in_(inner.scalar_subquery()))
        .where(due)  # re-checked: a PostgreSQL row may have changed between the read and the lock
        .values(
            status="sending",
            lease_owner=owner,
            lease_until=lease_until,
            attempts=outbox.c.attempts + 1,
        )
        .returning(
            outbox.c.id,
            outbox.c.customer_id,
            outbox.c.message_id,
            outbox.c.to_address,
            outbox.c.subject,
            outbox.c.body_text,
            outbox.c.body_html,
            outbox.c.template_id,
            outbox.c.step,
            outbox.c.attempts,
            outbox.c.lease_until,
        )
    )
    rows = [OutboxRow(**row._mapping) for row in conn.execute(stmt)]
    return sorted(rows, key=lambda r: r.id)


def _held(message_id: int, owner: str) -> Any:
    return and_(
        outbox.c.id == message_id, outbox.c.status == "sending", outbox.c.lease_owner == owner
    )


def mark_sent(conn: Connection, message_id: int, owner: str, at: datetime) -> bool:
    """The server accepted it.  Recorded even when the lease was taken over meanwhile (the
    message has left either way); False then, so the caller knows another run holds it."""
    held = conn.execute(
        update(outbox)
        .where(_held(message_id, owner))
        .values(status="sent", sent_at=at, lease_owner=None, lease_until=None, last_error=None)
    ).rowcount
    if held:
        return True
    conn.execute(
        update(outbox)
        .where(and_(outbox.c.id == message_id, outbox.c.status != "sent"))
        .values(status="sent", sent_at=at, lease_owner=None, lease_until=None, last_error=None)
    )
    return False


def mark_retry(
    conn: Connection, message_id: int, owner: str, next_try_at: datetime, error: str
) -> bool:
    """A temporary failure: queued again for `next_try_at`."""
    return bool(
        conn.execute(
            update(outbox)
            .where(_held(message_id, owner))
            .values(
                status="queued",
                next_try_at=next_try_at,
                lease_owner=None,
                lease_until=None,
                last_error=error[:2000],
            )
        ).rowcount
    )


def release(conn: Connection, message_id: int, owner: str) -> bool:
    """Give a claimed message back untried (the run stops early): queued as it was, the
    attempt it was counted for undone."""
    return bool(
        conn.execute(
            update(outbox)
            .where(_held(message_id, owner))
            .values(
                status="queued",
                lease_owner=None,
                lease_until=None,
                attempts=outbox.c.attempts - 1,
            )
        ).rowcount
    )


def mark_final(conn: Connection, message_id: int, owner: str, status: str, detail: str) -> bool:
    """'failed' (a permanent refusal, or too many temporary ones) or 'skipped' (with the reason)."""
    if status not in ("failed", "skipped"):
        raise ValueError(f"final status must be failed or skipped, got {status!r}")
    return bool(
        conn.execute(
            update(outbox)
            .where(_held(message_id, owner))
            .values(status=status, lease_owner=None, lease_until=None, last_error=detail[:2000])
        ).rowcount
    )


def suppression_of(conn: Connection, address: str) -> str | None:
    """'bounced' or 'rejected' when email must not go to `address`; None otherwise."""
    return conn.execute(
        select(suppressions.c.status).where(suppressions.c.address == normal_address(address))
    ).scalar_one_or_none()


def suppress(
    conn: Connection, address: str, status: str, detail: str | None, source: str, at: datetime
) -> None:
    """Put `address` on the suppression list (a later bounce or refusal updates the entry)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {"status": status, "detail": (detail or "")[:2000] or None, "source": source, "at": at}
    stmt = dialect.insert(suppressions).values(address=normal_address(address), **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["address"], set_=values))


def normal_address(address: str) -> str:
    return address.strip().lower()


@dataclass(frozen=True)
class SentMessage:
    """An outbox message a reply or a bounce may name."""

    id: int
    customer_id: int
    message_id: str
    to_address: str
    status: str


def _sent_columns() -> Any:
    return select(
        outbox.c.id,
        outbox.c.customer_id,
        outbox.c.message_id,
        outbox.c.to_address,
        outbox.c.status,
    )


def messages_by_id(conn: Connection, message_ids: list[str]) -> list[SentMessage]:
    """The outbox messages among `message_ids` (with or without their angle brackets), in the
    order given."""
    wanted = [m.strip() for m in message_ids if m.strip()]
    variants = {v for m in wanted for v in (m, f"<{m.strip('<>')}>", m.strip("<>"))}
    if not variants:
        return []
    found = {
        row.message_id: SentMessage(**row._mapping)
        for row in conn.execute(_sent_columns().where(outbox.c.message_id.in_(variants)))
    }
    ordered: list[SentMessage] = []
    for m in wanted:
        for v in (m, f"<{m.strip('<>')}>", m.strip("<>")):
            if v in found and found[v] not in ordered:
                ordered.append(found[v])
    return ordered


def messages_with_token(conn: Connection, token: str) -> list[SentMessage]:
    """Outbox messages whose Message-ID starts with `<token.` (the reply address's token)."""
    if not token.isalnum():
        return []
    pattern = f"<{token.lower()}.%"
    return [
        SentMessage(**row._mapping)
        for row in conn.execute(_sent_columns().where(outbox.c.message_id.like(pattern)))
    ]


def latest_to_address(conn: Connection, address: str) -> SentMessage | None:
    """The newest outbox message sent to `address` (a bounce that names only the recipient)."""
    row = conn.execute(
        _sent_columns()
        .where(func.lower(outbox.c.to_address) == normal_address(address))
        .order_by(outbox.c.queued_at.desc(), outbox.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else SentMessage(**row._mapping)


def customers_with_address(conn: Connection, address: str) -> list[int]:
    """Customers whose current email is `address` (case-insensitively)."""
    return list(
        conn.execute(
            select(customers.c.id).where(func.lower(customers.c.email) == normal_address(address))
        ).scalars()
    )


def status_counts(conn: Connection) -> dict[str, int]:
    """How many outbox messages are in each status."""
    rows = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {status: int(n) for status, n in rows}
