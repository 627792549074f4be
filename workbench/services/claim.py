"""Claiming the next customer: a lease that no other operator can hold at the same time.

Reading the ranking and taking the lease happen in one transaction.  On SQLite
the transaction starts with a write, so claims run one after another and never
collide; on PostgreSQL the candidates are locked FOR UPDATE SKIP LOCKED, so
concurrent claimers look at different customers.  Either way the lease table's
primary key is the guarantee: an insert that meets another operator's live
lease takes nothing and the claim tries again.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from workbench.config import Settings
from workbench.services.queue import QueueEntry, read_queue
from workbench.store.engine import writer_turn
from workbench.store.models import Lease

leases = Lease.__table__
ATTEMPTS = 5


def claim(
    engine: Engine, settings: Settings, operator: str, at: datetime, rng: random.Random | None = None
) -> QueueEntry | None:
    """Lease the best callable customer to `operator`, or return the lease they already hold."""
    rng = rng or random.Random()
    for _ in range(ATTEMPTS):
        try:
            with writer_turn(engine), engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    # A write first takes SQLite's write lock: the read below and the insert are one step.
                    conn.execute(delete(leases).where(leases.c.expires_at <= at))
                held = _held(conn, operator, at)
                if held is not None:
                    again = read_queue(conn, settings, at, operator, 1, rng, only=[held])
                    if again:
                        return again[0]
                    conn.execute(delete(leases).where(leases.c.customer_id == held))
                entries = read_queue(conn, settings, at, operator, 1, rng, lock=True)
                if not entries:
                    return None
                if _lease(conn, entries[0], operator, at, settings.calling.lease_minutes):
                    return entries[0]
        except IntegrityError:
            continue
    return None


def _held(conn: Connection, operator: str, at: datetime) -> int | None:
    return conn.execute(
        select(leases.c.customer_id).where(and_(leases.c.operator == operator, leases.c.expires_at > at)).limit(1)
    ).scalar_one_or_none()


def _lease(conn: Connection, entry: QueueEntry, operator: str, at: datetime, minutes: int) -> bool:
    """Insert the lease, or take over an expired one; False when a live lease is in the way."""
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    values = {
        "customer_id": entry.customer_id,
        "operator": operator,
        "claimed_at": at,
        "expires_at": at + timedelta(minutes=minutes),
        "score_json": json.dumps(entry.parts.as_json()),
    }
    stmt = dialect.insert(leases).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["customer_id"],
        set_={k: stmt.excluded[k] for k in values if k != "customer_id"},
        where=leases.c.expires_at <= at,
    ).returning(leases.c.customer_id)
    return conn.execute(stmt).first() is not None


def release(conn: Connection, customer_id: int) -> None:
    conn.execute(delete(leases).where(leases.c.customer_id == customer_id))
