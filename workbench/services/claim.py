"""Claiming the next customer: a lease that no other operator can hold at the same time.

The ranking is read first; then a short write transaction takes the lease.  The
lease table's primary key is the guarantee (two operators can never both
insert the same customer); on PostgreSQL the candidate rows are also locked
with FOR UPDATE SKIP LOCKED so concurrent claimers spread over different
customers instead of colliding.  Inside the write transaction the calling rules
are checked once more, since another operator may have just called the customer.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from workbench.config import Settings
from workbench.domain.calling_rules import evaluate
from workbench.services.calling import calling_policy, load_contacts
from workbench.services.queue import QueueEntry, read_queue
from workbench.store.models import Lease, QueueScore

leases = Lease.__table__
scores = QueueScore.__table__
CANDIDATES = 8


def claim(
    engine: Engine, settings: Settings, operator: str, at: datetime, rng: random.Random | None = None
) -> QueueEntry | None:
    """Lease the best callable customer to `operator`, or return the lease they already hold."""
    rng = rng or random.Random()
    with engine.connect() as conn:
        held = _held(conn, operator, at)
        ranked = read_queue(conn, settings, at, operator, CANDIDATES, rng)
    if held is not None:
        for entry in ranked:
            if entry.customer_id == held:
                return entry
    tried: set[int] = set()
    for _ in range(4):
        for entry in ranked:
            if entry.customer_id in tried:
                continue
            tried.add(entry.customer_id)
            if _take(engine, settings, operator, entry, at):
                return entry
        with engine.connect() as conn:
            ranked = read_queue(conn, settings, at, operator, CANDIDATES, rng, exclude=tried)
        if not ranked:
            return None
    return None


def _held(conn: Connection, operator: str, at: datetime) -> int | None:
    return conn.execute(
        select(leases.c.customer_id).where(and_(leases.c.operator == operator, leases.c.expires_at > at)).limit(1)
    ).scalar_one_or_none()


def _take(engine: Engine, settings: Settings, operator: str, entry: QueueEntry, at: datetime) -> bool:
    expires = at + timedelta(minutes=settings.calling.lease_minutes)
    try:
        with engine.begin() as conn:
            # Writing first takes SQLite's write lock before any read, so the
            # busy timeout applies instead of a stale-snapshot failure.
            conn.execute(delete(leases).where(and_(leases.c.customer_id == entry.customer_id, leases.c.expires_at <= at)))
            if conn.dialect.name == "postgresql" and not _lock_row(conn, entry.customer_id):
                return False
            conn.execute(
                insert(leases).values(
                    customer_id=entry.customer_id,
                    operator=operator,
                    claimed_at=at,
                    expires_at=expires,
                    score_json=json.dumps(entry.parts.as_json()),
                )
            )
            contact = load_contacts(conn, [entry.customer_id], at)[entry.customer_id]
            if not evaluate(contact, at, calling_policy(settings), operator=operator).callable:
                raise _NoLongerCallable
    except (IntegrityError, _NoLongerCallable):
        return False
    return True


def _lock_row(conn: Connection, customer_id: int) -> bool:
    row = conn.execute(
        select(scores.c.customer_id).where(scores.c.customer_id == customer_id).with_for_update(skip_locked=True)
    ).first()
    return row is not None


class _NoLongerCallable(Exception):
    pass


def release(conn: Connection, customer_id: int) -> None:
    conn.execute(delete(leases).where(leases.c.customer_id == customer_id))
