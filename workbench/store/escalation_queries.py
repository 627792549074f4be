"""Reading and writing escalation cadences and their events; the queue's escalation filters.

Every function takes a connection (or a session) inside the caller's transaction and
never commits.  A cadence is written with a conditional update on what was read, so two
runs moving the same cadence at once move it once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workbench.domain.escalation import Cadence, Move
from workbench.store.models import (
    ContactAttempt,
    Customer,
    EmailSuppression,
    EscalationCadence,
    EscalationEvent,
    ModelState,
    OutboxMessage,
    QueueScore,
)

cadences = EscalationCadence.__table__
events = EscalationEvent.__table__
customers = Customer.__table__
scores = QueueScore.__table__
suppressions = EmailSuppression.__table__
outbox = OutboxMessage.__table__
attempts = ContactAttempt.__table__
model_state = ModelState.__table__

Conn = Connection | Session


@dataclass(frozen=True)
class Untiered:
    customer_id: int
    value: float
    p_alive: float
    state: str


@dataclass(frozen=True)
class Reach:
    """What decides whether a customer can be emailed now (特定電子メール法, bounces)."""

    email: str | None
    opted_out: bool
    consent: bool | None
    suppression: str | None  # bounced | rejected
    # Held back from every contact (services.control_group.reach sets it).
    control_group: bool = False

    def email_block(self) -> str | None:
        if self.opted_out:
            return "opted_out"
        if self.consent is False:
            return "no_consent"
        if self.control_group:  # after the legal refusals, as in the calling rules
            return "control_group"
        if not (self.email or "").strip():
            return "no_address"
        return self.suppression


def _cadence(row: Any) -> Cadence:
    return Cadence(
        tier=row.tier,
        state=row.state,
        step=row.step,
        next_at=row.next_at,
        started_at=row.started_at,
        response=row.response,
        response_at=row.response_at,
        ended_reason=row.ended_reason,
    )


def load_cadence(conn: Conn, customer_id: int) -> Cadence | None:
    row = conn.execute(select(cadences).where(cadences.c.customer_id == customer_id)).first()
    return None if row is None else _cadence(row)


def untiered(conn: Conn, states: tuple[str, ...]) -> list[Untiered]:
    """Scored customers in `states`, not blocked for good, that have no cadence yet."""
    has = exists().where(cadences.c.customer_id == scores.c.customer_id)
    rows = conn.execute(
        select(scores.c.customer_id, scores.c.value, scores.c.p_alive, scores.c.state)
        .where(and_(scores.c.state.in_(states), scores.c.permanent_block.is_(None), ~has))
        .order_by(scores.c.customer_id)
    ).all()
    return [Untiered(r.customer_id, r.value, r.p_alive, r.state) for r in rows]


def insert_cadences(conn: Conn, new: list[tuple[int, Cadence]], at: datetime) -> int:
    """New cadences with their `tiered` events (under the run's lock: none exists yet); a
    cadence some other writer made meanwhile is kept as it is."""
    if not new:
        return 0
    dialect = postgresql if _dialect(conn) == "postgresql" else sqlite
    stmt = dialect.insert(cadences).on_conflict_do_nothing(index_elements=["customer_id"])
    conn.execute(stmt, [{"customer_id": cid, "updated_at": at, **_values(c)} for cid, c in new])
    conn.execute(
        insert(events),
        [{"customer_id": cid, "at": at, "kind": "tiered", "state": c.state, "step": c.step,
          "detail": c.tier} for cid, c in new],
    )  # fmt: skip
    return len(new)


def due(conn: Conn, at: datetime, limit: int) -> list[tuple[int, Cadence]]:
    """Cadences on the email track whose next move is due at `at`, earliest first."""
    rows = conn.execute(
        select(cadences)
        .where(and_(cadences.c.state == "emailed", cadences.c.next_at <= at))
        .order_by(cadences.c.next_at, cadences.c.customer_id)
        .limit(limit)
    ).all()
    return [(r.customer_id, _cadence(r)) for r in rows]


def save_move(conn: Conn, customer_id: int, before: Cadence, move: Move, at: datetime) -> bool:
    """Write the move if the cadence is still as read; False when another run moved it first."""
    match = [
        cadences.c.customer_id == customer_id,
        cadences.c.state == before.state,
        cadences.c.step == before.step,
        cadences.c.tier == before.tier,
        cadences.c.next_at.is_(None) if before.next_at is None else cadences.c.next_at == before.next_at,
        cadences.c.response.is_(None) if before.response is None else cadences.c.response == before.response,
    ]  # fmt: skip
    stmt = update(cadences).where(and_(*match)).values(updated_at=at, **_values(move.cadence))
    if not _rowcount(conn, stmt):
        return False
    _event(conn, customer_id, at, move.kind, move.cadence, move.detail)
    return True


def _values(c: Cadence) -> dict[str, Any]:
    return {
        "tier": c.tier,
        "state": c.state,
        "step": c.step,
        "next_at": c.next_at,
        "response": c.response,
        "response_at": c.response_at,
        "ended_reason": c.ended_reason,
        "started_at": c.started_at,
    }


def _event(conn: Conn, cid: int, at: datetime, kind: str, c: Cadence, detail: str | None) -> None:
    conn.execute(
        insert(events).values(
            customer_id=cid, at=at, kind=kind, state=c.state, step=c.step, detail=detail
        )
    )


def _rowcount(conn: Conn, stmt: Any) -> int:
    return int(conn.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def _dialect(conn: Conn) -> str:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return bind.dialect.name


def reach(conn: Conn, ids: list[int]) -> dict[int, Reach]:
    """Each customer's address, refusals and the suppression of that address.

    The control group is not known here: email paths ask `services.control_group.reach`.
    """
    if not ids:
        return {}
    rows = conn.execute(
        select(
            customers.c.id,
            customers.c.email,
            customers.c.email_opt_out,
            customers.c.email_consent,
            suppressions.c.status,
        )
        .select_from(
            customers.outerjoin(suppressions, suppressions.c.address == _lower(customers.c.email))
        )
        .where(customers.c.id.in_(ids))
    ).all()
    return {r.id: Reach(r.email, bool(r.email_opt_out), r.email_consent, r.status) for r in rows}


def _lower(column: Any) -> Any:
    from sqlalchemy import func

    return func.lower(func.trim(column))


def opt_out(conn: Conn, customer_id: int) -> None:
    conn.execute(update(customers).where(customers.c.id == customer_id).values(email_opt_out=True))


def address_of(conn: Conn, customer_id: int, message_id: str | None) -> str | None:
    """The address a message went to (when it names an outbox row), else the customer's."""
    if message_id:
        sent = conn.execute(
            select(outbox.c.to_address).where(outbox.c.message_id == message_id)
        ).scalar_one_or_none()
        if sent:
            return str(sent)
    email = conn.execute(
        select(customers.c.email).where(customers.c.id == customer_id)
    ).scalar_one_or_none()
    return str(email) if email else None


def email_contact_recorded(conn: Conn, customer_id: int, event: str, at: datetime,
                           message_id: str | None) -> bool:  # fmt: skip
    match = (
        attempts.c.message_id.is_(None)
        if message_id is None
        else attempts.c.message_id == message_id
    )
    return bool(
        conn.execute(
            select(
                exists().where(
                    and_(
                        attempts.c.customer_id == customer_id,
                        attempts.c.channel == "email",
                        attempts.c.outcome == event,
                        attempts.c.at == at,
                        match,
                    )
                )
            )
        ).scalar_one()
    )


def imported_email_events(conn: Conn, after_id: int, limit: int) -> list[Any]:
    """Email contacts an import wrote (a provider's events) after contact id `after_id`."""
    return list(
        conn.execute(
            select(
                attempts.c.id,
                attempts.c.customer_id,
                attempts.c.outcome,
                attempts.c.at,
                attempts.c.message_id,
            )  # fmt: skip
            .where(
                and_(
                    attempts.c.id > after_id,
                    attempts.c.channel == "email",
                    attempts.c.source == "import",
                )
            )
            .order_by(attempts.c.id)
            .limit(limit)
        ).all()
    )


def read_mark(conn: Conn, key: str) -> int:
    raw = conn.execute(
        select(model_state.c.value).where(model_state.c.key == key)
    ).scalar_one_or_none()
    return int(json.loads(raw)) if raw else 0


def write_mark(conn: Conn, key: str, value: int, at: datetime) -> None:
    dialect = postgresql if _dialect(conn) == "postgresql" else sqlite
    stmt = dialect.insert(model_state).values(key=key, value=json.dumps(value), fitted_at=at)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"], set_={"value": stmt.excluded.value, "fitted_at": at}
        )
    )


def count_state(conn: Conn, state: str) -> int:
    from sqlalchemy import func

    return int(
        conn.execute(
            select(func.count()).select_from(cadences).where(cadences.c.state == state)
        ).scalar_one()
    )


# The call queue's side of the escalation.


def held_from_calls() -> ColumnElement[bool]:
    """True for a scored customer the escalation keeps out of the call queue: mid and low
    tiers on the email track or ended (see `domain.escalation.in_call_queue`)."""
    return exists().where(
        and_(
            cadences.c.customer_id == scores.c.customer_id,
            cadences.c.tier != "high",
            or_(cadences.c.state == "emailed", cadences.c.state == "ended"),
        )
    )


def responder_ids(conn: Conn) -> list[int]:
    """Customers whose response is waiting for a call, the latest response first."""
    return list(
        conn.execute(
            select(cadences.c.customer_id)
            .where(cadences.c.state == "responded")
            .order_by(cadences.c.response_at.desc(), cadences.c.customer_id)
        ).scalars()
    )


def cadences_of(conn: Conn, ids: list[int]) -> dict[int, Cadence]:
    if not ids:
        return {}
    rows = conn.execute(select(cadences).where(cadences.c.customer_id.in_(ids))).all()
    return {r.customer_id: _cadence(r) for r in rows}


# Reading cadences for people.


def events_of(conn: Conn, customer_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(events.c.at, events.c.kind, events.c.state, events.c.step, events.c.detail)
            .where(events.c.customer_id == customer_id)
            .order_by(events.c.at, events.c.id)
        ).all()
    )


def email_contacts(conn: Conn, customer_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(attempts.c.at, attempts.c.outcome, attempts.c.message_id, attempts.c.source)
            .where(and_(attempts.c.customer_id == customer_id, attempts.c.channel == "email"))
            .order_by(attempts.c.at, attempts.c.id)
        ).all()
    )


def listed(
    conn: Conn, state: str | None, limit: int | None, customer_id: int | None = None
) -> list[Any]:
    """Cadences with the customer's external id, the most recently moved first."""
    stmt = select(cadences, customers.c.external_id).join(
        customers, customers.c.id == cadences.c.customer_id
    )
    if customer_id is not None:
        stmt = stmt.where(cadences.c.customer_id == customer_id)
    if state is not None:
        stmt = stmt.where(cadences.c.state == state)
    stmt = stmt.order_by(cadences.c.updated_at.desc(), cadences.c.customer_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(conn.execute(stmt).all())


def customer_id_of(conn: Conn, external_id: str) -> int | None:
    found = conn.execute(
        select(customers.c.id).where(customers.c.external_id == external_id)
    ).scalar_one_or_none()
    return None if found is None else int(found)
