"""Empirical-Bayes shrinkage strength for rates: the κ of a Beta-Binomial, fitted by maximum likelihood.

Units (wins, trials, parent mean μ) are modelled as wins ~ BetaBinomial(trials, κμ, κ(1−μ)):
each unit's own rate is drawn around its parent's with a spread set by κ.  Many units that
differ more than chance allows give a small κ (trust each unit); units that agree give a
large one (pool them).  Used by the win-back model and the answer model's reachability.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Above this many wins and losses in all, the log-likelihood goes through log-Beta functions
# instead of one logarithm per trial (memory: a few float arrays of this length).
RISING_TRIALS_MAX = 50_000_000


def beta_binomial_kappa(
    wins: ArrayLike, trials: ArrayLike, means: ArrayLike, bounds: tuple[float, float]
) -> float:
    """Maximum marginal-likelihood κ; the upper bound when fewer than two units have trials."""
    # scipy takes most of a second to import: only fits pay for it, not every CLI start.
    from scipy.optimize import minimize_scalar

    w = np.asarray(wins, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    mu = np.clip(np.asarray(means, dtype=np.float64), 1e-6, 1 - 1e-6)
    keep = n > 0
    w, n, mu = w[keep], n[keep], mu[keep]
    lo, hi = bounds
    if w.size < 2:
        return hi
    whole = bool(np.all(w == np.round(w)) and np.all(n == np.round(n)))
    if whole and float(n.sum()) <= RISING_TRIALS_MAX:
        loglik = _rising_loglik(w.astype(np.int64), n.astype(np.int64), mu)
    else:
        loglik = _beta_loglik(w, n, mu)
    best = minimize_scalar(
        lambda log_kappa: -loglik(float(np.exp(log_kappa))),
        bounds=(np.log(lo), np.log(hi)),
        method="bounded",
    )
    return float(np.exp(best.x))


def _beta_loglik(w: NDArray[np.float64], n: NDArray[np.float64], mu: NDArray[np.float64]
                 ) -> Callable[[float], float]:  # fmt: skip
    """Σ log B(w + κμ, n − w + κ(1−μ)) − log B(κμ, κ(1−μ)): the marginal log-likelihood up to a
    constant in κ, for any (also fractional) counts."""
    from scipy.special import betaln

    def loglik(k: float) -> float:
        return float(
            np.sum(betaln(w + k * mu, n - w + k * (1 - mu)) - betaln(k * mu, k * (1 - mu)))
        )

    return loglik


def _rising_loglik(w: NDArray[np.int64], n: NDArray[np.int64], mu: NDArray[np.float64]
                   ) -> Callable[[float], float]:  # fmt: skip
    """The same log-likelihood for whole counts, as rising factorials:

        B(a + w, b + n − w) / B(a, b) = a⁽ʷ⁾ · b⁽ⁿ⁻ʷ⁾ / (a + b)⁽ⁿ⁾,   x⁽ᵐ⁾ = x(x+1)…(x+m−1),

    with a = κμ, b = κ(1−μ), a + b = κ: one logarithm per win and per loss, and the
    denominator once per distinct trial count.  Log-Beta functions cost some 20 times more
    per unit, and a million customers' reachability is refitted at every rescore.
    """
    losses = n - w
    win_mu, win_step = _repeat_steps(mu, w)
    loss_mu, loss_step = _repeat_steps(1.0 - mu, losses)
    # Σ over units of Σ_{l<n} log(κ + l) = Σ_l (units with n > l) · log(κ + l)
    reaching = np.cumsum(np.bincount(n)[::-1])[::-1][1:].astype(np.float64)
    steps = np.arange(len(reaching), dtype=np.float64)

    def loglik(k: float) -> float:
        return float(
            np.sum(np.log(k * win_mu + win_step))
            + np.sum(np.log(k * loss_mu + loss_step))
            - np.dot(reaching, np.log(k + steps))
        )

    return loglik


def _repeat_steps(values: NDArray[np.float64], times: NDArray[np.int64]
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Each value repeated `times` times, beside 0, 1, …, times − 1."""
    repeated = np.repeat(values, times)
    starts = np.repeat(np.cumsum(times) - times, times)
    return repeated, (np.arange(len(repeated)) - starts).astype(np.float64)
