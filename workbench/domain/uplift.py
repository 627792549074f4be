"""Campaign minus control, with 95 % intervals: the KPIs' statistics as pure functions.

- A difference of two proportions: Newcombe's hybrid score interval (Newcombe 1998, method
  10), built from each arm's Wilson interval.  The Wilson bounds come in as arguments, so
  their one home (`workbench.talk.stats.wilson_interval`) stays the only formula for them.
- A difference of two means: Welch's interval (unequal variances, Welch–Satterthwaite
  degrees of freedom, Student's t quantile).
- ROI from a revenue difference known with an interval and a known cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Difference:
    """Campaign minus control, its 95 % interval, and the relative lift (None when undefined)."""

    estimate: float
    low: float
    high: float
    relative_lift: float | None


def _relative(campaign: float, control: float) -> float | None:
    # Relative to a loss (a negative control mean) the ratio's sign reads backwards.
    return None if control <= 0 else campaign / control - 1.0


def newcombe_difference(
    x1: int,
    n1: int,
    wilson1: tuple[float, float],
    x2: int,
    n2: int,
    wilson2: tuple[float, float],
) -> Difference | None:
    """p1 − p2 with Newcombe's hybrid score interval; None when an arm is empty.

    With l, u each arm's Wilson bounds: low = d − √((p1 − l1)² + (u2 − p2)²),
    high = d + √((u1 − p1)² + (p2 − l2)²).
    """
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson1, wilson2
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Difference(d, low, high, _relative(p1, p2))


@dataclass(frozen=True)
class Sample:
    """An arm's summary of a per-customer figure: size, mean and sample variance (n − 1)."""

    n: int
    mean: float
    variance: float


def welch_difference(a: Sample, b: Sample) -> Difference | None:
    """mean(a) − mean(b) with Welch's 95 % interval; None unless each arm has two values.

    Two arms without any spread give the difference itself as both bounds.
    """
    from scipy.stats import t as student_t

    if a.n < 2 or b.n < 2:
        return None
    d = a.mean - b.mean
    va, vb = a.variance / a.n, b.variance / b.n
    se2 = va + vb
    if se2 <= 0:
        return Difference(d, d, d, _relative(a.mean, b.mean))
    df = se2**2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    half = float(student_t.ppf(0.975, df)) * math.sqrt(se2)
    return Difference(d, d - half, d + half, _relative(a.mean, b.mean))


@dataclass(frozen=True)
class Roi:
    """Incremental revenue (with its interval), cost, and ROI (with its interval; None without cost)."""

    incremental: float
    incremental_low: float
    incremental_high: float
    cost: float
    roi: float | None
    roi_low: float | None
    roi_high: float | None


def roi(revenue_per_customer: Difference, campaign_n: int, cost: float) -> Roi:
    """(incremental revenue − cost) / cost, where incremental revenue is the campaign's mean
    revenue per customer minus the control's, times the campaign's size.  The cost is known,
    so the ROI's interval is the revenue interval's, mapped through the same (increasing) line."""
    inc, low, high = (
        v * campaign_n
        for v in (
            revenue_per_customer.estimate,
            revenue_per_customer.low,
            revenue_per_customer.high,
        )
    )
    if cost <= 0:
        return Roi(inc, low, high, cost, None, None, None)
    return Roi(inc, low, high, cost, (inc - cost) / cost, (low - cost) / cost, (high - cost) / cost)
