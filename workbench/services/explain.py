"""Why the queue is short: how many customers each calling rule holds back right now.

"Nothing to call" with no reason is the commonest crisis in dialer operations,
so every customer in a callable lifecycle state is accounted for by the first
rule that blocks them, and the next instant someone becomes callable is given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, and_, func, select

from workbench.config import Settings
from workbench.domain.calling_rules import evaluate
from workbench.services.calling import calling_policy, load_contacts
from workbench.services.queue import active_leases, eligible_states
from workbench.store.models import QueueScore

scores = QueueScore.__table__
CHUNK = 5000


@dataclass
class Explanation:
    at: datetime
    in_callable_states: int = 0
    callable_now: int = 0
    held_back: Counter[str] = field(default_factory=Counter)
    by_state: dict[str, int] = field(default_factory=dict)
    next_callable_at: datetime | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "in_callable_states": self.in_callable_states,
            "callable_now": self.callable_now,
            "held_back": dict(self.held_back),
            "by_state": self.by_state,
            "next_callable_at": self.next_callable_at.isoformat() if self.next_callable_at else None,
        }


def explain(engine: Engine, settings: Settings, at: datetime, operator: str | None = None) -> Explanation:
    policy = calling_policy(settings)
    states = eligible_states(settings)
    result = Explanation(at)
    with engine.connect() as conn:
        result.by_state = dict(conn.execute(select(scores.c.state, func.count()).group_by(scores.c.state)).all())
        for code, count in conn.execute(
            select(scores.c.permanent_block, func.count())
            .where(and_(scores.c.state.in_(states), scores.c.permanent_block.is_not(None)))
            .group_by(scores.c.permanent_block)
        ):
            result.held_back[code] += count
        leased = active_leases(conn, at)
        ids = list(
            conn.execute(
                select(scores.c.customer_id).where(and_(scores.c.state.in_(states), scores.c.permanent_block.is_(None)))
            ).scalars()
        )
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            contacts = load_contacts(conn, chunk, at)
            for cid in chunk:
                if cid in leased and leased[cid] != operator:
                    result.held_back["leased"] += 1
                    continue
                verdict = evaluate(contacts[cid], at, policy, operator=operator)
                if verdict.callable:
                    result.callable_now += 1
                    continue
                result.held_back[str(verdict.code)] += 1
                nxt = verdict.next_eligible_at
                if nxt is not None and (result.next_callable_at is None or nxt < result.next_callable_at):
                    result.next_callable_at = nxt
    result.in_callable_states = result.callable_now + sum(result.held_back.values())
    return result
