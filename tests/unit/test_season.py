"""Seasonal index, shrinkage, pre-season boost and the month-11 deadline trigger."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from workbench.domain.season import (
    SHRINK_VOLUME,
    SeasonalIndex,
    add_months,
    category_indices,
    centred_moving_average,
    deadline_trigger,
    season_boost,
    seasonal_index,
    shrink_index,
)


def _sinusoid(months: int, first_month: int, amplitude: float = 0.3) -> np.ndarray:
    calendar_month = (first_month - 1 + np.arange(months)) % 12  # 0 = January
    return 1 + amplitude * np.sin(2 * np.pi * calendar_month / 12)


def _december_peak(months: int) -> list[float]:
    """Monthly totals from January: 200 in December, 100 otherwise."""
    return [200.0 if m % 12 == 11 else 100.0 for m in range(months)]


def test_pure_sinusoid_is_recovered_exactly() -> None:
    # The 2x12 moving average cancels a 12-month sinusoid, so MA = 100 and ratio = the factor.
    idx = seasonal_index(100 * _sinusoid(36, 1), first_month=1)
    assert idx.method == "ratio_to_ma"
    np.testing.assert_allclose(idx.values, _sinusoid(12, 1), atol=1e-12)


def test_series_starting_mid_year_is_aligned_to_calendar_months() -> None:
    idx = seasonal_index(100 * _sinusoid(30, 4), first_month=4)
    np.testing.assert_allclose(idx.values, _sinusoid(12, 1), atol=1e-12)
    assert idx.for_month(4) == pytest.approx(1.3)  # sin(2π·3/12) = 1 in April


def test_sinusoid_on_a_trend_is_recovered_approximately() -> None:
    trend = 100 + 3 * np.arange(48)
    idx = seasonal_index(trend * _sinusoid(48, 1), first_month=1)
    # The multiplicative decomposition is only approximate under a steep (3 %/month) trend.
    np.testing.assert_allclose(idx.values, _sinusoid(12, 1), atol=0.02)
    assert int(np.argmax(idx.values)) + 1 == 4


def test_december_peak_hand_computed() -> None:
    # Every centred 2x12 window holds one December at full weight (or two at half weight):
    # MA = (11·100 + 200)/12 = 1300/12, so December = 200/(1300/12) = 24/13 and others 12/13,
    # whose mean is already (24 + 11·12)/13/12 = 1.
    idx = seasonal_index(_december_peak(24), first_month=1)
    assert idx.method == "ratio_to_ma"
    assert idx.for_month(12) == pytest.approx(24 / 13, abs=1e-12)
    for month in range(1, 12):
        assert idx.for_month(month) == pytest.approx(12 / 13, abs=1e-12)


def test_centred_moving_average_weights() -> None:
    y = np.arange(24, dtype=float)
    ma = centred_moving_average(y)
    assert np.all(np.isnan(ma[:6])) and np.all(np.isnan(ma[-6:]))
    # A linear series is its own centred moving average.
    np.testing.assert_allclose(ma[6:-6], y[6:-6])
    y2 = np.zeros(13)
    y2[0] = y2[12] = 12.0
    assert centred_moving_average(y2)[6] == pytest.approx(1.0)  # half weights at both ends


def test_mean_is_one() -> None:
    rng = np.random.default_rng(3)
    for months in (12, 18, 24, 37, 60):
        idx = seasonal_index(rng.uniform(1, 500, months), first_month=int(rng.integers(1, 13)))
        assert math.fsum(idx.values) / 12 == pytest.approx(1.0, abs=1e-12)
        assert all(v > 0 for v in idx.values)


def test_fewer_than_24_months_uses_median_ratio() -> None:
    idx = seasonal_index(_december_peak(18), first_month=1)
    assert idx.method == "median_ratio"
    # Ratios to the series mean are proportional to the totals: December 2x the other months.
    assert idx.for_month(12) == pytest.approx(24 / 13, abs=1e-12)
    assert idx.for_month(6) == pytest.approx(12 / 13, abs=1e-12)


def test_median_is_robust_to_one_outlier_year() -> None:
    y = [100.0] * 23
    y[2] = 1000.0  # a one-off March spike; March appears twice in 23 months
    y[14] = 100.0
    idx = seasonal_index(y, first_month=1)
    assert idx.method == "median_ratio"
    # Median of {1000/m, 100/m} is their mean; the other months stay equal to each other.
    assert idx.for_month(3) > idx.for_month(1)
    assert idx.for_month(1) == pytest.approx(idx.for_month(12))


def test_too_short_or_empty_series_is_flat() -> None:
    assert seasonal_index([5.0] * 11, first_month=1) == SeasonalIndex.flat()
    assert seasonal_index([0.0] * 30, first_month=1).values == (1.0,) * 12
    assert seasonal_index([], first_month=1).method == "flat"


def test_shrinkage_weights_by_volume() -> None:
    own = seasonal_index(_december_peak(24), first_month=1)
    overall = SeasonalIndex.flat()
    assert shrink_index(own, overall, volume=0.0).values == pytest.approx(overall.values)
    half = shrink_index(own, overall, volume=SHRINK_VOLUME)
    # w = 1/2: December (24/13 + 1)/2 = 37/26, others (12/13 + 1)/2 = 25/26; mean still 1.
    assert half.for_month(12) == pytest.approx(37 / 26, abs=1e-12)
    assert half.for_month(1) == pytest.approx(25 / 26, abs=1e-12)
    big = shrink_index(own, overall, volume=1e9)
    assert big.values == pytest.approx(own.values, abs=1e-6)


def test_category_indices_pull_sparse_categories_to_the_overall_pattern() -> None:
    months = 36
    big = 1000 * _sinusoid(months, 1)  # ~1000 orders a month, April peak
    sparse = np.array([3.0 if m % 12 == 0 else 1.0 for m in range(months)])  # January "peak"
    overall, per_category = category_indices({"big": big, "sparse": sparse}, first_month=1)
    own_sparse = seasonal_index(sparse, first_month=1)
    assert abs(per_category["sparse"].for_month(1) - overall.for_month(1)) < abs(
        own_sparse.for_month(1) - overall.for_month(1)
    )
    # volume = 14/12 orders a month → weight w = v/(v + 30) ≈ 0.037: nearly the overall index.
    volume = 14 / 12
    w = volume / (volume + SHRINK_VOLUME)
    expected = w * np.array(own_sparse.values) + (1 - w) * np.array(overall.values)
    expected /= expected.mean()
    assert per_category["sparse"].values == pytest.approx(tuple(expected), abs=1e-12)
    assert per_category["sparse"].values == pytest.approx(overall.values, abs=0.07)
    assert per_category["big"].values == pytest.approx(seasonal_index(big, 1).values, abs=0.01)
    for idx in per_category.values():
        assert sum(idx.values) / 12 == pytest.approx(1.0, abs=1e-12)


def test_category_indices_explicit_volumes() -> None:
    own = _december_peak(24)
    flat = [100.0] * 24
    _, result = category_indices({"a": own, "b": flat}, 1, volumes={"a": 1e9, "b": 1e9})
    assert result["a"].for_month(12) == pytest.approx(24 / 13, abs=1e-6)


PEAK_DEC = tuple([1.0] * 11 + [1.5])


@pytest.mark.parametrize(
    ("month", "day", "expected"),
    [
        (11, 1, 0.5),  # December starts in 30 days = 4.3 weeks
        (11, 17, 0.5),  # exactly 2 weeks: inclusive
        (11, 18, 0.0),  # 13 days: too late to prepare
        (10, 20, 0.5),  # exactly 6 weeks: inclusive
        (10, 19, 0.0),  # 43 days: too early
        (12, 5, 0.0),  # the peak has started
        (6, 1, 0.0),
    ],
)
def test_season_boost_lead_window(month: int, day: int, expected: float) -> None:
    assert season_boost(PEAK_DEC, month, day) == pytest.approx(expected)


def test_season_boost_wraps_the_year_and_uses_threshold() -> None:
    january_peak = SeasonalIndex(tuple([1.3] + [(12 - 1.3) / 11] * 11), "ratio_to_ma")
    assert season_boost(january_peak, 12, 1) == pytest.approx(0.3)  # 31 days to 1 January
    assert season_boost(january_peak, 12, 1, threshold=1.4) == 0.0
    assert season_boost(january_peak, 12, 1, lead_weeks=(0, 4)) == 0.0
    assert season_boost(SeasonalIndex.flat(), 11, 1) == 0.0


def test_season_boost_takes_the_largest_qualifying_peak() -> None:
    values = [1.0] * 12
    values[10], values[11] = 1.25, 1.6  # November and December peaks
    # On 10 October: November in 22 days, December in 52 days (7.4 weeks, outside).
    assert season_boost(values, 10, 10) == pytest.approx(0.25)
    # On 1 November the December peak (30 days) qualifies.
    assert season_boost(values, 11, 1) == pytest.approx(0.6)


def test_deadline_trigger_month_eleven() -> None:
    last = date(2025, 1, 15)
    assert not deadline_trigger(last, date(2025, 12, 14))
    assert deadline_trigger(last, date(2025, 12, 15))
    assert deadline_trigger(last, date(2026, 1, 14))
    assert not deadline_trigger(last, date(2026, 1, 15))  # reset: the discount is gone
    assert not deadline_trigger(last, date(2025, 6, 1))


def test_deadline_trigger_month_end_clamping_and_settings() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), 11) == date(2025, 2, 28)
    assert add_months(date(2023, 3, 31), 11) == date(2024, 2, 29)
    assert add_months(date(2025, 5, 10), -5) == date(2024, 12, 10)
    assert deadline_trigger(date(2025, 1, 31), date(2025, 12, 31))
    assert not deadline_trigger(date(2025, 1, 31), date(2025, 12, 30))
    assert deadline_trigger(date(2025, 1, 1), date(2025, 6, 15), reset_months=6, notice_month=5)
    with pytest.raises(ValueError):
        deadline_trigger(date(2025, 1, 1), date(2025, 6, 15), reset_months=6, notice_month=6)
