"""The reasons customers gave on the calls of a period, counted in SQL: the one definition of a
reason heard, used by the supervisor's screen and `workbench report` alike.

A reason is heard on a call that reached the customer (`CONTACTED_OUTCOMES`) and recorded it;
it cannot be heard on an unanswered call or read from an email event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.store.engine import connection_of
from workbench.store.models import ContactAttempt
from workbench.talk.stats import SUCCESS_OUTCOME

attempts = ContactAttempt.__table__


def heard(since: datetime | None, until: datetime | None) -> Any:
    """Calls at or after `since` and before `until` (either open) that recorded a reason heard."""
    clause = (
        (attempts.c.channel == "call")
        & attempts.c.outcome.in_(sorted(CONTACTED_OUTCOMES))
        & attempts.c.reason.is_not(None)
    )
    if since is not None:
        clause &= attempts.c.at >= since
    if until is not None:
        clause &= attempts.c.at < until
    return clause


# What Python's str.strip() removes from a typed note: a note of only these is no note.
BLANK = " \t\n\r\x0b\x0c\u3000"


def noted() -> Any:
    """Calls with a note that is not blank (full-width spaces and tabs are blank too)."""
    return attempts.c.note.is_not(None) & (func.trim(attempts.c.note, BLANK) != "")


@dataclass(frozen=True)
class ReasonTotal:
    """How often a reason was heard, from how many customers, and on how many calls that won
    the customer back."""

    reason: str
    heard: int
    customers: int
    winbacks: int


def reason_totals(
    bind: Engine | Connection, since: datetime | None, until: datetime | None
) -> list[ReasonTotal]:
    """Each reason heard from `since` to `until` (either open), most heard first."""
    stmt = (
        select(
            attempts.c.reason,
            func.count(),
            func.count(attempts.c.customer_id.distinct()),
            func.sum(case((attempts.c.outcome == SUCCESS_OUTCOME, 1), else_=0)),
        )
        .where(heard(since, until))
        .group_by(attempts.c.reason)
    )
    with connection_of(bind) as conn:
        rows = [ReasonTotal(r, int(n), int(c), int(w or 0)) for r, n, c, w in conn.execute(stmt)]
    rows.sort(key=lambda r: (-r.heard, r.reason))
    return rows
