"""Empirical-Bayes shrinkage strength for rates: the κ of a Beta-Binomial, fitted by maximum likelihood.

Units (wins, trials, parent mean μ) are modelled as wins ~ BetaBinomial(trials, κμ, κ(1−μ)):
each unit's own rate is drawn around its parent's with a spread set by κ.  Many units that
differ more than chance allows give a small κ (trust each unit); units that agree give a
large one (pool them).  Used by the win-back model and the answer model's reachability.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def beta_binomial_kappa(
    wins: ArrayLike, trials: ArrayLike, means: ArrayLike, bounds: tuple[float, float]
) -> float:
    """Maximum marginal-likelihood κ; the upper bound when fewer than two units have trials."""
    # scipy takes most of a second to import: only fits pay for it, not every CLI start.
    from scipy.optimize import minimize_scalar
    from scipy.special import betaln

    w = np.asarray(wins, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    mu = np.clip(np.asarray(means, dtype=np.float64), 1e-6, 1 - 1e-6)
    keep = n > 0
    w, n, mu = w[keep], n[keep], mu[keep]
    lo, hi = bounds
    if w.size < 2:
        return hi

    def negative_loglik(log_kappa: float) -> float:
        k = np.exp(log_kappa)
        return -float(
            np.sum(betaln(w + k * mu, n - w + k * (1 - mu)) - betaln(k * mu, k * (1 - mu)))
        )

    best = minimize_scalar(negative_loglik, bounds=(np.log(lo), np.log(hi)), method="bounded")
    return float(np.exp(best.x))
