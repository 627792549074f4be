"""Monthly seasonality per product category, pre-season call timing and deadline triggers.

Seasonal index: the classical multiplicative decomposition ("ratio to moving average", e.g.
Makridakis, Wheelwright & Hyndman, *Forecasting: Methods and Applications*, ch. 3). Each month's
total is divided by the centred 2×12 moving average around it, the ratios are averaged per
calendar month and the twelve averages rescaled to mean 1. Two full years are needed for every
calendar month to have a ratio; with 12–23 months the index falls back to the per-calendar-month
median of the ratio to the series mean, with fewer than 12 to a flat 1.0.

Sparse categories are shrunk toward the overall index (all categories summed) with weight
``volume / (volume + SHRINK_VOLUME)``, where volume is the category's mean monthly order count.

Pure functions of plain values; indices are frozen dataclasses whose ``values`` are January first.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "MIN_MONTHS_MA",
    "PEAK_THRESHOLD",
    "SHRINK_VOLUME",
    "SeasonalIndex",
    "add_months",
    "category_indices",
    "centred_moving_average",
    "deadline_trigger",
    "season_boost",
    "seasonal_index",
    "shrink_index",
]

MIN_MONTHS_MA: Final = 24
"""Months needed for the ratio-to-moving-average index (two full years)."""

SHRINK_VOLUME: Final = 30.0
"""Mean monthly orders at which a category's own index and the overall index weigh equally.

A month with n orders carries Poisson noise of about 1/√n, i.e. ±18 % at n = 30: as large as
the seasonal swings worth acting on (the peak threshold is +20 %), so below that volume the
category's own pattern is mostly noise and the overall pattern should dominate.
"""

PEAK_THRESHOLD: Final = 1.2
"""An index value at or above this marks a peak month (20 % above an average month)."""

_REFERENCE_YEAR: Final = 2000  # a leap year, so every (month, day) pair is a valid date

Method = Literal["ratio_to_ma", "median_ratio", "flat"]


@dataclass(frozen=True)
class SeasonalIndex:
    """Twelve monthly factors, January first, with mean 1; ``method`` says how they were made."""

    values: tuple[float, ...]
    method: Method

    def __post_init__(self) -> None:
        if len(self.values) != 12:
            raise ValueError("a seasonal index has 12 values")

    def for_month(self, month: int) -> float:
        """The factor of calendar month 1–12."""
        return self.values[month - 1]

    @classmethod
    def flat(cls) -> SeasonalIndex:
        return cls((1.0,) * 12, "flat")


def seasonal_index(totals: ArrayLike, first_month: int) -> SeasonalIndex:
    """Seasonal index from consecutive monthly totals whose first element is ``first_month``.

    ≥ 24 months: mean per calendar month of y_t / MA_2×12(t), rescaled to mean 1.
    12–23 months: median per calendar month of y_t / mean(y), rescaled to mean 1.
    Otherwise, or when the series is all zero: flat 1.0.
    """
    _check_month(first_month)
    y = np.asarray(totals, dtype=np.float64)
    if y.ndim != 1 or np.any(~np.isfinite(y)) or np.any(y < 0):
        raise ValueError("totals must be a 1-D sequence of non-negative finite numbers")
    months = (first_month - 1 + np.arange(len(y))) % 12
    if len(y) >= MIN_MONTHS_MA:
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = _per_month(y / centred_moving_average(y), months, "mean")
        if raw is not None:
            return SeasonalIndex(_rescale(raw), "ratio_to_ma")
    if len(y) >= 12 and y.sum() > 0:
        raw = _per_month(y / y.mean(), months, "median")
        if raw is not None:
            return SeasonalIndex(_rescale(raw), "median_ratio")
    return SeasonalIndex.flat()


def centred_moving_average(y: ArrayLike) -> np.ndarray:
    """Centred 2×12 moving average; NaN for the first and last six months (no full window)."""
    arr = np.asarray(y, dtype=np.float64)
    out = np.full(len(arr), np.nan)
    # Weights 1/24 at both ends and 1/12 inside: the mean of two adjacent 12-month averages.
    weights = np.r_[0.5, np.ones(11), 0.5] / 12.0
    if len(arr) >= 13:
        out[6:-6] = np.convolve(arr, weights, mode="valid")
    return out


def shrink_index(
    own: SeasonalIndex, overall: SeasonalIndex, volume: float, k: float = SHRINK_VOLUME
) -> SeasonalIndex:
    """Blend a category's index toward the overall one: w·own + (1−w)·overall, w = v/(v+k)."""
    if volume < 0 or k <= 0:
        raise ValueError("volume must be >= 0 and k > 0")
    w = volume / (volume + k)
    blended = w * np.asarray(own.values) + (1.0 - w) * np.asarray(overall.values)
    return SeasonalIndex(_rescale(blended), own.method)


def category_indices(
    totals_by_category: Mapping[str, ArrayLike],
    first_month: int,
    volumes: Mapping[str, float] | None = None,
    k: float = SHRINK_VOLUME,
) -> tuple[SeasonalIndex, dict[str, SeasonalIndex]]:
    """The overall index (sum of all categories) and each category's index shrunk toward it.

    ``volumes`` gives each category's mean monthly order count; by default the mean of its series
    (right when the totals are order counts, not yen amounts).
    """
    series = {name: np.asarray(v, dtype=np.float64) for name, v in totals_by_category.items()}
    lengths = {len(v) for v in series.values()}
    if len(lengths) > 1:
        raise ValueError("all categories need the same months")
    if not series:
        return SeasonalIndex.flat(), {}
    overall = seasonal_index(np.sum(list(series.values()), axis=0), first_month)
    result: dict[str, SeasonalIndex] = {}
    for name, y in series.items():
        default_volume = float(y.mean()) if len(y) else 0.0
        volume = default_volume if volumes is None else volumes.get(name, default_volume)
        result[name] = shrink_index(seasonal_index(y, first_month), overall, volume, k)
    return overall, result


class Peak(NamedTuple):
    """A peak month coming up within the lead window."""

    month: int
    weeks: float  # from the day asked about to the first day of that month
    value: float  # the month's seasonal index (≥ the peak threshold)

    @property
    def boost(self) -> float:
        """Its excess over an average month: how much it justifies calling now."""
        return self.value - 1.0


def next_peak(
    index: SeasonalIndex | Sequence[float],
    today: date,
    lead_weeks: tuple[float, float] = (2, 6),
    *,
    threshold: float = PEAK_THRESHOLD,
) -> Peak | None:
    """The strongest peak month *starting* between ``lead_weeks[0]`` and ``lead_weeks[1]`` weeks
    (inclusive) after ``today``; None when none is due.

    A peak month is one with index ≥ ``threshold``.  The score's season boost and the operator
    screen's "season in N weeks" both come from here, so they always name the same peak.
    """
    values = index.values if isinstance(index, SeasonalIndex) else tuple(index)
    if len(values) != 12:
        raise ValueError("a seasonal index has 12 values")
    if threshold <= 1.0:
        raise ValueError("a peak threshold must be above 1")
    low, high = lead_weeks
    if not 0 <= low <= high:
        raise ValueError("lead_weeks must be (low, high) with 0 <= low <= high")
    best: Peak | None = None
    for month, value in enumerate(values, start=1):
        if value < threshold:
            continue
        start_year = today.year if (month, 1) > (today.month, today.day) else today.year + 1
        weeks = (date(start_year, month, 1) - today).days / 7.0
        if low <= weeks <= high and (best is None or value > best.value):
            best = Peak(month, weeks, float(value))
    return best


def season_boost(
    index: SeasonalIndex | Sequence[float],
    month_now: int,
    day_of_month: int,
    lead_weeks: tuple[float, float] = (2, 6),
    *,
    threshold: float = PEAK_THRESHOLD,
    year: int | None = None,
) -> float:
    """How much a peak month coming up justifies calling now (:func:`next_peak`'s boost); 0.0
    when none is due.  ``year`` fixes month lengths; by default a leap year, so 29 February is
    accepted.
    """
    _check_month(month_now)
    today = date(_REFERENCE_YEAR if year is None else year, month_now, day_of_month)
    peak = next_peak(index, today, lead_weeks, threshold=threshold)
    return 0.0 if peak is None else peak.boost


@functools.lru_cache(maxsize=1 << 16)  # a scoring run asks per customer; last-order dates repeat
def deadline_trigger(
    last_order: date, at: date, reset_months: int = 12, notice_month: int = 11
) -> bool:
    """True in the notice period before a loyalty benefit lapses.

    A benefit (e.g. a discount) resets ``reset_months`` after the last order; the customer is due a
    call from ``notice_month`` months after the last order until the reset, i.e. in the half-open
    date range [last_order + notice_month, last_order + reset_months). Month arithmetic keeps the
    day of month, clamped to the month's end (31 Jan + 1 month = 28/29 Feb).
    """
    if not 0 < notice_month < reset_months:
        raise ValueError("need 0 < notice_month < reset_months")
    return add_months(last_order, notice_month) <= at < add_months(last_order, reset_months)


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months, the day clamped to the target month's length."""
    total = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(total, 12)
    day = min(d.day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


def _per_month(
    ratios: np.ndarray, months: np.ndarray, how: Literal["mean", "median"]
) -> np.ndarray | None:
    """Mean or median of the finite ratios of each calendar month; None if a month has none."""
    out = np.empty(12)
    for m in range(12):
        chosen = ratios[(months == m) & np.isfinite(ratios)]
        if chosen.size == 0:
            return None
        out[m] = np.mean(chosen) if how == "mean" else np.median(chosen)
    return out


def _rescale(raw: np.ndarray) -> tuple[float, ...]:
    mean = float(np.mean(raw))
    if not np.isfinite(mean) or mean <= 0:
        return (1.0,) * 12
    return tuple(float(v) for v in raw / mean)


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
