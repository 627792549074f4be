"""The control group's stored seed and its members: one home for who is held back.

The seed is drawn once per database, on first use, and kept in `model_state`; membership is
`domain.control_group` of that seed, the customer's id and `kpi.control_share`.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from workbench.config import Settings
from workbench.domain.control_group import in_control, members
from workbench.store.models import ModelState

CONTROL_KEY = "control_group"
model_state = ModelState.__table__


def control_seed(conn: Connection) -> int:
    """The database's control-group seed, drawn and stored the first time it is asked for.

    Two processes asking at once both insert; the loser's insert fails on the key and it
    reads the winner's seed, so every process sees one seed.
    """
    stored = _stored_seed(conn)
    if stored is not None:
        return stored
    seed = secrets.randbits(63)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(model_state).values(
                    key=CONTROL_KEY, value=json.dumps({"seed": seed}), fitted_at=datetime.now(UTC)
                )
            )
    except IntegrityError:
        pass
    stored = _stored_seed(conn)
    assert stored is not None
    return stored


def _stored_seed(conn: Connection) -> int | None:
    raw = conn.execute(
        select(model_state.c.value).where(model_state.c.key == CONTROL_KEY)
    ).scalar_one_or_none()
    return None if raw is None else int(json.loads(raw)["seed"])


def is_control(conn: Connection, settings: Settings, customer_id: int) -> bool:
    """Whether one customer (by database id) is in the control group."""
    share = settings.kpi.control_share
    return share > 0 and in_control(control_seed(conn), customer_id, share)


def control_mask(
    conn: Connection, settings: Settings, customer_ids: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """`is_control` for many customers (database ids) at once."""
    share = settings.kpi.control_share
    ids = np.asarray(customer_ids, dtype=np.int64)
    if share <= 0:
        return np.zeros(ids.shape, dtype=bool)
    return members(control_seed(conn), ids, share)
