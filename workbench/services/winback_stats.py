"""The win-back model's data: conversations and win-backs per scored segment, read from the attempts.

The scoring run fits the model from them; the queue reads only the outcomes since that fit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, and_, func, select

from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.winback import (
    RATIO_LEVEL,
    SEPARATOR,
    AliveGroup,
    WinbackModel,
    fit_dead_ratio,
    fit_winback_model,
    prefix_counts,
)
from workbench.store.models import ContactAttempt, ModelState

attempts = ContactAttempt.__table__
model_state = ModelState.__table__


WINBACK_KEY = "winback_model"


def fit_from_outcomes(conn: Connection, at: datetime) -> WinbackModel:
    """Conversations and win-backs per scored segment, and overall, known at `at`; ρ fitted first.

    A call recorded without P(alive) (before it was stored, or imported) counts as alive.
    """
    alive = func.coalesce(attempts.c.p_alive, 1.0)
    won = attempts.c.outcome == "reactivated"
    known = and_(
        attempts.c.channel == "call",
        attempts.c.outcome.in_(CONTACTED_OUTCOMES),
        attempts.c.at <= at,
    )
    totals = [0, 0, 0.0]  # wins, conversations, Σ P(alive)
    per_key: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for key, win, count, alive_sum in conn.execute(
        select(attempts.c.winback_key, won, func.count(), func.sum(alive))
        .where(known)
        .group_by(attempts.c.winback_key, won)
    ):
        for row in (totals, per_key[key]) if key is not None else (totals,):
            row[0] += count if win else 0
            row[1] += count
            row[2] += float(alive_sum or 0.0)
    win_alive: dict[str, list[float]] = defaultdict(list)
    for key, p in conn.execute(
        select(attempts.c.winback_key, alive).where(
            and_(known, won, attempts.c.winback_key.is_not(None))
        )
    ):
        win_alive[_ratio_group(key)].append(float(p))
    groups: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for key, (_, n, s) in per_key.items():
        groups[_ratio_group(key)][0] += n
        groups[_ratio_group(key)][1] += s
    rho = fit_dead_ratio(
        [AliveGroup(int(n), s, tuple(win_alive.get(g, ()))) for g, (n, s) in groups.items()]
    )
    outcomes = ((k, int(w), _exposure(rho, n, s)) for k, (w, n, s) in per_key.items())
    overall = (int(totals[0]), _exposure(rho, totals[1], totals[2]))
    return fit_winback_model(outcomes, overall, dead_ratio=rho)


def _ratio_group(key: str) -> str:
    return SEPARATOR.join(key.split(SEPARATOR)[:RATIO_LEVEL])


def _exposure(rho: float, conversations: float, alive_sum: float) -> float:
    return rho * conversations + (1.0 - rho) * alive_sum


def load_winback_model(conn: Connection) -> tuple[WinbackModel, int] | None:
    """The last fitted win-back model and the last attempt id its counts include."""
    raw = conn.execute(
        select(model_state.c.value).where(model_state.c.key == WINBACK_KEY)
    ).scalar_one_or_none()
    data = None if raw is None else json.loads(raw)
    return None if data is None else (WinbackModel.from_json(data), int(data.get("through_id", 0)))


def winback_counts_since(
    conn: Connection, model: WinbackModel, through_id: int, at: datetime
) -> dict[str, tuple[int, float]]:
    """Conversations recorded since the fit (attempt id > through_id, at or before `at`), per
    segment prefix, as (win-backs, exposure) under the model's ρ.

    Every disposition updates the segment's rate at once, as the answer model's customer counts do;
    a primary-key range read, small between two scoring runs.
    """
    won = attempts.c.outcome == "reactivated"
    rows = conn.execute(
        select(
            attempts.c.winback_key,
            won,
            func.count(),
            func.sum(func.coalesce(attempts.c.p_alive, 1.0)),
        )
        .where(
            and_(
                attempts.c.id > through_id,
                attempts.c.winback_key.is_not(None),
                attempts.c.channel == "call",
                attempts.c.outcome.in_(CONTACTED_OUTCOMES),
                attempts.c.at <= at,
            )
        )  # fmt: skip
        .group_by(attempts.c.winback_key, won)
    ).all()
    return prefix_counts(
        (key, count if win else 0, _exposure(model.dead_ratio, count, float(s or 0.0)))
        for key, win, count, s in rows
    )
