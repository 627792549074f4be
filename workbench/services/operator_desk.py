"""What the operator's screens read besides the queue itself: who is working, the shift's
counts, the facts shown around each queue entry, and the fitted answer model for the card.

The faces (TUI, CLI) call these and never open a connection of their own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, func, select

from workbench.config import Settings
from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.services.model_state import load_state
from workbench.services.queue import QueueEntry, read_queue
from workbench.services.script_context import operator_name as _operator_name
from workbench.store.models import ContactAttempt, CustomerMetrics, Operator

attempts = ContactAttempt.__table__
metrics = CustomerMetrics.__table__
operators = Operator.__table__


@dataclass(frozen=True)
class OperatorInfo:
    code: str
    name: str


@dataclass(frozen=True)
class Facts:
    """What a queue entry does not carry: the main category and the last order."""

    main_category: str | None
    last_order_at: datetime | None


@dataclass(frozen=True)
class ShiftCounts:
    calls: int = 0
    contacts: int = 0
    wins: int = 0


@dataclass(frozen=True)
class QueueRead:
    entries: list[QueueEntry]
    facts: dict[int, Facts]
    seasons: dict[
        str, list[float]
    ]  # each category's seasonal index, for the "season in N weeks" words


def list_operators(engine: Engine) -> list[OperatorInfo]:
    """Active operators, by code."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(operators.c.code, operators.c.name)
            .where(operators.c.active.is_(True))
            .order_by(operators.c.code)
        ).all()
    return [OperatorInfo(code, name) for code, name in rows]


def operator_name(engine: Engine, code: str) -> str:
    """The operator's display name; "" when the code has no row."""
    with engine.connect() as conn:
        name = _operator_name(conn, code)
    return "" if name == code else name


def read_queue_with_facts(
    engine: Engine,
    settings: Settings,
    at: datetime,
    operator: str | None,
    limit: int,
    rng: random.Random,
) -> QueueRead:
    """The queue as `read_queue` gives it, with the facts the operator's screen words it from."""
    with engine.connect() as conn:
        entries = read_queue(conn, settings, at, operator, limit, rng)
        facts = _facts(conn, [e.customer_id for e in entries])
        seasons = load_state(conn, "season") or {}
    return QueueRead(entries, facts, seasons)


def shift_counts(engine: Engine, operator: str | None, at: datetime, zone: ZoneInfo) -> ShiftCounts:
    """This operator's calls today (local day): attempts, contacts reached, customers won back."""
    if not operator:
        return ShiftCounts()
    start = datetime.combine(at.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    with engine.connect() as conn:
        rows = conn.execute(
            select(attempts.c.outcome, func.count())
            .where(
                and_(
                    attempts.c.operator == operator,
                    attempts.c.channel == "call",
                    attempts.c.at >= start,
                    attempts.c.at <= at,
                )
            )
            .group_by(attempts.c.outcome)
        ).all()
    by: dict[str, int] = {outcome: int(n) for outcome, n in rows}
    return ShiftCounts(
        calls=sum(by.values()),
        contacts=sum(n for outcome, n in by.items() if outcome in CONTACTED_OUTCOMES),
        wins=by.get("reactivated", 0),
    )


def answer_model_state(engine: Engine) -> dict[str, object] | None:
    """The fitted answer model as stored by the last scoring run (for the card's heat map)."""
    with engine.connect() as conn:
        return load_state(conn, "answer_model")


def _facts(conn: Connection, ids: list[int]) -> dict[int, Facts]:
    if not ids:
        return {}
    rows = conn.execute(
        select(metrics.c.customer_id, metrics.c.main_category, metrics.c.last_order_at).where(
            metrics.c.customer_id.in_(ids)
        )
    )
    return {cid: Facts(category, last) for cid, category, last in rows}
