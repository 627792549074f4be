"""Whether the stored scores are fresh, and rescoring when they are not: once at a time.

Rescoring is single-flight across processes (`workbench.store.locks`): when twenty
operators start right after an import, one process rescores.  The others wait for it
when there are no scores at all; when stale scores exist they go on with those (the
calling rules are checked live at claim time, so a stale ranking is safe).  Whoever
gets the lock checks freshness again, so a waiter never redoes the run it waited for.

The "scored" state records the run's instant, a run number and the data version it
read: an import changes the version (`invalidate`), so scores computed while an import
was committing are never taken for fresh.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from workbench.config import Settings
from workbench.services.model_state import load_state, model_state, scores
from workbench.store.locks import LockTimeout, is_locked, named_lock

if TYPE_CHECKING:
    from workbench.services.scoring import ScoringSummary

__all__ = [
    "LockTimeout",
    "ScoreStatus",
    "ensure_scored",
    "invalidate",
    "rescore_now",
    "rescore_runs",
    "score_status",
    "wait_for_rescore",
]

STALE_AFTER_SECONDS = 12 * 3600
RESCORE_LOCK = "rescore"
# A million customers rescore in about a minute on a busy machine; waiting ten is a stuck run.
WAIT_SECONDS = 600.0
SCORED, RUNS, DATA_VERSION = "scored", "rescore_runs", "data_version"
WHAT = "the scoring run"


@dataclass(frozen=True)
class ScoreStatus:
    """What `ensure_scored` would find at an instant, read without scoring anything."""

    fresh: bool  # ensure_scored would not rescore
    stored: bool  # some customer has a score (stale scores still rank; the rules are checked live)
    scored_at: datetime | None  # when the stored scores were computed


def score_status(engine: Engine, at: datetime) -> ScoreStatus:
    """Stale when nothing is scored yet, data changed since, or the scores are from another day."""
    with engine.connect() as conn:
        state = load_state(conn, SCORED)
        version = _data_version(conn)
        stored_at = conn.execute(select(scores.c.scored_at).limit(1)).scalar_one_or_none()
    fresh = False
    if state is not None and state.get("data", "") == version:
        scored_at = datetime.fromisoformat(str(state["at"]))
        fresh = abs((at - scored_at).total_seconds()) < STALE_AFTER_SECONDS
    return ScoreStatus(fresh, stored_at is not None, stored_at)


def ensure_scored(
    engine: Engine,
    settings: Settings,
    at: datetime,
    wait: bool | None = None,
    timeout: float = WAIT_SECONDS,
) -> ScoringSummary | None:
    """Rescore unless the scores are fresh; None when this call did not rescore.

    While another process rescores, wait for it (`wait`; by default only when no scores
    are stored, since there is nothing to rank before it ends) or return at once and let
    the stale scores serve.  A wait longer than `timeout` raises `LockTimeout`.
    """
    status = score_status(engine, at)
    if status.fresh:
        return None
    waits = not status.stored if wait is None else wait
    with named_lock(engine, RESCORE_LOCK, timeout if waits else None, WHAT) as held:
        if not held or score_status(engine, at).fresh:
            return None
        return _run(engine, settings, at, refit=False)


def rescore_now(
    engine: Engine, settings: Settings, at: datetime, timeout: float = WAIT_SECONDS
) -> ScoringSummary:
    """Refit the models and rescore whatever the freshness (`workbench rescore`): after any
    run in progress, never beside it; the scores it writes count as fresh."""
    with named_lock(engine, RESCORE_LOCK, timeout, WHAT):
        return _run(engine, settings, at, refit=True)


def wait_for_rescore(engine: Engine, timeout: float = WAIT_SECONDS) -> bool:
    """Wait until no scoring run is in progress; True when one was.

    On PostgreSQL a run's transaction holds every old score row locked until it commits,
    so a claim that skips locked rows finds nothing meanwhile: it can try again after.
    """
    if not is_locked(engine, RESCORE_LOCK):
        return False
    with named_lock(engine, RESCORE_LOCK, timeout, WHAT):
        return True


def rescore_runs(engine: Engine) -> int:
    """How many scoring runs `ensure_scored` and `rescore_now` have completed on this database."""
    with engine.connect() as conn:
        return _runs(conn)


def invalidate(conn: Connection) -> None:
    """Mark scores stale (after an import, in its transaction) so the next queue read rescores."""
    conn.execute(delete(model_state).where(model_state.c.key == SCORED))
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model_state).values(
        key=DATA_VERSION, value=json.dumps(uuid.uuid4().hex), fitted_at=datetime.now(UTC)
    )
    # An upsert: two imports committing at once must not collide on the key.
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value})
    )


def rescore(
    engine: Engine, settings: Settings, at: datetime, refit: bool = False
) -> ScoringSummary:
    """The scoring run, imported when first needed: a queue read on fresh scores never is."""
    from workbench.services.scoring import rescore as scoring_run

    return scoring_run(engine, settings, at, refit=refit)


def _run(engine: Engine, settings: Settings, at: datetime, refit: bool) -> ScoringSummary:
    with engine.connect() as conn:
        version = _data_version(conn)  # read before the run reads any data
    summary = rescore(engine, settings, at, refit=refit)
    with engine.begin() as conn:
        # Write first: on SQLite a transaction that reads, then writes after another
        # writer committed, fails at once instead of waiting its turn.
        conn.execute(delete(model_state).where(model_state.c.key == SCORED))
        runs = _runs(conn) + 1
        conn.execute(delete(model_state).where(model_state.c.key == RUNS))
        state = {"at": at.isoformat(), "customers": summary.customers, "run": runs, "data": version}
        conn.execute(insert(model_state), [
            {"key": RUNS, "value": json.dumps({"runs": runs}), "fitted_at": at},
            {"key": SCORED, "value": json.dumps(state), "fitted_at": at},
        ])  # fmt: skip
    return summary


def _runs(conn: Connection) -> int:
    state = load_state(conn, RUNS)
    return int(state["runs"]) if state else 0


def _data_version(conn: Connection) -> str:
    state = conn.execute(
        select(model_state.c.value).where(model_state.c.key == DATA_VERSION)
    ).scalar_one_or_none()
    return "" if state is None else str(json.loads(state))
