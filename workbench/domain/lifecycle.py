"""Lifecycle states (優良 → 休眠 → 離反) and RFM quintiles, as pure functions.

`at_risk` catches a customer before the dormancy period: the gap since their
last order is already well beyond their own usual interval.  One-time buyers
have no interval of their own, so a per-kind threshold stands in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
    if history.main_category and history.main_category in policy.category_dormant_days:
        return policy.category_dormant_days[history.main_category]
    return policy.dormant_days_b2b if history.kind == "b2b" else policy.dormant_days_b2c


def at_risk_days(history: PurchaseHistory, policy: LifecyclePolicy) -> float:
    """Days of silence after which this customer is at risk (never beyond dormancy)."""
    limit = float(dormant_days(history, policy))
    if history.n_orders >= 2 and history.first_order_at and history.last_order_at:
        span = (history.last_order_at - history.first_order_at).total_seconds() / 86400
        usual = span / (history.n_orders - 1)
        if usual > 0:
            return min(limit, policy.at_risk_factor * usual)
    fallback = policy.at_risk_days_b2b if history.kind == "b2b" else policy.at_risk_days_b2c
    return min(limit, float(fallback))


def classify(history: PurchaseHistory, at: datetime, policy: LifecyclePolicy) -> LifecycleState:
    if history.do_not_contact:
        return LifecycleState.CHURNED
    last = history.last_order_at
    if history.last_complaint_at is not None and (last is None or history.last_complaint_at >= last):
        return LifecycleState.CHURNED
    if history.n_orders == 0 or last is None:
        return LifecycleState.PROSPECT
    days = (at - last).total_seconds() / 86400
    if days >= dormant_days(history, policy):
        return LifecycleState.DORMANT
    if days > at_risk_days(history, policy):
        return LifecycleState.AT_RISK
    return LifecycleState.ACTIVE


def quintiles(values: npt.ArrayLike, higher_is_better: bool = True) -> npt.NDArray[np.int8]:
    """Score 1..5 by rank, ties sharing the average rank, 5 = best fifth."""
    array = np.asarray(values, dtype=float)
    n = array.size
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    keyed = array if higher_is_better else -array
    order = np.argsort(keyed, kind="stable")
    ranks = np.empty(n, dtype=float)
    ranks[order] = np.arange(n, dtype=float)
    # Average the ranks of tied values so equal customers always get equal scores.
    _, inverse, counts = np.unique(keyed, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    mean_rank = sums[inverse] / counts[inverse]
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
