"""Every customer's `queue_scores` row, assembled as columns and written in big batches.

A million customers share a few hundred win-back segments, a few thousand last-order days
and a few dozen categories, so the segment key and its win-back rate, the deadline trigger
and the season boost are computed once per distinct value (by their homes in
`workbench.domain`) and spread back with numpy indexing.

A customer who left for a reason later marked fixed (`workbench.domain.reason_fixes`) carries
the day it was fixed and the `reason_fixed_boost` factor; churned after a complaint over it,
and under no permanent block, they are lapsed (dormant) again (`services.reapproach`, whose
rule the customer views apply too), so the queue's state filter takes them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from workbench.domain import scoring
from workbench.domain.lifecycle import STATES
from workbench.domain.reason_fixes import FixedReasons
from workbench.domain.season import deadline_trigger
from workbench.domain.winback import WinbackModel, segment_key
from workbench.services.base_models import BaseModelResult
from workbench.services.customer_table import DAY_US, CustomerTable
from workbench.services.reapproach import left_for_fixed, reapproach
from workbench.services.score_signals import BLOCKS, Guesses, Signals, distinct_rows
from workbench.store.bulk import replace_all, stored_time
from workbench.store.models import QueueScore

scores = QueueScore.__table__
FloatArray = npt.NDArray[np.float64]

SCORE_COLUMNS = (
    "customer_id",
    "base_score",
    "state",
    "segment",
    "value",
    "p_alive",
    "expected_orders",
    "p_come_back",
    "season",
    "deadline",
    "reason",
    "reason_source",
    "permanent_block",
    "winback_key",
    "expected_spend",
    "reason_confidence",
    "reason_fixed",
)  # fmt: skip  (then the hold; the stamp and the horizon are one value for every row)


@dataclass(frozen=True)
class RowInputs:
    signals: Signals
    guesses: Guesses
    boosts: dict[str, float]
    winback: WinbackModel
    models: BaseModelResult
    at: datetime
    deadline_months: tuple[int, int]
    horizon: float
    fixes: FixedReasons | None = None  # the reasons marked fixed, as known at `at`


def _winback_keys(
    table: CustomerTable, g: Guesses, winback: WinbackModel
) -> tuple[list[str], FloatArray]:
    """Each customer's segment key and its P(win-back | conversation), once per distinct segment input."""
    distinct, inverse = distinct_rows(
        [table.b2b, table.state, table.days_since_last_order, g.reason, g.source]
    )
    names = [
        segment_key("b2b" if b2b else "b2c", STATES[state].value, d / 30.44, g.reasons[reason], g.sources[source])
        for b2b, state, d, reason, source in distinct.tolist()
    ]  # fmt: skip
    rate_of = {k: winback.rate(k) for k in set(names)}
    rates = np.array([rate_of[k] for k in names], dtype=np.float64)
    return [names[i] for i in inverse.tolist()], rates[inverse]


def _deadlines(
    table: CustomerTable, at: datetime, months: tuple[int, int]
) -> npt.NDArray[np.bool_]:
    """The loyalty-deadline trigger of each buyer's last order day (UTC, as stored), once per distinct day."""
    reset, notice = months
    out = np.zeros(len(table), dtype=bool)
    if not reset:
        return out
    bought = table.bought
    day = table.last_us[bought] // DAY_US
    distinct, inverse = np.unique(day, return_inverse=True)
    epoch, today = date(1970, 1, 1), at.date()
    hit = np.array(
        [
            deadline_trigger(epoch + timedelta(days=d), today, reset, notice)
            for d in distinct.tolist()
        ],
        dtype=bool,
    )
    out[bought] = hit[inverse.ravel()] if len(distinct) else False
    return out


def score_rows(table: CustomerTable, c: RowInputs) -> list[list[object]]:
    """Every customer's row as columns in SCORE_COLUMNS order (without the hold, the stamp and the horizon)."""
    fixed, fixed_day = left_for_fixed(table, c.guesses, c.fixes)
    table = reapproach(table, c.signals, fixed)
    keys, come_back = _winback_keys(table, c.guesses, c.winback)
    deadline = _deadlines(table, c.at, c.deadline_months)
    boost = np.array(
        [*(c.boosts.get(name, 0.0) for name in table.categories), c.boosts.get("", 0.0)]
    )[table.category]
    models = c.models
    value = models.expected_orders * models.expected_spend
    base = scoring.base_score(value, models.p_alive, come_back, boost, deadline)
    if c.fixes is not None:
        base = base * np.where(fixed, c.fixes.boost, 1.0)
    reasons = np.array(c.guesses.reasons or ("",), dtype=object)[c.guesses.reason]
    sources = np.array(c.guesses.sources or ("",), dtype=object)[c.guesses.source]
    blocks = np.array(BLOCKS, dtype=object)[c.signals.blocked]
    return [
        table.id.tolist(), base.tolist(), table.state_names().tolist(), np.where(table.b2b, "b2b", "b2c").tolist(),
        value.tolist(), models.p_alive.tolist(), models.expected_orders.tolist(), come_back.tolist(), boost.tolist(),
        deadline.tolist(), reasons.tolist(), sources.tolist(), blocks.tolist(), keys, models.expected_spend.tolist(),
        c.guesses.confidence.tolist(), fixed_day.tolist(),
    ]  # fmt: skip


def write_scores(
    conn: Connection,
    columns: list[list[object]],
    held: dict[int, datetime],
    at: datetime,
    horizon: float,
) -> None:
    """Replace every stored score: all were scored at `at` over `horizon` weeks; only a few carry a hold."""
    time = stored_time(conn)
    holds = {cid: time(until) for cid, until in held.items()}
    blocked = [holds.get(cid) for cid in columns[0]] if holds else [None] * len(columns[0])  # type: ignore[call-overload]
    replace_all(conn, scores, (*SCORE_COLUMNS, "blocked_until"), zip(*columns, blocked, strict=True),
                {"scored_at": time(at), "horizon_weeks": horizon})  # fmt: skip
