"""Lifecycle classification and RFM quintiles: pure functions, hand-computed expectations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from workbench.domain.codes import LifecycleState
from workbench.domain.lifecycle import (
    LifecyclePolicy,
    PurchaseHistory,
    at_risk_days,
    classify,
    dormant_days,
    quintiles,
    rfm_scores,
)

AT = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
POLICY = LifecyclePolicy()
ACTIVE, AT_RISK, DORMANT, CHURNED, PROSPECT = (
    LifecycleState.ACTIVE, LifecycleState.AT_RISK, LifecycleState.DORMANT, LifecycleState.CHURNED,
    LifecycleState.PROSPECT,
)  # fmt: skip


def ago(days: float) -> datetime:
    return AT - timedelta(days=days)


def history(kind: str = "b2c", last_days: float | None = 10, n_orders: int = 1, first_days: float | None = None,
            **kwargs) -> PurchaseHistory:  # fmt: skip
    last = None if last_days is None else ago(last_days)
    first = last if first_days is None else ago(first_days)
    return PurchaseHistory(kind=kind, n_orders=n_orders if last is not None else 0, first_order_at=first,
                           last_order_at=last, **kwargs)  # fmt: skip


# --------------------------------------------------------------------------- dormancy


@pytest.mark.parametrize(
    ("kind", "days", "expected"),
    [
        ("b2c", 180, DORMANT),
        ("b2c", 181, DORMANT),
        ("b2c", 179, AT_RISK),  # one order: past the 90-day fallback, not yet dormant
        ("b2c", 180 - 1 / 86400, AT_RISK),  # one second short of 180 days
        ("b2b", 365, DORMANT),
        ("b2b", 364, AT_RISK),
        ("b2b", 200, AT_RISK),
        ("b2b", 180, ACTIVE),  # b2b fallback is 180 days: not beyond it yet
    ],
)
def test_dormancy_boundaries(kind, days, expected):
    assert classify(history(kind, days), AT, POLICY) == expected


def test_dormant_days_per_kind_and_category_override():
    policy = LifecyclePolicy(category_dormant_days={"wine": 60, "furniture": 720})
    assert dormant_days(history("b2c"), policy) == 180
    assert dormant_days(history("b2b"), policy) == 365
    assert dormant_days(history("b2c", main_category="wine"), policy) == 60
    assert dormant_days(history("b2b", main_category="wine"), policy) == 60
    assert dormant_days(history("b2c", main_category="food"), policy) == 180


def test_category_override_changes_the_state():
    policy = LifecyclePolicy(category_dormant_days={"wine": 60, "furniture": 720})
    assert classify(history("b2c", 60, main_category="wine"), AT, policy) == DORMANT
    assert (
        classify(history("b2c", 59, main_category="wine"), AT, policy) == ACTIVE
    )  # at-risk capped at 60 too
    assert classify(history("b2c", 60, main_category="food"), AT, policy) == ACTIVE
    # A long category cycle: 400 days of silence is not dormancy for furniture.
    assert classify(history("b2c", 400, main_category="furniture"), AT, policy) == AT_RISK
    assert classify(history("b2c", 720, main_category="furniture"), AT, policy) == DORMANT


def test_custom_dormancy_period():
    policy = LifecyclePolicy(dormant_days_b2c=120)
    assert classify(history("b2c", 120), AT, policy) == DORMANT
    assert classify(history("b2c", 119), AT, policy) == AT_RISK


# --------------------------------------------------------------------------- at risk


def test_at_risk_uses_the_customers_own_interval():
    # 3 orders over 60 days: one every 30 days, at risk after 2 × 30 = 60 days of silence.
    h = history("b2c", last_days=60, n_orders=3, first_days=120)
    assert at_risk_days(h, POLICY) == pytest.approx(60)
    assert classify(h, AT, POLICY) == ACTIVE  # exactly the threshold is not beyond it
    assert classify(history("b2c", 61, n_orders=3, first_days=121), AT, POLICY) == AT_RISK
    assert classify(history("b2c", 30, n_orders=3, first_days=90), AT, POLICY) == ACTIVE


def test_at_risk_factor_is_configurable():
    policy = LifecyclePolicy(at_risk_factor=3.0)
    h = history("b2c", last_days=61, n_orders=3, first_days=121)  # every 30 days
    assert at_risk_days(h, policy) == pytest.approx(90)
    assert classify(h, AT, policy) == ACTIVE
    assert classify(history("b2c", 91, n_orders=3, first_days=151), AT, policy) == AT_RISK


def test_at_risk_never_beyond_dormancy():
    # One order every 200 days: 2 × 200 = 400 is capped at the 180-day dormancy.
    h = history("b2c", last_days=179, n_orders=2, first_days=379)
    assert at_risk_days(h, POLICY) == 180
    assert classify(h, AT, POLICY) == ACTIVE
    assert classify(history("b2c", 180, n_orders=2, first_days=380), AT, POLICY) == DORMANT


def test_frequent_buyer_is_at_risk_early():
    # Weekly buyer: at risk after 14 days.
    assert classify(history("b2c", 15, n_orders=9, first_days=71), AT, POLICY) == AT_RISK
    assert classify(history("b2c", 13, n_orders=9, first_days=69), AT, POLICY) == ACTIVE


@pytest.mark.parametrize(
    ("kind", "days", "expected"),
    [("b2c", 90, ACTIVE), ("b2c", 91, AT_RISK), ("b2b", 180, ACTIVE), ("b2b", 181, AT_RISK)],
)
def test_one_time_buyer_falls_back_to_the_per_kind_threshold(kind, days, expected):
    assert classify(history(kind, days, n_orders=1), AT, POLICY) == expected


def test_orders_all_on_one_day_fall_back_too():
    h = history("b2c", last_days=91, n_orders=3, first_days=91)  # no interval to speak of
    assert at_risk_days(h, POLICY) == 90
    assert classify(h, AT, POLICY) == AT_RISK


# --------------------------------------------------------------------------- churn and prospects


def test_complaint_after_the_last_order_is_churn():
    assert classify(history("b2c", 10, last_complaint_at=ago(5)), AT, POLICY) == CHURNED
    assert (
        classify(history("b2c", 10, last_complaint_at=ago(10)), AT, POLICY) == CHURNED
    )  # same instant


def test_purchase_after_the_complaint_is_not_churn():
    assert classify(history("b2c", 10, last_complaint_at=ago(11)), AT, POLICY) == ACTIVE
    assert classify(history("b2c", 200, last_complaint_at=ago(300)), AT, POLICY) == DORMANT


def test_do_not_contact_is_churn_whatever_the_orders():
    assert classify(history("b2c", 1, do_not_contact=True), AT, POLICY) == CHURNED
    assert classify(history("b2c", None, do_not_contact=True), AT, POLICY) == CHURNED


def test_no_orders_is_a_prospect():
    assert classify(history("b2c", None), AT, POLICY) == PROSPECT
    assert classify(history("b2b", None), AT, POLICY) == PROSPECT
    assert classify(PurchaseHistory("b2c", 0, None, None), AT, POLICY) == PROSPECT


def test_complaint_without_orders_is_churn():
    assert classify(history("b2c", None, last_complaint_at=ago(3)), AT, POLICY) == CHURNED


def test_recent_single_order_is_active():
    assert classify(history("b2c", 0), AT, POLICY) == ACTIVE
    assert classify(history("b2b", 1), AT, POLICY) == ACTIVE


# --------------------------------------------------------------------------- quintiles


def test_quintiles_of_distinct_values():
    assert quintiles([10, 20, 30, 40, 50]).tolist() == [1, 2, 3, 4, 5]
    assert quintiles([50, 10, 40, 20, 30]).tolist() == [5, 1, 4, 2, 3]
    assert quintiles(list(range(1, 11))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_quintiles_lower_is_better():
    assert quintiles([10, 20, 30, 40, 50], higher_is_better=False).tolist() == [5, 4, 3, 2, 1]


def test_quintile_ties_share_the_average_rank():
    # Sorted: 1, 1 (ranks 0 and 1 → 0.5), 5, 5, 5 (ranks 2, 3, 4 → 3); score = floor(rank × 5 / n) + 1.
    assert quintiles([5, 5, 5, 1, 1]).tolist() == [4, 4, 4, 1, 1]
    # 1 → rank 0 → 1; 2, 2 → ranks 1, 2 → 1.5 → floor(1.875) + 1 = 2; 3 → rank 3 → floor(3.75) + 1 = 4.
    assert quintiles([1, 2, 2, 3]).tolist() == [1, 2, 2, 4]
    # All equal: the mean rank of 10 values is 4.5 → floor(2.25) + 1 = 3.
    assert quintiles([7] * 10).tolist() == [3] * 10


def test_equal_values_always_score_equal():
    values = [3, 1, 3, 2, 3, 1, 9, 2, 3, 0, 3]
    scores = quintiles(values)
    for value in set(values):
        assert len({int(s) for s, v in zip(scores, values, strict=True) if v == value}) == 1
    assert scores.dtype == np.int8
    assert scores.min() >= 1 and scores.max() <= 5


def test_quintiles_of_nothing():
    assert quintiles([]).tolist() == []


def test_rfm_scores():
    recency = [10, 200, 10, 50]  # days since the last order: lower is better
    frequency = [1, 5, 2, 2]
    monetary = [1000, 50000, 8000, 3000]
    r, f, m = rfm_scores(recency, frequency, monetary)
    # R: keyed -10, -200, -10, -50 → ranks 2.5, 0, 2.5, 1 → floor(3.125) + 1 = 4, 1, 4, floor(1.25) + 1 = 2
    assert r.tolist() == [4, 1, 4, 2]
    # F: 1 → 0; 2, 2 → 1.5; 5 → 3 → 1, 2, 2, 4
    assert f.tolist() == [1, 4, 2, 2]
    # M: 1000 → 0, 3000 → 1, 8000 → 2, 50000 → 3 → 1, 5 × 3 / 4 = 3.75 → 4, 2.5 → 3, 1.25 → 2
    assert m.tolist() == [1, 4, 3, 2]
