"""The control group's stored seed and its members: one home for who is held back.

The seed is drawn once per database, on first use, and kept in `model_state`; membership is
`domain.control_group` of that seed, the customer's id and `kpi.control_share`.  Every path
that could contact a customer asks here: the calling rules' inputs (`services.calling`), the
rescore's permanent blocks (`services.score_signals`), the escalation's new cadences and every
email (`reach`).

The rescore stores the seed (`ensure_seed`) before its worker threads read the control group
side by side; a seed first asked for by a read-only command is kept too (`control_seed`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.config import Settings
from workbench.domain.control_group import in_control, members
from workbench.store import escalation_queries as eq
from workbench.store.engine import writer_turn
from workbench.store.models import ModelState

CONTROL_KEY = "control_group"
model_state = ModelState.__table__


def control_seed(conn: Connection | Session) -> int:
    """The database's control-group seed, drawn and stored the first time it is asked for.

    Two processes asking at once both insert; the loser's insert fails on the key and it
    reads the winner's seed, so every process sees one seed.  On PostgreSQL the draw is
    committed at once on a connection of its own: a read-only command's transaction is rolled
    back, and the next command would otherwise draw again.  (SQLite commits a savepoint taken
    outside a transaction when it is released; inside a write it commits with the caller.)
    """
    stored = _stored_seed(conn)
    if stored is not None:
        return stored
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    if bind.dialect.name == "postgresql":
        with bind.engine.begin() as own:
            return _draw(own)
    return _draw(conn)


def _draw(conn: Connection | Session, seed: int | None = None) -> int:
    """Store `seed` (a fresh random one when None) unless a seed is stored already."""
    seed = secrets.randbits(63) if seed is None else seed
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


def _stored_seed(conn: Connection | Session) -> int | None:
    raw = conn.execute(
        select(model_state.c.value).where(model_state.c.key == CONTROL_KEY)
    ).scalar_one_or_none()
    return None if raw is None else int(json.loads(raw)["seed"])


def is_control(conn: Connection | Session, settings: Settings, customer_id: int) -> bool:
    """Whether one customer (by database id) is in the control group."""
    share = settings.kpi.control_share
    return share > 0 and in_control(control_seed(conn), customer_id, share)


def control_mask(
    conn: Connection | Session, settings: Settings, customer_ids: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """`is_control` for many customers (database ids) at once."""
    share = settings.kpi.control_share
    ids = np.asarray(customer_ids, dtype=np.int64)
    if share <= 0:
        return np.zeros(ids.shape, dtype=bool)
    return members(control_seed(conn), ids, share)


def control_ids(
    conn: Connection | Session, settings: Settings, customer_ids: Sequence[int]
) -> set[int]:
    """The members among `customer_ids` (database ids)."""
    ids = np.asarray(customer_ids, dtype=np.int64)
    return {int(cid) for cid in ids[control_mask(conn, settings, ids)]}


def ensure_seed(engine: Engine, settings: Settings) -> None:
    """Store the seed now, committed, when a control group is configured."""
    if settings.kpi.control_share <= 0:
        return
    with engine.connect() as conn:
        if _stored_seed(conn) is not None:
            return
    with writer_turn(engine), engine.begin() as conn:
        control_seed(conn)


def adopt_seed(engine: Engine, seed: int) -> int:
    """Keep `seed` as the database's control-group seed unless one is stored; returns the seed
    in force.  The demo set adopts one derived from its own seed, so the same demo holds back
    the same customers on every machine; a stored seed is never replaced (membership stays)."""
    with writer_turn(engine), engine.begin() as conn:
        stored = _stored_seed(conn)
        return stored if stored is not None else _draw(conn, seed)


def reach(conn: eq.Conn, settings: Settings, customer_ids: list[int]) -> dict[int, eq.Reach]:
    """`store.escalation_queries.reach` with the control group marked: what every email path
    asks before it writes or sends a message (`Reach.email_block`)."""
    found = eq.reach(conn, customer_ids)
    held = control_ids(conn, settings, sorted(found))
    return {cid: replace(r, control_group=True) if cid in held else r for cid, r in found.items()}
