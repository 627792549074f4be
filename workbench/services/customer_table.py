"""The whole customer base as columns, classified at an instant.

The scoring run and the customer listings read a million customers at once, so they come
as numpy arrays straight from the driver (`workbench.store.columns`) rather than a row
object each: id, kind, purchase aggregates with instants in whole microseconds, the
lifecycle state (`workbench.domain.lifecycle.classify_many`) and RFM.  What is known at
`at` only: the stored `customer_metrics` serve whenever `at` is at or after the newest
purchase; earlier, customers who bought after `at` are aggregated again up to `at`, and
complaints and do-not-call entries recorded later are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, and_, select

from workbench.config import Settings
from workbench.domain.codes import REFUSAL_OUTCOMES
from workbench.domain.lifecycle import (
    NO_TIME,
    STATES,
    Histories,
    LifecyclePolicy,
    classify_many,
    micros,
    rfm_scores,
)
from workbench.services.calling import dnc_known
from workbench.store import purchase_metrics
from workbench.store.columns import epoch_micros, fetch, instant_column
from workbench.store.engine import writer_turn
from workbench.store.models import ContactAttempt, Customer, DoNotCall

attempts = ContactAttempt.__table__
customers = Customer.__table__
dnc = DoNotCall.__table__

IntArray = npt.NDArray[np.int64]
DAY_US = 86_400_000_000
CHURN_OUTCOMES = ("complaint", "do_not_call")
RFM_CUTS_KEY = "rfm_cuts"
Cuts = dict[str, list[list[float]]]  # letter → [score, lowest value, highest value] per score


def lifecycle_policy(settings: Settings) -> LifecyclePolicy:
    s = settings.lifecycle
    return LifecyclePolicy(
        dormant_days_b2c=s.dormant_days_b2c,
        dormant_days_b2b=s.dormant_days_b2b,
        at_risk_factor=s.at_risk_factor,
        at_risk_days_b2c=s.at_risk_days_b2c,
        at_risk_days_b2b=s.at_risk_days_b2b,
        category_dormant_days=dict(s.category_dormant_days),
    )


@dataclass(frozen=True, eq=False)
class CustomerTable:
    """Every customer at `at_us`, ordered by id; instants in µs since the epoch (NO_TIME: none).

    `state` indexes `lifecycle.STATES`; the RFM scores are 1–5 for buyers and 0 for the others;
    `category` indexes `categories` (−1: no main category).
    """

    at_us: int
    id: IntArray
    b2b: npt.NDArray[np.bool_]
    first_us: IntArray
    last_us: IntArray
    n_orders: IntArray
    monetary: IntArray
    category: IntArray
    categories: tuple[str, ...]
    n_days: IntArray
    first_day_amount: IntArray
    state: npt.NDArray[np.int8]
    recency: npt.NDArray[np.int8]
    frequency: npt.NDArray[np.int8]
    monetary_score: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.id)

    @property
    def bought(self) -> npt.NDArray[np.bool_]:
        return self.last_us != NO_TIME

    @property
    def days_since_last_order(self) -> IntArray:
        """Whole days since the last order, as `timedelta.days` counts them (0 where none)."""
        return np.where(
            self.bought, (self.at_us - np.where(self.bought, self.last_us, self.at_us)) // DAY_US, 0
        )

    def state_names(self) -> npt.NDArray[np.object_]:
        return np.array([s.value for s in STATES], dtype=object)[self.state]

    def category_names(self) -> npt.NDArray[np.object_]:
        """The main category of each customer ('' for none)."""
        return np.array([*self.categories, ""], dtype=object)[self.category]


def _metrics(conn: Connection) -> tuple[IntArray, list[str | None]]:
    """customers ⟕ customer_metrics, ordered by id: the integer columns and the main categories."""
    (first, u), (last, _) = (
        instant_column(conn, f"m.{c}_order_at", NO_TIME) for c in ("first", "last")
    )
    *numbers, category = fetch(conn, f"""
        SELECT c.id, CASE WHEN c.kind = 'b2b' THEN 1 ELSE 0 END, {first}, {last},
               COALESCE(m.n_orders, 0), COALESCE(m.monetary, 0), COALESCE(m.n_days, 0), COALESCE(m.first_day_amount, 0),
               m.main_category
        FROM customers c LEFT JOIN customer_metrics m ON m.customer_id = c.id""", kinds=f"ii{u}{u}iiiit", by_first=True)  # fmt: skip
    return np.stack(numbers, axis=1), category


@dataclass(frozen=True, eq=False)
class AttemptEvents:
    """The attempts up to an instant that carry a reason, a complaint or a refusal: few of the
    millions, and every per-customer signal of classification and scoring comes from them."""

    customer_id: IntArray
    id: IntArray
    at_us: IntArray
    outcome: list[str]
    reason: list[str | None]


def attempt_events(conn: Connection, at: datetime) -> AttemptEvents:
    """One filtering scan of the attempts (grouping along the customer index would visit every row)."""
    outcomes = ", ".join(
        f"'{o}'" for o in sorted({"complaint", *REFUSAL_OUTCOMES, *CHURN_OUTCOMES})
    )
    return AttemptEvents(*fetch(conn, f"""
        SELECT customer_id, id, {epoch_micros(conn, 'at', NO_TIME)}, outcome, reason FROM contact_attempts
        WHERE at <= :at AND (reason IS NOT NULL OR outcome IN ({outcomes}))""", {"at": at}, kinds="iiitt"))  # fmt: skip


def _churn(
    conn: Connection, at: datetime, ids: IntArray, events: AttemptEvents
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Latest complaint or do-not-call request per customer up to `at` (µs), and who must not be contacted.

    A plain `not_interested` declines one offer: it ends solicitation (the calling rules see
    to that) but is not by itself a customer lost to trouble.  The call opt-out flag carries
    no date, so it counts at every instant.
    """
    churned = np.isin(np.array(events.outcome, dtype=object), CHURN_OUTCOMES)
    found_ids, found_at = events.customer_id[churned], events.at_us[churned]
    complaint = np.full(len(ids), NO_TIME, dtype=np.int64)
    if len(ids) and len(found_ids):
        place = np.minimum(np.searchsorted(ids, found_ids), len(ids) - 1)
        known = ids[place] == found_ids
        np.maximum.at(complaint, place[known], found_at[known])
    blocked_ids = np.array(
        [*conn.execute(select(dnc.c.customer_id).where(and_(dnc.c.customer_id.is_not(None), dnc_known(at)))).scalars(),
         *conn.execute(select(customers.c.id).where(customers.c.call_opt_out.is_(True))).scalars()],
        dtype=np.int64,
    )  # fmt: skip
    return complaint, np.isin(ids, blocked_ids)


def ensure_day_counts(engine: Engine, settings: Settings) -> bool:
    """Recompute every customer's metrics once if they predate day counts (a database migrated from 0005)."""
    with engine.connect() as conn:
        if not purchase_metrics.lacks_day_counts(conn):
            return False
    with writer_turn(engine), engine.begin() as conn:
        if purchase_metrics.lacks_day_counts(conn):
            purchase_metrics.refresh(conn, settings.timezone)
    return True


def load_customer_table(
    engine: Engine, settings: Settings, at: datetime, events: AttemptEvents | None = None
) -> CustomerTable:
    """Every customer with state and RFM at `at` (RFM only for those who bought by then).

    `events` are `attempt_events` at `at`, when the caller has read them already.
    """
    ensure_day_counts(engine, settings)
    at_us = micros(at)
    with engine.connect() as conn:
        numbers, category_text = _metrics(conn)
        ids = numbers[:, 0].copy()
        complaint_us, blocked = _churn(
            conn, at, ids, attempt_events(conn, at) if events is None else events
        )
        newest = purchase_metrics.newest_purchase(conn)
        earlier = (
            purchase_metrics.as_of(conn, settings.timezone, at)
            if newest is not None and newest > at
            else None
        )
    first_us, last_us = numbers[:, 2].copy(), numbers[:, 3].copy()
    n_orders, monetary, n_days, first_day = (numbers[:, k].copy() for k in (4, 5, 6, 7))
    if earlier is not None:
        # Customers whose stored metrics include purchases after `at` take their metrics as of `at`.
        for i in np.flatnonzero((last_us != NO_TIME) & (last_us > at_us)).tolist():
            row = earlier.get(int(ids[i]))
            if row is None:
                first_us[i] = last_us[i] = NO_TIME
                n_orders[i] = monetary[i] = n_days[i] = first_day[i] = 0
                category_text[i] = None
            else:
                first_us[i], last_us[i] = micros(row[1]), micros(row[2])
                n_orders[i], monetary[i], category_text[i], n_days[i], first_day[i] = (
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                )
    categories = tuple(sorted({c for c in category_text if c is not None}))
    code = {name: i for i, name in enumerate(categories)}
    category = np.array([code.get(c, -1) for c in category_text], dtype=np.int64)  # type: ignore[arg-type]
    b2b = numbers[:, 1] == 1
    histories = Histories(
        b2b, n_orders, first_us, last_us, category, categories, complaint_us, blocked
    )
    state = classify_many(histories, at_us, lifecycle_policy(settings))
    scores = [np.zeros(len(ids), dtype=np.int8) for _ in range(3)]
    buyers = last_us != NO_TIME
    if buyers.any():
        recency = (at_us - last_us[buyers]) / 1e6 / 86400
        for target, values in zip(
            scores, rfm_scores(recency, n_orders[buyers], monetary[buyers]), strict=True
        ):
            target[buyers] = values
    return CustomerTable(at_us, ids, b2b, first_us, last_us, n_orders, monetary, category, categories, n_days,
                         first_day, state, *scores)  # fmt: skip


def rfm_cuts(table: CustomerTable) -> Cuts:
    """Each RFM score's value range among the buyers just scored, for scoring one customer later.

    R is ranked by the last order's instant (later is better), so the ranges stay
    valid as days pass.  Scores are monotone in the value, so the ranges do not overlap.
    """
    buyers = table.bought
    columns = {
        "r": (table.last_us[buyers] / 1e6, table.recency[buyers]),
        "f": (table.n_orders[buyers].astype(np.float64), table.frequency[buyers]),
        "m": (table.monetary[buyers].astype(np.float64), table.monetary_score[buyers]),
    }
    cuts: Cuts = {}
    for letter, (v, k) in columns.items():
        cuts[letter] = [
            [float(q), float(v[k == q].min()), float(v[k == q].max())] for q in np.unique(k)
        ]
    return cuts
