"""Lifecycle states (優良 → 休眠 → 離反) and RFM quintiles, as pure functions.

`at_risk` catches a customer before the dormancy period: the gap since their
last order is already well beyond their own usual interval.  One-time buyers
have no interval of their own, so a per-kind threshold stands in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

from workbench.domain.codes import LifecycleState


@dataclass(frozen=True)
class LifecyclePolicy:
    dormant_days_b2c: int = 180
    dormant_days_b2b: int = 365
    at_risk_factor: float = 2.0
    at_risk_days_b2c: int = 90
    at_risk_days_b2b: int = 180
    category_dormant_days: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PurchaseHistory:
    kind: str
    n_orders: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    main_category: str | None = None
    # The latest complaint or refusal, and whether the customer asked never to be called.
    last_complaint_at: datetime | None = None
    do_not_contact: bool = False


def dormant_days(history: PurchaseHistory, policy: LifecyclePolicy) -> int:
    one = Histories.of([history])
    return int(_dormant_days(one, policy)[0])


def at_risk_days(history: PurchaseHistory, policy: LifecyclePolicy) -> float:
    """Days of silence after which this customer is at risk (never beyond dormancy)."""
    one = Histories.of([history])
    return float(_at_risk_days(one, _dormant_days(one, policy).astype(np.float64), policy)[0])


def classify(history: PurchaseHistory, at: datetime, policy: LifecyclePolicy) -> LifecycleState:
    return STATES[int(classify_many(Histories.of([history]), micros(at), policy)[0])]


NO_TIME: Final = int(np.iinfo(np.int64).min)  # no such instant, in a microsecond column
STATES: Final = tuple(LifecycleState)  # classify_many's codes index this
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(at: datetime | None) -> int:
    """An aware instant as whole microseconds since the Unix epoch (NO_TIME for None): exact, as datetimes subtract."""
    return NO_TIME if at is None else (at - _EPOCH) // _MICROSECOND


@dataclass(frozen=True, eq=False)
class Histories:
    """Many customers' `PurchaseHistory` as aligned arrays, for classifying a whole base at once.

    Instants are whole microseconds since the epoch (NO_TIME for none), so every difference is
    the exact one `datetime` subtraction gives; the main category indexes `categories` (−1: none).
    """

    b2b: npt.NDArray[np.bool_]
    n_orders: npt.NDArray[np.int64]
    first_us: npt.NDArray[np.int64]
    last_us: npt.NDArray[np.int64]
    category: npt.NDArray[np.int64]
    categories: tuple[str, ...]
    complaint_us: npt.NDArray[np.int64]
    do_not_contact: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, histories: Sequence[PurchaseHistory]) -> Histories:
        names = tuple(sorted({h.main_category for h in histories if h.main_category is not None}))
        code = {name: i for i, name in enumerate(names)}

        def instants(values: Iterable[datetime | None]) -> npt.NDArray[np.int64]:
            return np.array([micros(v) for v in values], dtype=np.int64)

        return cls(
            b2b=np.array([h.kind == "b2b" for h in histories], dtype=bool),
            n_orders=np.array([h.n_orders for h in histories], dtype=np.int64),
            first_us=instants(h.first_order_at for h in histories),
            last_us=instants(h.last_order_at for h in histories),
            category=np.array([code.get(h.main_category, -1) for h in histories], dtype=np.int64),  # type: ignore[arg-type]
            categories=names,
            complaint_us=instants(h.last_complaint_at for h in histories),
            do_not_contact=np.array([h.do_not_contact for h in histories], dtype=bool),
        )


def _dormant_days(h: Histories, policy: LifecyclePolicy) -> npt.NDArray[np.int64]:
    days = np.where(h.b2b, policy.dormant_days_b2b, policy.dormant_days_b2c).astype(np.int64)
    for index, name in enumerate(h.categories):
        if name and name in policy.category_dormant_days:
            days[h.category == index] = policy.category_dormant_days[name]
    return days


def _at_risk_days(
    h: Histories, limit: npt.NDArray[np.float64], policy: LifecyclePolicy
) -> npt.NDArray[np.float64]:
    """Days of silence after which each customer is at risk: twice (the factor) their usual
    interval between orders, else a per-kind threshold for one-time buyers; never beyond dormancy."""
    fallback = np.minimum(
        limit, np.where(h.b2b, policy.at_risk_days_b2b, policy.at_risk_days_b2c).astype(np.float64)
    )
    timed = (h.n_orders >= 2) & (h.first_us != NO_TIME) & (h.last_us != NO_TIME)
    span = np.where(timed, h.last_us - np.where(timed, h.first_us, 0), 0) / 1e6 / 86400
    usual = span / np.where(timed, h.n_orders - 1, 1)
    own = timed & (usual > 0)
    return np.where(own, np.minimum(limit, policy.at_risk_factor * usual), fallback)


def classify_many(h: Histories, at_us: int, policy: LifecyclePolicy) -> npt.NDArray[np.int8]:
    """Every customer's state at the instant `at_us` (µs since the epoch), as indices into STATES.

    A customer who asked never to be called, or complained at or after their last order, is
    churned; one who never bought a prospect; otherwise the days since the last order decide:
    dormant from the dormancy period on, at risk beyond the at-risk threshold, else active.
    """
    bought = (h.n_orders != 0) & (h.last_us != NO_TIME)
    complained = (h.complaint_us != NO_TIME) & (
        (h.last_us == NO_TIME) | (h.complaint_us >= h.last_us)
    )
    days = (at_us - np.where(bought, h.last_us, at_us)) / 1e6 / 86400
    dormant = _dormant_days(h, policy)
    at_risk = _at_risk_days(h, dormant.astype(np.float64), policy)
    code = {state: np.int8(i) for i, state in enumerate(STATES)}
    return np.select(
        [h.do_not_contact | complained, ~bought, days >= dormant, days > at_risk],
        [
            code[LifecycleState.CHURNED],
            code[LifecycleState.PROSPECT],
            code[LifecycleState.DORMANT],
            code[LifecycleState.AT_RISK],
        ],
        default=code[LifecycleState.ACTIVE],
    ).astype(np.int8)


def quintiles(values: npt.ArrayLike, higher_is_better: bool = True) -> npt.NDArray[np.int8]:
    """Score 1..5 by rank, ties sharing the average rank, 5 = best fifth."""
    array = np.asarray(values, dtype=float)
    n = array.size
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    keyed = array if higher_is_better else -array
    order = np.argsort(keyed, kind="stable")
    # Average the ranks of tied values so equal customers always get equal scores: ties are
    # neighbours in sorted order, and their ranks (whole numbers) sum exactly in any order.
    ordered = keyed[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    tie = np.cumsum(starts) - 1
    sums = np.bincount(tie, weights=np.arange(n, dtype=float))
    counts = np.bincount(tie)
    mean_rank = np.empty(n, dtype=float)
    mean_rank[order] = sums[tie] / counts[tie]
    return (np.floor(mean_rank * 5 / n) + 1).clip(1, 5).astype(np.int8)


def rfm_scores(
    recency_days: npt.ArrayLike, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    """RFM quintile scores; a recent last order scores high on R."""
    return (
        quintiles(recency_days, higher_is_better=False),
        quintiles(frequency),
        quintiles(monetary),
    )
