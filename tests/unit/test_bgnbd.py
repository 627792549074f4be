"""BG/NBD and MBG/NBD: the CDNOW reproduction, P(alive) shapes and conditional expectations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from workbench.domain.bgnbd import (
    BgNbdParams,
    MbgNbdParams,
    expected_transactions,
    fit_bgnbd,
    fit_mbgnbd,
    group_triples,
    p_alive,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "cdnow_customers_summary.csv"

# Fader, Hardie & Lee (2005): BG/NBD estimates on the CDNOW sample (see tests/data/SOURCE.md).
PUBLISHED = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=-9582.4)


@pytest.fixture(scope="module")
def cdnow() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = np.genfromtxt(DATA, delimiter=",", names=True)
    assert len(data) == 2357
    return data["frequency"], data["recency"], data["T"]


@pytest.fixture(scope="module")
def bg(cdnow: tuple[np.ndarray, np.ndarray, np.ndarray]) -> BgNbdParams:
    return fit_bgnbd(*cdnow)


@pytest.fixture(scope="module")
def mbg(cdnow: tuple[np.ndarray, np.ndarray, np.ndarray]) -> MbgNbdParams:
    return fit_mbgnbd(*cdnow)


def test_fit_reproduces_published_cdnow_estimates(bg: BgNbdParams) -> None:
    for name in ("r", "alpha", "a", "b"):
        assert getattr(bg, name) == pytest.approx(getattr(PUBLISHED, name), rel=0.01), name
    assert abs(bg.loglik - PUBLISHED.loglik) < 0.1


def test_grouped_fit_equals_ungrouped_fit(
    cdnow: tuple[np.ndarray, np.ndarray, np.ndarray], bg: BgNbdParams
) -> None:
    g = group_triples(*cdnow)
    assert len(g.x) < 2357 and g.weights.sum() == 2357
    grouped = fit_bgnbd(g.x, g.t_x, g.T, weights=g.weights)
    assert grouped.loglik == pytest.approx(bg.loglik, abs=1e-3)
    assert grouped.r == pytest.approx(bg.r, rel=1e-3)


def test_weights_are_frequency_weights() -> None:
    x, t_x, T = np.array([0, 1, 3]), np.array([0.0, 5.0, 20.0]), np.array([30.0, 30.0, 30.0])
    w = np.array([3, 1, 2])
    expanded = fit_bgnbd(np.repeat(x, w), np.repeat(t_x, w), np.repeat(T, w))
    weighted = fit_bgnbd(x, t_x, T, weights=w)
    assert weighted.loglik == pytest.approx(expanded.loglik, abs=1e-6)


def test_group_triples_rounds_and_sums() -> None:
    g = group_triples([1, 1, 1, 0], [2.04, 2.01, 3.0, 0.0], [10.0, 10.02, 10.0, 4.0], decimals=1)
    rows = sorted(zip(g.x.tolist(), g.t_x.tolist(), g.T.tolist(), g.weights.tolist(), strict=True))
    assert rows == [(0.0, 0.0, 4.0, 1.0), (1.0, 2.0, 10.0, 2.0), (1.0, 3.0, 10.0, 1.0)]


def test_p_alive_hand_computed(bg: BgNbdParams) -> None:
    # Customer 1 of CDNOW (x=2, t_x=30.43, T=38.86) under the published parameters:
    # odds_dead = a/(b+x-1) * ((α+T)/(α+t_x))^(r+x) = 0.793/3.426 * (43.274/34.844)^2.243
    odds = 0.793 / 3.426 * (43.274 / 34.844) ** 2.243
    assert float(p_alive(PUBLISHED, 2, 30.43, 38.86)) == pytest.approx(1 / (1 + odds), rel=1e-12)


def test_bgnbd_p_alive_is_one_for_one_time_buyers(bg: BgNbdParams) -> None:
    T = np.array([1.0, 10.0, 39.0, 500.0])
    assert np.all(p_alive(bg, np.zeros(4), np.zeros(4), T) == 1.0)


def test_mbgnbd_p_alive_decays_for_one_time_buyers(mbg: MbgNbdParams) -> None:
    T = np.array([1.0, 10.0, 39.0, 500.0])
    alive = p_alive(mbg, np.zeros(4), np.zeros(4), T)
    assert np.all(alive < 1.0)
    assert np.all(np.diff(alive) < 0)
    # Hand formula: 1 / (1 + a/b * ((α+T)/α)^r).
    expected = 1 / (1 + mbg.a / mbg.b * ((mbg.alpha + 39.0) / mbg.alpha) ** mbg.r)
    assert alive[2] == pytest.approx(expected, rel=1e-12)


def test_mbgnbd_fits_cdnow_at_least_as_well_as_the_null(mbg: MbgNbdParams, bg: BgNbdParams) -> None:
    assert all(v > 0 for v in (mbg.r, mbg.alpha, mbg.a, mbg.b))
    # Both models have four parameters; on CDNOW they fit about equally well.
    assert abs(mbg.loglik - bg.loglik) < 5


def test_conditional_expectations_non_negative_and_increasing(
    cdnow: tuple[np.ndarray, np.ndarray, np.ndarray], bg: BgNbdParams, mbg: MbgNbdParams
) -> None:
    x, t_x, T = cdnow
    horizons = [0.5, 1.0, 4.0, 13.0, 39.0, 104.0]
    for params in (bg, mbg):
        previous = np.zeros_like(x)
        for t in horizons:
            now = expected_transactions(params, t, x, t_x, T)
            assert np.all(np.isfinite(now)) and np.all(now >= 0)
            assert np.all(now > previous)
            previous = now
        assert np.all(expected_transactions(params, 0.0, x, t_x, T) == 0)


def test_conditional_expectation_hand_computed_limit() -> None:
    # With T = t_x = 0 and x = 0 (just bought), BG/NBD's conditional expectation equals the
    # unconditional E[X(t)] of FHL eq. 9 evaluated directly.
    p = PUBLISHED
    t = 26.0
    z = t / (p.alpha + t)
    from scipy.special import hyp2f1

    unconditional = (
        (p.a + p.b - 1)
        / (p.a - 1)
        * (1 - (p.alpha / (p.alpha + t)) ** p.r * hyp2f1(p.r, p.b, p.a + p.b - 1, z))
    )
    assert float(expected_transactions(p, t, 0, 0, 0)) == pytest.approx(unconditional, rel=1e-12)
    assert math.isfinite(unconditional) and unconditional > 0


def test_recent_buyers_expected_to_buy_more_than_lapsed() -> None:
    p = PUBLISHED
    recent = float(expected_transactions(p, 10, 5, 38.0, 39.0))
    lapsed = float(expected_transactions(p, 10, 5, 5.0, 39.0))
    assert recent > lapsed > 0


def test_rejects_inconsistent_triples() -> None:
    with pytest.raises(ValueError):
        fit_bgnbd([1], [5.0], [4.0])  # t_x > T
    with pytest.raises(ValueError):
        fit_bgnbd([0], [1.0], [4.0])  # x = 0 but t_x > 0
    with pytest.raises(ValueError):
        fit_bgnbd([1.5], [1.0], [4.0])  # fractional x


@pytest.mark.slow
def test_million_customers_fit_on_grouped_triples() -> None:
    # How long it takes is measured by scripts/bench_queue.py, never asserted here.
    rng = np.random.default_rng(7)
    n = 1_000_000
    lam = rng.gamma(PUBLISHED.r, 1 / PUBLISHED.alpha, n)
    p_drop = rng.beta(PUBLISHED.a, PUBLISHED.b, n)
    T = rng.uniform(27.0, 39.0, n)
    x, t_x = _simulate_bgnbd(rng, lam, p_drop, T)
    g = group_triples(x, t_x, T, decimals=1)
    assert len(g.x) < n / 5  # a million customers collapse to far fewer groups
    fitted = fit_bgnbd(g.x, g.t_x, g.T, weights=g.weights)
    assert fitted.r == pytest.approx(PUBLISHED.r, rel=0.1)
    assert fitted.a == pytest.approx(PUBLISHED.a, rel=0.15)


def _simulate_bgnbd(
    rng: np.random.Generator, lam: np.ndarray, p_drop: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate the BG/NBD story customer by customer in vectorised rounds."""
    n = len(lam)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1 / lam[idx])
        bought = now[idx] <= T[idx]
        done = idx[~bought]
        active[done] = False
        buyers = idx[bought]
        x[buyers] += 1
        t_x[buyers] = now[buyers]
        dropped = buyers[rng.random(len(buyers)) < p_drop[buyers]]
        active[dropped] = False
    return x, t_x
