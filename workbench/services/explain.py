"""Why the queue is short: how many customers each calling rule holds back right now.

"Nothing to call" with no reason is the commonest crisis in dialer operations,
so every customer in a callable lifecycle state is accounted for by the first
rule that blocks them, and the next instant someone becomes callable is given.
Everything is counted as known at `at`: later refusals, do-not-call entries,
callbacks, leases and dispositions are not seen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sqlalchemy import Engine, and_, func, select

from workbench.config import Settings
from workbench.domain.calling_rules import CustomerContact, evaluate
from workbench.domain.local_time import home_zone, iso, zone_named
from workbench.services import escalation_queue as esc_queue
from workbench.services.calling import calling_policy, load_contacts
from workbench.services.customers import classify_all, summarise_one
from workbench.services.queue import eligible_states
from workbench.store.lease_queries import live_leases
from workbench.store.models import ContactAttempt, Customer, QueueScore

scores = QueueScore.__table__
attempts = ContactAttempt.__table__
customers = Customer.__table__
# Outcomes whose disposition rewrites the customer's scored state.
STATE_OUTCOMES = ("reactivated", "complaint")
CHUNK = 5000


@dataclass
class Explanation:
    at: datetime
    in_callable_states: int = 0
    callable_now: int = 0
    held_back: Counter[str] = field(default_factory=Counter)
    by_state: dict[str, int] = field(default_factory=dict)
    next_callable_at: datetime | None = None
    # `at` is shown in the configured zone, the next callable time in that customer's zone.
    zone: tzinfo = UTC
    next_callable_zone: tzinfo = UTC

    def as_json(self) -> dict[str, object]:
        return {
            "at": iso(self.at, self.zone),
            "in_callable_states": self.in_callable_states,
            "callable_now": self.callable_now,
            "held_back": dict(self.held_back),
            "by_state": self.by_state,
            "next_callable_at": iso(self.next_callable_at, self.next_callable_zone),
        }


def explain(
    engine: Engine, settings: Settings, at: datetime, operator: str | None = None
) -> Explanation:
    """Every customer in a callable state at `at`, counted under the first rule `evaluate` names.

    The rules see only what was known at `at` (`load_contacts`), and `evaluate`
    alone decides, so a refused customer who also opted out is counted under the
    same rule the queue and the claim would give.
    """
    policy = calling_policy(settings)
    states = set(eligible_states(settings))
    result = Explanation(at, zone=zone_named(settings.timezone))
    state_of = _states_at(engine, settings, at)
    result.by_state = dict(Counter(state_of.values()))
    ids = sorted(cid for cid, state in state_of.items() if state in states)
    with engine.connect() as conn:
        leased = live_leases(conn, at)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            contacts = load_contacts(conn, chunk, at, settings)
            held = esc_queue.held_ids(conn, settings, chunk)  # the email track: not offered
            for cid in chunk:
                if cid in leased and leased[cid] != operator:
                    result.held_back["leased"] += 1
                    continue
                verdict = evaluate(contacts[cid], at, policy, operator=operator)
                if verdict.callable and cid in held:
                    result.held_back["escalation"] += 1
                    continue
                if verdict.callable:
                    result.callable_now += 1
                    continue
                result.held_back[str(verdict.code)] += 1
                nxt = verdict.next_eligible_at
                if nxt is not None and (
                    result.next_callable_at is None or nxt < result.next_callable_at
                ):
                    result.next_callable_at = nxt
                    result.next_callable_zone = _zone_of(contacts[cid], settings)
    result.in_callable_states = result.callable_now + sum(result.held_back.values())
    return result


def _zone_of(contact: CustomerContact, settings: Settings) -> tzinfo:
    """The customer's own zone, in which their next callable time is shown."""
    if contact.zone:
        return zone_named(contact.zone, settings.timezone)
    return home_zone((n.zones for n in contact.numbers if not n.retired), settings.timezone)


def _states_at(engine: Engine, settings: Settings, at: datetime) -> dict[int, str]:
    """Each scored customer's lifecycle state at `at`.

    The scoring run's states, unless they were computed after `at` (then every
    customer is classified at `at`); a disposition after `at` that moved a customer
    (won back, complaint) is undone by classifying that customer at `at`.
    """
    with engine.connect() as conn:
        scored_at = conn.execute(select(func.max(scores.c.scored_at))).scalar_one_or_none()
        if scored_at is not None and scored_at > at:
            scored = set(conn.execute(select(scores.c.customer_id)).scalars())
            return {s.id: s.state for s in classify_all(engine, settings, at) if s.id in scored}
        state_of = dict(conn.execute(select(scores.c.customer_id, scores.c.state)).all())
        moved = conn.execute(
            select(customers.c.id, customers.c.external_id).where(
                customers.c.id.in_(
                    select(attempts.c.customer_id).where(
                        and_(attempts.c.at > at, attempts.c.outcome.in_(STATE_OUTCOMES))
                    )
                )
            )  # fmt: skip
        ).all()
        for cid, external_id in moved:
            if cid in state_of:
                state_of[cid] = summarise_one(conn, settings, external_id, at).state
    return state_of
