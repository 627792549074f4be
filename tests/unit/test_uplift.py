"""Newcombe's and Welch's intervals against published and hand-computed values."""

from __future__ import annotations

import math

import pytest

from workbench.domain.uplift import Sample, newcombe_difference, roi, welch_difference
from workbench.talk.stats import wilson_interval


def _newcombe(x1: int, n1: int, x2: int, n2: int):  # type: ignore[no-untyped-def]
    return newcombe_difference(x1, n1, wilson_interval(x1, n1), x2, n2, wilson_interval(x2, n2))


def test_newcombe_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II example (a), method 10:
    # 56/70 − 48/80 = 0.2000, 95 % CI 0.0524 to 0.3339.
    d = _newcombe(56, 70, 48, 80)
    assert d is not None
    assert d.estimate == pytest.approx(0.2)
    assert d.low == pytest.approx(0.0524, abs=5e-5)
    assert d.high == pytest.approx(0.3339, abs=5e-5)
    assert d.relative_lift == pytest.approx(0.8 / 0.6 - 1)


def test_newcombe_second_published_example() -> None:
    # The same table, example (b): 9/10 − 3/10 = 0.6000, 95 % CI 0.1705 to 0.8090.
    d = _newcombe(9, 10, 3, 10)
    assert d is not None
    assert (d.low, d.high) == (pytest.approx(0.1705, abs=5e-5), pytest.approx(0.8090, abs=5e-5))


def test_newcombe_needs_both_arms() -> None:
    assert _newcombe(3, 10, 0, 0) is None
    assert _newcombe(0, 0, 3, 10) is None
    zero = _newcombe(0, 10, 0, 10)
    assert zero is not None and zero.relative_lift is None and zero.estimate == 0


def test_welch_by_hand() -> None:
    # a: 1, 2, 3, 4 → mean 2.5, s² 5/3; b: 2, 4, 6 → mean 4, s² 4.
    a, b = Sample(4, 2.5, 5 / 3), Sample(3, 4.0, 4.0)
    va, vb = (5 / 3) / 4, 4 / 3
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 2)
    # By hand: (0.41667 + 1.33333)² / (0.41667²/3 + 1.33333²/2) = 3.0625 / 0.94676.
    assert df == pytest.approx(3.2347, abs=1e-4)
    # The half-width lies between the tabled t(0.975, 4) = 2.7764 and t(0.975, 3) = 3.1824 × se.
    d = welch_difference(a, b)
    assert d is not None
    half = (d.high - d.low) / 2
    assert d.estimate == pytest.approx(-1.5)
    assert 2.7764 * se < half < 3.1824 * se
    from scipy.stats import t

    assert half == pytest.approx(t.ppf(0.975, df) * se)
    assert d.relative_lift == pytest.approx(2.5 / 4 - 1)


def test_welch_edges() -> None:
    assert welch_difference(Sample(1, 2.0, 0.0), Sample(5, 1.0, 1.0)) is None
    flat = welch_difference(Sample(3, 2.0, 0.0), Sample(3, 1.0, 0.0))
    assert flat is not None and (flat.low, flat.high) == (1.0, 1.0)


def test_roi_maps_the_revenue_interval() -> None:
    diff = welch_difference(Sample(4, 2.5, 5 / 3), Sample(3, 4.0, 4.0))
    assert diff is not None
    r = roi(diff, 10, 5.0)
    assert r.incremental == pytest.approx(-15.0)
    assert r.roi == pytest.approx((-15.0 - 5) / 5)
    assert r.roi_low == pytest.approx((diff.low * 10 - 5) / 5)
    assert r.roi_high == pytest.approx((diff.high * 10 - 5) / 5)
    free = roi(diff, 10, 0.0)
    assert free.roi is None and free.roi_low is None and free.incremental == pytest.approx(-15.0)
