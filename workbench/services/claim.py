"""Claiming the next customer: a lease that no other operator can hold at the same time.

Reading the ranking and taking the lease happen in one transaction.  On SQLite
the transaction starts with a write, so claims run one after another and never
collide; on PostgreSQL the chosen customer's score row is locked FOR UPDATE SKIP
LOCKED, so a concurrent claimer leasing the same customer makes this one try the next.  Either way the lease table's
primary key is the guarantee: an insert that meets another operator's live
lease takes nothing and the claim tries again.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, Select, and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from workbench.config import Settings
from workbench.domain.calling_rules import evaluate
from workbench.services.calling import calling_policy, load_contacts
from workbench.services.dispose_credit import check_operator
from workbench.store.engine import writer_turn
from workbench.store.lease_queries import live_at
from workbench.store.models import Lease, QueueScore

if TYPE_CHECKING:
    from workbench.services.queue import QueueEntry

leases = Lease.__table__
scores = QueueScore.__table__
ATTEMPTS = 8
CHOICES = 2  # the best few, tried in order: a concurrent claimer may be leasing the first
MAX_CHOICES = 32


def claim(
    engine: Engine,
    settings: Settings,
    operator: str,
    at: datetime,
    rng: random.Random | None = None,
) -> QueueEntry | None:
    """Lease the best callable customer to `operator`, or return the lease they already hold.

    An operator id that is not registered (once any are) raises `CreditError`.
    """
    # Here, not at the top: `dispose` imports this module for `release` alone, without the queue's.
    from workbench.services.queue import read_queue
    from workbench.services.script_contents import record_versions
    from workbench.services.talk_choice import library_for

    if engine.dialect.name == "postgresql":
        # Before the transaction: from inside it, new script versions would need a second connection.
        record_versions(engine, library_for(settings).scripts())
    tried: set[int] = set()
    choices = CHOICES
    for _ in range(ATTEMPTS):
        try:
            with writer_turn(engine), engine.begin() as conn:
                check_operator(conn, operator)
                if conn.dialect.name == "sqlite":
                    # A write first takes SQLite's write lock: the read below and the insert are one step.
                    conn.execute(delete(leases).where(leases.c.expires_at <= at))
                held = _held(conn, operator, at)
                if held is not None:
                    again = read_queue(conn, settings, at, operator, 1, rng, only=[held])
                    if again:
                        return again[0]
                    conn.execute(delete(leases).where(leases.c.customer_id == held))
                entries = read_queue(conn, settings, at, operator, choices, rng, exclude=tried)
                if not entries:
                    return None
                for entry in entries:
                    tried.add(entry.customer_id)
                    if not _lock_one(conn, entry.customer_id):
                        continue
                    if conn.dialect.name == "postgresql" and not _still_callable(
                        conn, settings, entry.customer_id, at, operator
                    ):
                        continue
                    if _lease(conn, entry, operator, at, settings.calling.lease_minutes):
                        return entry
            # Every choice was being leased by someone else: under contention, look further down.
            choices = min(choices * 2, MAX_CHOICES)
        except IntegrityError:
            continue
    return None


def _lock_one(conn: Connection, customer_id: int) -> bool:
    """PostgreSQL: lock the chosen customer's score row, or learn that another claimer holds it.

    Only the customer about to be leased is locked: locking every candidate read would make
    twenty concurrent claimers skip each other's pages until the queue looked empty.
    """
    if conn.dialect.name != "postgresql":
        return True
    return (
        conn.execute(_score_row(customer_id).with_for_update(skip_locked=True)).first() is not None
    )


def _score_row(customer_id: int) -> Select[tuple[int]]:
    """The row claims and dispositions lock, in that order before the lease."""
    return select(scores.c.customer_id).where(scores.c.customer_id == customer_id)


def _still_callable(
    conn: Connection, settings: Settings, customer_id: int, at: datetime, operator: str
) -> bool:
    """The rules again, on a read after the lock: the ranking was read before it, and a call
    recorded meanwhile (its lease gone, its retry gap begun) is seen only by a later read."""
    contact = load_contacts(conn, [customer_id], at, settings)[customer_id]
    return evaluate(contact, at, calling_policy(settings), operator=operator).callable


def hold_for_disposition(conn: Connection, customer_id: int) -> None:
    """PostgreSQL: lock the customer's score row before a disposition touches their lease.

    A claim locks that row before its lease, so taking it first here keeps one lock order:
    otherwise a claim holding the row and waiting for the lease, and a disposition holding the
    lease and waiting for the row, deadlock.  A claim meanwhile skips the customer.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_score_row(customer_id).with_for_update())


def _held(conn: Connection, operator: str, at: datetime) -> int | None:
    return conn.execute(
        select(leases.c.customer_id)
        .where(and_(leases.c.operator == operator, live_at(at)))
        .limit(1)
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
        "script_id": entry.script.script_id if entry.script else None,
        "script_version": entry.script.version if entry.script else None,
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


def release_claim(engine: Engine, customer_id: int) -> None:
    """Give a claimed customer back to the queue (an operator who will not call after all)."""
    with writer_turn(engine), engine.begin() as conn:
        release(conn, customer_id)
