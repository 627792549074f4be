"""The call queue as the command line reads it: scored fresh first, then read, explained or claimed.

Each function takes the engine and owns its connections; the rules stay in
`services.queue`, `services.explain` and `services.claim`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from workbench.config import Settings
from workbench.services.freshness import ensure_scored, wait_for_rescore
from workbench.services.queue import QueueEntry, read_queue

if TYPE_CHECKING:
    from workbench.services.explain import Explanation


def queue_at(
    engine: Engine, settings: Settings, at: datetime, operator: str | None, limit: int
) -> list[QueueEntry]:
    """The best `limit` entries at `at` (rescoring first when the scores are stale); nothing claimed."""
    ensure_scored(engine, settings, at)
    with engine.connect() as conn:
        return read_queue(conn, settings, at, operator, limit)


def explain_at(
    engine: Engine, settings: Settings, at: datetime, operator: str | None
) -> Explanation:
    """What each calling rule holds back at `at` (rescoring first when the scores are stale)."""
    from workbench.services.explain import explain  # only --explain pays for classifying

    ensure_scored(engine, settings, at)
    return explain(engine, settings, at, operator)


LOCKED_RETRIES = 2  # a claim that timed out behind another writer tries again this many times


def claim_next(
    engine: Engine, settings: Settings, operator: str, at: datetime
) -> QueueEntry | None:
    """Lease the next customer to `operator` at `at`; None when nobody is callable.

    An operator id that is not registered (once any are) raises `CreditError`.

    A claim that meets another process's scoring run in the middle of its write waits for
    the run and tries once more.  PostgreSQL: the run's transaction holds the old score
    rows locked, so a claim that skips locked rows finds nothing.  SQLite: the run's write
    transaction can outlast the busy timeout ("database is locked").
    """
    from workbench.services.claim import claim

    ensure_scored(engine, settings, at)
    for attempt in range(LOCKED_RETRIES + 1):
        try:
            entry = claim(engine, settings, operator, at)
            if entry is not None or not wait_for_rescore(engine):
                return entry
        except OperationalError as exc:
            # The run may have committed between the timeout and this check: a locked SQLite
            # file is worth another try either way; anything else is a real outage.
            if not wait_for_rescore(engine) and (
                "locked" not in str(exc.orig) or attempt == LOCKED_RETRIES
            ):
                raise
    return claim(engine, settings, operator, at)
