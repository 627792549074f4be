"""The win-back model's data: conversations and win-backs per scored segment, read from the attempts.

The scoring run fits the model from them; the queue reads only the outcomes since that fit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, and_, func, select

from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.winback import WinbackModel, fit_winback_model, prefix_counts
from workbench.store.models import ContactAttempt, ModelState

attempts = ContactAttempt.__table__
model_state = ModelState.__table__


WINBACK_KEY = "winback_model"


def fit_from_outcomes(conn: Connection, at: datetime) -> WinbackModel:
    """Conversations and win-backs per scored segment, and overall, known at `at`."""
    overall = [0, 0]
    per_key: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    won = attempts.c.outcome == "reactivated"
    for key, win, count in conn.execute(
        select(attempts.c.winback_key, won, func.count())
        .where(
            and_(
                attempts.c.channel == "call",
                attempts.c.outcome.in_(CONTACTED_OUTCOMES),
                attempts.c.at <= at,
            )
        )
        .group_by(attempts.c.winback_key, won)
    ):
        overall[1] += count
        overall[0] += count if win else 0
        if key is not None:
            per_key[key][1] += count
            per_key[key][0] += count if win else 0
    return fit_winback_model(((k, w, n) for k, (w, n) in per_key.items()), (overall[0], overall[1]))


def load_winback_model(conn: Connection) -> tuple[WinbackModel, int] | None:
    """The last fitted win-back model and the last attempt id its counts include."""
    raw = conn.execute(
        select(model_state.c.value).where(model_state.c.key == WINBACK_KEY)
    ).scalar_one_or_none()
    data = None if raw is None else json.loads(raw)
    return None if data is None else (WinbackModel.from_json(data), int(data.get("through_id", 0)))


def winback_counts_since(
    conn: Connection, through_id: int, at: datetime
) -> dict[str, tuple[int, int]]:
    """Conversations recorded since the fit (attempt id > through_id, at or before `at`), per segment prefix.

    Every disposition updates the segment's rate at once, as the answer model's customer counts do;
    a primary-key range read, small between two scoring runs.
    """
    won = attempts.c.outcome == "reactivated"
    rows = conn.execute(
        select(attempts.c.winback_key, won, func.count())
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
    return prefix_counts((key, count if win else 0, count) for key, win, count in rows)
