"""The call queue's side of the escalation (only when `escalation.enabled`).

Mid and low customers on the email track, or whose cadence ended, are not offered;
responders are offered first in line for the calling rules (the ranking still decides)
with their `response` factor on the score and an `escalation` object in the entry.
Without the escalation every function here changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, select

from workbench.config import Settings
from workbench.domain.escalation import response_factor
from workbench.domain.local_time import iso
from workbench.domain.scoring import ScoreParts
from workbench.store import escalation_queries as eq


@dataclass(frozen=True)
class EscalationMark:
    tier: str
    state: str
    response: str | None
    response_at: datetime | None
    factor: float | None  # the responder's boost, None when there is none

    def as_json(self, zone: tzinfo) -> dict[str, object]:
        """The queue's `escalation` object; `response_at` in the customer's zone, with its offset."""
        return {
            "tier": self.tier,
            "state": self.state,
            "response": self.response,
            "response_at": iso(self.response_at, zone),
        }


def entry_json(mark: EscalationMark | None, zone: tzinfo) -> dict[str, object]:
    """The queue entry's `escalation` key: absent for a customer without a cadence."""
    return {} if mark is None else {"escalation": mark.as_json(zone)}


def held(settings: Settings) -> list[ColumnElement[bool]]:
    """Extra conditions on the queue's candidate query: none without the escalation."""
    return [~eq.held_from_calls()] if settings.escalation.enabled else []


def responders(conn: Connection, settings: Settings, states: tuple[str, ...],
               skip: list[int]) -> list[int]:  # fmt: skip
    """Responders in a callable lifecycle state not blocked for good, the latest first."""
    if not settings.escalation.enabled:
        return []
    found = eq.responder_ids(conn)
    if not found:
        return []
    scores = eq.scores
    ok = set(
        conn.execute(
            select(scores.c.customer_id).where(
                and_(
                    scores.c.customer_id.in_(found),
                    scores.c.state.in_(states),
                    scores.c.permanent_block.is_(None),
                )
            )
        ).scalars()
    )
    done = set(skip)
    return [cid for cid in found if cid in ok and cid not in done]


def marks(conn: Connection, settings: Settings, ids: list[int]) -> dict[int, EscalationMark]:
    if not settings.escalation.enabled:
        return {}
    boost = settings.escalation.response_boost
    return {
        cid: EscalationMark(
            c.tier, c.state, c.response, c.response_at, response_factor(c.state, c.response, boost)
        )  # fmt: skip
        for cid, c in eq.cadences_of(conn, ids).items()
    }


def boosted(parts: ScoreParts, mark: EscalationMark | None) -> ScoreParts:
    """The parts with the responder's factor (unchanged for everyone else)."""
    if mark is None or mark.factor is None:
        return parts
    return replace(parts, response=mark.factor)


def held_ids(conn: Connection, settings: Settings, ids: list[int]) -> set[int]:
    """Among `ids`, the customers the escalation keeps out of the call queue."""
    if not settings.escalation.enabled or not ids:
        return set()
    found: Any = conn.execute(
        select(eq.scores.c.customer_id).where(
            and_(eq.scores.c.customer_id.in_(ids), eq.held_from_calls())
        )
    ).scalars()
    return set(found)
