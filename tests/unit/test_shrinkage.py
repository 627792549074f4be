"""The Beta-Binomial κ: the whole-count (rising factorial) log-likelihood is the log-Beta one."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln
from scipy.stats import betabinom

from workbench.domain import shrinkage
from workbench.domain.shrinkage import beta_binomial_kappa


def _fixture(units: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers called 1–12 times around a mean, with their own rate spread around it (κ ≈ 8)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 13, units)
    mu = rng.uniform(0.05, 0.4, units)
    own = rng.beta(8 * mu, 8 * (1 - mu))
    return rng.binomial(n, own), n, mu


@pytest.mark.parametrize("kappa", [0.5, 2.0, 8.0, 75.0, 1000.0])
def test_rising_factorial_loglik_equals_the_log_beta_sum(kappa: float) -> None:
    w, n, mu = _fixture(5000, seed=3)
    by_beta = float(np.sum(betaln(w + kappa * mu, n - w + kappa * (1 - mu)) - betaln(kappa * mu, kappa * (1 - mu))))  # fmt: skip
    rising = shrinkage._rising_loglik(w, n, mu)(kappa)
    assert rising == pytest.approx(by_beta, rel=1e-12)


def test_kappa_is_the_maximum_of_the_beta_binomial_likelihood() -> None:
    """Against scipy's Beta-Binomial pmf maximised on a fine grid of log κ (an independent path)."""
    w, n, mu = _fixture(3000, seed=11)
    grid = np.log(np.linspace(2.0, 40.0, 3801))
    loglik = [
        float(np.sum(betabinom.logpmf(w, n, np.exp(g) * mu, np.exp(g) * (1 - mu)))) for g in grid
    ]
    expected = float(np.exp(grid[int(np.argmax(loglik))]))
    assert beta_binomial_kappa(w, n, mu, (0.5, 1000.0)) == pytest.approx(expected, rel=2e-3)


def test_whole_and_fractional_counts_give_the_same_kappa() -> None:
    """Fractional counts go through log-Beta functions; nudging one unit off whole numbers by a
    hair must leave κ where the whole-count path puts it."""
    w, n, mu = _fixture(4000, seed=5)
    whole = beta_binomial_kappa(w, n, mu, (0.5, 1000.0))
    fractional = w.astype(np.float64)
    fractional[0] += 1e-9
    assert beta_binomial_kappa(fractional, n, mu, (0.5, 1000.0)) == pytest.approx(whole, rel=1e-6)


def test_no_excess_spread_pools_fully_and_one_unit_gives_the_cap() -> None:
    rng = np.random.default_rng(2)
    n = np.full(4000, 10)
    w = rng.binomial(n, 0.2)  # every unit at the same rate: only binomial noise
    assert beta_binomial_kappa(w, n, np.full(4000, 0.2), (0.5, 1000.0)) > 100
    assert beta_binomial_kappa([3], [10], [0.2], (0.5, 1000.0)) == 1000.0
