"""A whole base classified at once: every customer gets the state the rules give them alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from workbench.domain.codes import LifecycleState
from workbench.domain.lifecycle import (
    NO_TIME,
    STATES,
    Histories,
    LifecyclePolicy,
    PurchaseHistory,
    classify,
    classify_many,
    micros,
)

AT = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
POLICY = LifecyclePolicy(category_dormant_days={"wine": 60, "furniture": 720})


def ago(days: float) -> datetime:
    return AT - timedelta(days=days)


# (history, the state worked out by hand from the rules)
BASE = [
    (PurchaseHistory("b2c", 1, ago(10), ago(10)), LifecycleState.ACTIVE),
    (
        PurchaseHistory("b2c", 1, ago(91), ago(91)),
        LifecycleState.AT_RISK,
    ),  # past the 90-day one-time fallback
    (PurchaseHistory("b2c", 1, ago(180), ago(180)), LifecycleState.DORMANT),
    (
        PurchaseHistory("b2b", 1, ago(200), ago(200)),
        LifecycleState.AT_RISK,
    ),  # b2b: 180 at risk, 365 dormant
    (
        PurchaseHistory("b2c", 3, ago(121), ago(61)),
        LifecycleState.AT_RISK,
    ),  # every 30 days: at risk after 60
    (
        PurchaseHistory("b2c", 3, ago(120), ago(60)),
        LifecycleState.ACTIVE,
    ),  # exactly 60 is not beyond it
    (
        PurchaseHistory("b2c", 1, ago(60), ago(60), "wine"),
        LifecycleState.DORMANT,
    ),  # category dormancy
    (PurchaseHistory("b2c", 1, ago(400), ago(400), "furniture"), LifecycleState.AT_RISK),
    (PurchaseHistory("b2c", 1, ago(60), ago(60), "food"), LifecycleState.ACTIVE),
    (PurchaseHistory("b2c", 0, None, None), LifecycleState.PROSPECT),
    (PurchaseHistory("b2c", 0, None, None, last_complaint_at=ago(3)), LifecycleState.CHURNED),
    (
        PurchaseHistory("b2c", 1, ago(10), ago(10), last_complaint_at=ago(10)),
        LifecycleState.CHURNED,
    ),  # same instant
    (PurchaseHistory("b2c", 1, ago(10), ago(10), last_complaint_at=ago(11)), LifecycleState.ACTIVE),
    (PurchaseHistory("b2b", 5, ago(900), ago(1), do_not_contact=True), LifecycleState.CHURNED),
    (
        PurchaseHistory("b2c", 1, ago(180 - 1 / 86400), ago(180 - 1 / 86400)),
        LifecycleState.AT_RISK,
    ),  # a second short
    (
        PurchaseHistory(
            "b2c", 2, ago(180) + timedelta(microseconds=1), ago(180) + timedelta(microseconds=1)
        ),
        LifecycleState.AT_RISK,
    ),
]


def test_a_mixed_base_classified_at_once_gets_each_customers_own_state() -> None:
    histories = [h for h, _ in BASE]
    codes = classify_many(Histories.of(histories), micros(AT), POLICY)
    assert [STATES[c] for c in codes] == [expected for _, expected in BASE]
    assert [classify(h, AT, POLICY) for h in histories] == [expected for _, expected in BASE]


def test_the_order_of_the_base_does_not_change_anyones_state() -> None:
    histories = [h for h, _ in BASE]
    order = np.random.default_rng(4).permutation(len(histories))
    shuffled = classify_many(Histories.of([histories[i] for i in order]), micros(AT), POLICY)
    assert [STATES[c] for c in shuffled] == [BASE[i][1] for i in order]


def test_instants_are_whole_microseconds_and_none_is_no_time() -> None:
    assert micros(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC)) == 1_000_005
    assert micros(datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)) == -500_000
    assert micros(None) == NO_TIME
    h = Histories.of([PurchaseHistory("b2b", 2, ago(30), None, "wine")])
    assert (
        h.last_us.tolist() == [NO_TIME] and h.categories == ("wine",) and h.b2b.tolist() == [True]
    )
