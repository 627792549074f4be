"""Whether the stored scores are fresh, and rescoring when they are not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, select

from workbench.config import Settings
from workbench.services.scoring import ScoringSummary, _save_state, load_state, model_state, rescore, scores

STALE_AFTER_SECONDS = 12 * 3600


@dataclass(frozen=True)
class ScoreStatus:
    """What `ensure_scored` would find at an instant, read without scoring anything."""

    fresh: bool  # ensure_scored would not rescore
    stored: bool  # some customer has a score (stale scores still rank; the rules are checked live)
    scored_at: datetime | None  # when the stored scores were computed


def score_status(engine: Engine, at: datetime) -> ScoreStatus:
    """Stale when nothing is scored yet, data changed since, or the scores are from another day."""
    with engine.connect() as conn:
        state = load_state(conn, "scored")
        stored_at = conn.execute(select(scores.c.scored_at).limit(1)).scalar_one_or_none()
    fresh = False
    if state is not None:
        scored_at = datetime.fromisoformat(str(state["at"]))
        fresh = abs((at - scored_at).total_seconds()) < STALE_AFTER_SECONDS
    return ScoreStatus(fresh, stored_at is not None, stored_at)


def ensure_scored(engine: Engine, settings: Settings, at: datetime) -> ScoringSummary | None:
    """Rescore unless `score_status` says the scores are fresh."""
    if score_status(engine, at).fresh:
        return None
    summary = rescore(engine, settings, at)
    with engine.begin() as conn:
        _save_state(conn, "scored", {"at": at.isoformat(), "customers": summary.customers}, at)
    return summary


def invalidate(conn: Connection) -> None:
    """Mark scores stale (after an import) so the next queue read rescores."""
    conn.execute(delete(model_state).where(model_state.c.key == "scored"))
