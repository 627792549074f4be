"""Statistics: Wilson interval, P(best), aggregation of attempt records."""

from __future__ import annotations

import pytest
from scipy import integrate, stats

from workbench.talk.stats import (
    AttemptRecord,
    aggregate,
    not_enough_data,
    prob_best,
    selection_stats,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [(3, 30, 0.035, 0.256), (20, 100, 0.133, 0.289), (200, 1000, 0.176, 0.226)],
)
def test_wilson_matches_domain_examples(
    successes: int, trials: int, low: float, high: float
) -> None:
    lo, hi = wilson_interval(successes, trials)
    assert (round(lo, 3), round(hi, 3)) == (low, high)


def test_wilson_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and 0.2 < hi < 0.35
    lo, hi = wilson_interval(10, 10)
    assert hi == 1.0 and 0.65 < lo < 0.8
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_not_enough_data_threshold() -> None:
    assert not_enough_data(29) and not not_enough_data(30)


def _exact_two_arm(a: tuple[int, int], b: tuple[int, int]) -> float:
    """P(rate of a > rate of b) by numerical integration."""
    pa = stats.beta(1 + a[0], 1 + a[1] - a[0])
    pb = stats.beta(1 + b[0], 1 + b[1] - b[0])
    value, _ = integrate.quad(lambda x: pa.pdf(x) * pb.cdf(x), 0, 1)
    return value


def test_prob_best_matches_exact_integration() -> None:
    counts = {"a": (12, 100), "b": (20, 100)}
    result = prob_best(counts, draws=100_000, seed=1)
    assert result["a"] + result["b"] == pytest.approx(1.0)
    assert result["b"] == pytest.approx(_exact_two_arm((20, 100), (12, 100)), abs=0.01)
    assert prob_best(counts, seed=7) == prob_best(counts, seed=7)
    assert prob_best({"only": (0, 0)}) == {"only": 1.0}
    assert prob_best({}) == {}


RECORDS = [
    AttemptRecord("A", "v1", "price", "b2c", "鈴木", "no_answer"),
    AttemptRecord("A", "v1", "price", "b2c", "鈴木", "busy"),
    AttemptRecord("A", "v1", "price", "b2c", "鈴木", "reactivated", 5000),
    AttemptRecord("A", "v1", "price", "b2c", "鈴木", "not_interested"),
    AttemptRecord("A", "v1", "price", "b2c", "鈴木", "callback"),
    ("A", "v1", "price", "b2b", "高橋", "reactivated", 12000),  # plain tuple
    ("A", "v1", "price", "b2b", "高橋", "voicemail", None),
    {
        "script_id": "A",
        "version": "v1",
        "reason": "price",
        "kind": "b2b",
        "operator": "高橋",
        "outcome": "wrong_number",
        "amount": None,
    },  # mapping
    AttemptRecord("B", "v1", "price", "b2c", "鈴木", "complaint"),
    AttemptRecord("B", "v1", "price", "b2c", "鈴木", "do_not_call"),
    AttemptRecord("B", "v1", "price", "b2c", "鈴木", "no_answer"),
    AttemptRecord("B", "v2", "competitor", "b2c", "高橋", "reactivated", None),
]


def test_aggregate_by_script_version_reason_matches_hand_table() -> None:
    rows = aggregate(RECORDS)
    table = [
        (
            r.script_id,
            r.version,
            r.reason,
            r.kind,
            r.operator,
            r.attempts,
            r.contacts,
            r.reactivations,
            r.rate,
            r.revenue,
        )
        for r in rows
    ]
    assert table == [
        ("A", "v1", "price", None, None, 8, 4, 2, 0.5, 17000.0),
        ("B", "v1", "price", None, None, 3, 2, 0, 0.0, 0.0),
        ("B", "v2", "competitor", None, None, 1, 1, 1, 1.0, 0.0),
    ]
    a, b, c = rows
    assert (a.wilson_low, a.wilson_high) == wilson_interval(2, 4)
    assert all(r.not_enough_data for r in rows)
    # P(best) compares scripts within a reason
    assert a.p_best + b.p_best == pytest.approx(1.0)  # type: ignore[operator]
    assert a.p_best == pytest.approx(_exact_two_arm((2, 4), (0, 2)), abs=0.015)
    assert c.p_best == 1.0


def test_aggregate_by_kind_and_by_operator() -> None:
    by_kind = [
        (r.kind, r.attempts, r.contacts, r.reactivations, r.revenue, r.p_best)
        for r in aggregate(RECORDS, by=("kind",))
    ]
    assert by_kind == [("b2b", 3, 1, 1, 12000.0, None), ("b2c", 9, 6, 2, 5000.0, None)]
    by_operator = [
        (r.operator, r.attempts, r.contacts, r.reactivations, r.revenue)
        for r in aggregate(RECORDS, by=("operator",))
    ]
    assert by_operator == [("鈴木", 8, 5, 1, 5000.0), ("高橋", 4, 2, 2, 12000.0)]


def test_unreached_attempts_never_count_against_a_script() -> None:
    records = [
        AttemptRecord("A", "v1", "price", "b2c", "x", outcome)
        for outcome in ("no_answer", "busy", "voicemail", "wrong_number")
    ]
    [row] = aggregate(records)
    assert (row.attempts, row.contacts, row.rate) == (4, 0, None)
    assert (row.wilson_low, row.wilson_high) == (0.0, 1.0)


def test_selection_stats_feed_choose_script() -> None:
    assert selection_stats(RECORDS) == {
        ("A", "v1"): (2, 4),
        ("B", "v1"): (0, 2),
        ("B", "v2"): (1, 1),
    }


def test_unknown_grouping_key() -> None:
    with pytest.raises(ValueError):
        aggregate(RECORDS, by=("colour",))
