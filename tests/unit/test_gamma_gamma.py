"""Gamma-Gamma spend model: likelihood by numerical integration, recovery, expectations, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from workbench.domain.gamma_gamma import (
    GammaGammaParams,
    conditional_expected_spend,
    fit_gamma_gamma,
    population_mean_spend,
)

TRUE = GammaGammaParams(p=6.0, q=4.0, v=15.0, loglik=float("nan"))


def _simulate(
    rng: np.random.Generator, n: int, params: GammaGammaParams
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ν ~ Gamma(q, rate v) per customer, then x transactions ~ Gamma(p, rate ν): x, m̄."""
    x = rng.integers(1, 8, n)
    nu = rng.gamma(params.q, 1.0 / params.v, n)
    totals = rng.gamma(params.p * x, 1.0 / nu)  # a sum of x Gamma(p, ν) values is Gamma(px, ν)
    return x, totals / x


def _loglik_by_integration(params: GammaGammaParams, x: np.ndarray, m: np.ndarray) -> float:
    """Σ ln ∫ f(m̄ | ν) g(ν) dν with m̄ | ν ~ Gamma(px, rate xν), ν ~ Gamma(q, rate v)."""
    total = 0.0
    for xi, mi in zip(x, m, strict=True):

        def integrand(nu: float, xi: float = float(xi), mi: float = float(mi)) -> float:
            return math.exp(
                _log_gamma_pdf(mi, params.p * xi, xi * nu) + _log_gamma_pdf(nu, params.q, params.v)
            )

        value, _ = integrate.quad(integrand, 0.0, np.inf, limit=200, epsabs=0.0, epsrel=1e-10)
        total += np.log(value)
    return total


def _log_gamma_pdf(value: float, shape: float, rate: float) -> float:
    if value <= 0.0:
        return -math.inf
    log_density = shape * math.log(rate) + (shape - 1.0) * math.log(value) - rate * value
    return log_density - math.lgamma(shape)


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray]:
    return _simulate(np.random.default_rng(11), 4000, TRUE)


def test_fit_recovers_simulated_parameters(sample: tuple[np.ndarray, np.ndarray]) -> None:
    fitted = fit_gamma_gamma(*sample)
    assert fitted.p == pytest.approx(TRUE.p, rel=0.15)
    assert fitted.q == pytest.approx(TRUE.q, rel=0.15)
    assert fitted.v == pytest.approx(TRUE.v, rel=0.25)
    # The population mean is far better identified than the parameters one by one.
    assert population_mean_spend(fitted) == pytest.approx(population_mean_spend(TRUE), rel=0.03)


def test_reported_loglik_is_the_marginal_density_of_mean_spend() -> None:
    x, m = _simulate(np.random.default_rng(3), 25, TRUE)
    fitted = fit_gamma_gamma(x, m)
    assert fitted.loglik == pytest.approx(_loglik_by_integration(fitted, x, m), rel=1e-7)


def test_fit_is_a_maximum_of_the_integrated_likelihood() -> None:
    x, m = _simulate(np.random.default_rng(5), 25, TRUE)
    fitted = fit_gamma_gamma(x, m)
    best = _loglik_by_integration(fitted, x, m)
    for name in ("p", "q", "v"):
        for factor in (0.97, 1.03):
            moved = GammaGammaParams(**{**fitted.__dict__, name: getattr(fitted, name) * factor})
            assert _loglik_by_integration(moved, x, m) < best, (name, factor)


def test_weights_are_frequency_weights_and_duplicates_group() -> None:
    x, m = _simulate(np.random.default_rng(8), 60, TRUE)
    w = np.random.default_rng(9).integers(1, 5, 60)
    expanded = fit_gamma_gamma(np.repeat(x, w), np.repeat(m, w))
    weighted = fit_gamma_gamma(x, m, weights=w)
    assert weighted.loglik == pytest.approx(expanded.loglik, abs=1e-7)
    for name in ("p", "q", "v"):
        assert getattr(weighted, name) == pytest.approx(getattr(expanded, name), rel=1e-4)


def test_zero_weight_rows_do_not_count() -> None:
    x, m = _simulate(np.random.default_rng(4), 60, TRUE)
    x, m = np.append(x, 1), np.append(m, 900.0)
    with_outlier_weightless = fit_gamma_gamma(x, m, weights=np.append(np.ones(60), 0.0))
    without = fit_gamma_gamma(x[:60], m[:60])
    assert with_outlier_weightless.loglik == pytest.approx(without.loglik, abs=1e-9)
    assert fit_gamma_gamma(x, m).loglik < without.loglik - 5  # the outlier does count with weight 1


def test_conditional_expected_spend_hand_computed() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44, loglik=0.0)
    # x = 2, m̄ = 40: p(v + x·m̄)/(px + q − 1) = 6.25·(15.44 + 80)/(12.5 + 2.74) = 596.5/15.24
    value = conditional_expected_spend(params, 2, 40.0)
    assert float(value) == pytest.approx(596.5 / 15.24, rel=1e-12)
    # The same figure as a weighted average of the population mean and the customer's own mean.
    weight = 12.5 / 15.24
    expected = (1 - weight) * population_mean_spend(params) + weight * 40.0
    assert float(value) == pytest.approx(expected, rel=1e-12)


def test_one_time_buyers_get_the_population_mean() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44, loglik=0.0)
    assert population_mean_spend(params) == pytest.approx(6.25 * 15.44 / 2.74, rel=1e-12)
    values = conditional_expected_spend(params, [0, 0, 0], [0.0, np.nan, 123.0])
    assert np.allclose(values, population_mean_spend(params), rtol=1e-12)


def test_conditional_expected_spend_vectorised_and_shrinks_toward_own_mean() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44, loglik=0.0)
    x = np.arange(0, 200)
    values = conditional_expected_spend(params, x, np.full(200, 100.0))
    assert values.shape == (200,)
    assert np.all(np.diff(values) > 0)  # more evidence, closer to the own mean of 100 (above 35)
    assert values[-1] == pytest.approx(100.0, rel=0.01)


def test_q_at_most_one_has_no_population_mean() -> None:
    heavy = GammaGammaParams(p=2.0, q=0.9, v=10.0, loglik=0.0)
    with pytest.raises(ValueError, match="q"):
        population_mean_spend(heavy)
    with pytest.raises(ValueError, match="q"):
        conditional_expected_spend(heavy, [0, 3], [0.0, 20.0])
    # Customers with purchases still have a finite expectation: px + q − 1 > 0.
    assert float(conditional_expected_spend(heavy, 3, 20.0)) == pytest.approx(2.0 * 70.0 / 5.9)


@pytest.mark.parametrize(
    ("x", "m", "weights", "message"),
    [
        ([0, 2], [0.0, 10.0], None, "x = 0"),
        ([1.5], [10.0], None, "integers"),
        ([1, 2], [10.0, 0.0], None, "> 0"),
        ([1, 2], [10.0, np.nan], None, "finite"),
        ([1, 2], [10.0, 20.0], [1.0], "weights"),
        ([1, 2], [10.0, 20.0], [1.0, -1.0], "weights"),
        ([1, 2], [10.0, 20.0], [0.0, 0.0], "positive weight"),
        ([], [], None, "no customers"),
    ],
)
def test_fit_rejects_bad_input(
    x: list[float], m: list[float], weights: list[float] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fit_gamma_gamma(x, m, weights=weights)


def test_conditional_expected_spend_rejects_bad_input() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44, loglik=0.0)
    with pytest.raises(ValueError, match="x"):
        conditional_expected_spend(params, [-1], [10.0])
    with pytest.raises(ValueError, match="mean_spend"):
        conditional_expected_spend(params, [2], [-5.0])
