"""The scores table and the fitted models' stored state: what a queue read needs of a scoring run.

Kept apart from `services/scoring.py` so that reading the queue does not import the
scoring run's machinery (the model fits, the column loaders) on every command.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from workbench.domain.answer_model import DEFAULT_REACH_KAPPA, AnswerModel
from workbench.domain.answer_profiles import AnswerProfiles
from workbench.store.models import ModelState, QueueScore

scores = QueueScore.__table__
model_state = ModelState.__table__


def answer_model_from_json(data: dict[str, Any]) -> AnswerModel:
    segments = {k: np.asarray(v, dtype=float) for k, v in data["segments"].items()}
    return AnswerModel(
        np.asarray(data["population"], dtype=float),
        segments,
        float(data["kappa_segment"]),
        float(data["kappa_customer"]),
        float(data.get("kappa_reach", DEFAULT_REACH_KAPPA)),
        AnswerProfiles.from_json(data["habits"]) if data.get("habits") else None,
    )


def save_state(conn: Connection, key: str, value: object, at: datetime) -> None:
    conn.execute(delete(model_state).where(model_state.c.key == key))
    conn.execute(insert(model_state).values(key=key, value=json.dumps(value), fitted_at=at))


def load_state(conn: Connection, key: str) -> dict | None:  # type: ignore[type-arg]
    raw = conn.execute(
        select(model_state.c.value).where(model_state.c.key == key)
    ).scalar_one_or_none()
    return None if raw is None else json.loads(raw)
