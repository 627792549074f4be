"""Who left for a reason since fixed, and the churned complainers among them lapsed again.

The scoring run (`services.score_rows`) and the customer views (`services.customers`) both
come here, and the rule itself is `workbench.domain.reason_fixes.lapsed_again`, so the queue,
`workbench customers` and `workbench customers show` give every customer one state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from workbench.config import Settings
from workbench.domain.codes import LifecycleState
from workbench.domain.lifecycle import STATES, micros
from workbench.domain.reason_fixes import FixedReasons, could_lapse_again, fixed_on, lapsed_again
from workbench.services.customer_table import CustomerTable, load_customer_table
from workbench.services.fixed_reasons import fixes_at
from workbench.services.score_signals import (
    Guesses,
    Signals,
    distinct_rows,
    guess_reasons,
    load_signals,
)

_CHURNED = np.int8(STATES.index(LifecycleState.CHURNED))


class OwnRecord(NamedTuple):
    """What `could_lapse_again` reads of one customer: kind, last order, a complaint, a
    do-not-call entry or opt-out."""

    kind: str
    last_order: datetime | None
    complaint: bool
    blocked: bool


def left_for_fixed(
    table: CustomerTable, g: Guesses, fixes: FixedReasons | None
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_]]:
    """The local day each customer's reason was fixed, where they left for it (else None): the
    fix of their reason and kind, a reason heard or guessed surely enough, a last order before
    that day.  Once per distinct (reason, kind).  (who, the day as YYYY-MM-DD or None)"""
    out = np.full(len(table), None, dtype=object)
    if fixes is None or not fixes.days or not len(table):
        return np.zeros(len(table), dtype=bool), out
    heard = np.array([s == "heard" for s in g.sources] or [False], dtype=bool)[g.source]
    known = table.bought & (heard | (g.confidence >= fixes.confidence_min))
    distinct, inverse = distinct_rows([g.reason, table.b2b])
    days = [fixed_on(fixes.days, g.reasons[r] if g.reasons else "", "b2b" if b2b else "b2c")
            for r, b2b in distinct.tolist()]  # fmt: skip
    # A last order before the day's first local instant was before the day.
    starts = np.array([micros(datetime.combine(d, time(), fixes.zone)) if d else 0 for d in days],
                      dtype=np.int64)[inverse]  # fmt: skip
    fixed = np.array([d is not None for d in days], dtype=bool)[inverse]
    left = fixed & known & (table.last_us < starts)
    names = np.array([d.isoformat() if d else None for d in days], dtype=object)[inverse]
    out[left] = names[left]
    return left, out


def reapproach(
    table: CustomerTable, signals: Signals, left: npt.NDArray[np.bool_]
) -> CustomerTable:
    """The table with `lapsed_again` applied to its states (the same table when none changes)."""
    states = lapsed_again(table.state, signals.complaint, signals.blocked != 0, left)
    return table if states is table.state else replace(table, state=states)


def reapproached_table(
    engine: Engine, settings: Settings, table: CustomerTable, at: datetime
) -> CustomerTable:
    """The customer views' table as the scoring run at `at` sees it: the signals (the control
    group a block, as in the rescore) and the reason guesses are read only when a reason
    fixed by `at` and a churned customer both exist."""
    fixes = fixes_at(engine, settings, at)
    if not fixes.days or not (table.state == _CHURNED).any():
        return table
    with engine.connect() as conn:
        signals = load_signals(conn, table, at, settings=settings)
    left, _ = left_for_fixed(table, guess_reasons(table, signals), fixes)
    return reapproach(table, signals, left)


def reapproached_state(
    engine: Engine, settings: Settings, customer_id: int, at: datetime, record: OwnRecord
) -> LifecycleState:
    """The state at `at` of one customer the lifecycle calls churned, after `lapsed_again`.

    Whether a guessed reason is sure enough is learned from the whole base, so the base is
    classified, but only when the customer's own `record` leaves `lapsed_again` possible.
    """
    fixes = fixes_at(engine, settings, at)
    if not fixes.days or not could_lapse_again(fixes, *record):
        return LifecycleState.CHURNED
    table = reapproached_table(engine, settings, load_customer_table(engine, settings, at), at)
    row = int(np.searchsorted(table.id, customer_id))
    if row == len(table) or table.id[row] != customer_id:
        return LifecycleState.CHURNED
    return STATES[int(table.state[row])]
