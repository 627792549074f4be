"""Gamma-Gamma model of spend per transaction: expected value of a customer's next purchases.

Model
-----
Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
JMR 42(4), and Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value". The values
z_1 … z_x of one customer's transactions are i.i.d. Gamma(p, ν) (shape p, rate ν, mean p/ν); across
customers ν ~ Gamma(q, v) (shape q, rate v). Spend is assumed independent of the purchase process,
so the model multiplies with BG/NBD or MBG/NBD expected transactions
(:mod:`workbench.domain.bgnbd`).

Conventions (those of the ``lifetimes`` package, which reproduce its published CDNOW fit):

* x is the number of *repeat* transactions and m̄ the mean value of those repeat transactions;
  the first transaction is excluded, so only customers with x ≥ 1 enter the fit.
* A transaction is all purchases of one customer merged per day (amounts summed).
* Amounts are in whatever currency unit the caller uses; v is in that unit, p and q are unitless.

Formulas
--------
The density of m̄ given x (Fader & Hardie 2013, eq. 4) gives the per-customer log-likelihood

    lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q·ln v + (px−1)·ln m̄ + px·ln x − (px+q)·ln(v + x·m̄)

and the posterior mean of the customer's spend per transaction (eq. 5)

    E[Z | x, m̄] = p·(v + x·m̄) / (px + q − 1),

a weighted average of the population mean p·v/(q−1) and the customer's own m̄. For x = 0 it is
the population mean, which exists only for q > 1.

Everything is a pure function of numpy arrays and a frozen dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

FloatArray = NDArray[np.float64]

__all__ = [
    "GammaGammaParams",
    "conditional_expected_spend",
    "fit_gamma_gamma",
    "population_mean_spend",
]


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters; ``loglik`` is the weighted total log-likelihood of m̄."""

    p: float
    q: float
    v: float
    loglik: float


def fit_gamma_gamma(
    x: ArrayLike, mean_spend: ArrayLike, weights: ArrayLike | None = None
) -> GammaGammaParams:
    """Weighted maximum-likelihood fit on customers with x ≥ 1 repeat transactions.

    ``x`` are repeat-transaction counts, ``mean_spend`` the mean value of those transactions (> 0)
    and ``weights`` optional non-negative frequency weights. Customers with x = 0 carry no
    information about spend and must be left out by the caller (a clear error says so).
    """
    xs, ms, ws = _fit_arrays(x, mean_spend, weights)
    xs, ms, ws = _group(xs, ms, ws)
    total = float(ws.sum())
    with np.errstate(all="ignore"):
        data = _Data.of(xs, ms, ws)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        with np.errstate(all="ignore"):
            ll, grad = _loglik_and_gradient(theta, data)
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            # Outside the numerically valid region a large finite value steers the search back.
            return 1e300, np.zeros(3)
        return -ll / total, -grad / total

    best = None
    for theta0 in _starts(xs, ms, ws):
        result = minimize(
            objective,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-20.0, 20.0)] * 3,
            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    p, q, v = (float(value) for value in np.exp(best.x))
    return GammaGammaParams(p, q, v, -float(best.fun) * total)


def population_mean_spend(params: GammaGammaParams) -> float:
    """E[Z] = p·v/(q−1), the mean spend per transaction of a customer we know nothing about."""
    if params.q <= 1.0:
        raise ValueError(f"population mean spend is infinite for q = {params.q:g} <= 1")
    return params.p * params.v / (params.q - 1.0)


def conditional_expected_spend(
    params: GammaGammaParams, x: ArrayLike, mean_spend: ArrayLike
) -> FloatArray:
    """E[spend per transaction | x, m̄] = p·(v + x·m̄)/(px + q − 1), vectorised.

    For x = 0 the value is the population mean whatever ``mean_spend`` holds (0 or NaN are fine
    there); that needs q > 1, as does any x when the weight px + q − 1 is not positive.
    """
    xs, ms = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64), np.asarray(mean_spend, dtype=np.float64)
    )
    if np.any(~np.isfinite(xs)) or np.any(xs < 0) or np.any(xs != np.floor(xs)):
        raise ValueError("x must be non-negative integers")
    seen = xs > 0
    if np.any(~np.isfinite(ms[seen])) or np.any(ms[seen] < 0):
        raise ValueError("mean_spend must be finite and >= 0 where x >= 1")
    p, q, v = params.p, params.q, params.v
    denominator = p * xs + q - 1.0
    if np.any(denominator <= 0):
        raise ValueError(f"expected spend is infinite for q = {q:g} and x = 0 (needs q > 1)")
    own = np.where(seen, ms, 0.0)
    result: FloatArray = np.asarray(p * (v + xs * own) / denominator)
    return result


@dataclass(frozen=True, eq=False)
class _Data:
    """The fit's (x, m̄, weight) groups with what does not change between evaluations.

    x takes a few hundred values at most, so its terms (lnΓ, ψ, ln x) are evaluated once per
    distinct x and spread back; each element gets the same float it would on its own.
    """

    x: FloatArray
    m: FloatArray
    w: FloatArray
    distinct_x: FloatArray
    x_of: NDArray[np.intp]
    log_m: FloatArray
    log_x: FloatArray

    @classmethod
    def of(cls, x: FloatArray, m: FloatArray, w: FloatArray) -> _Data:
        distinct, of = np.unique(x, return_inverse=True)
        return cls(x, m, w, distinct, of.ravel(), np.log(m), np.log(x))


def _loglik_and_gradient(
    theta: FloatArray,
    x: FloatArray | _Data,
    m: FloatArray | None = None,
    w: FloatArray | None = None,
) -> tuple[float, FloatArray]:
    """Weighted total log-likelihood of m̄ and its gradient in θ = log(p, q, v)."""
    data = x if isinstance(x, _Data) else _Data.of(x, m, w)  # type: ignore[arg-type]
    p, q, v = np.exp(theta)
    ux, ix = data.distinct_x, data.x_of
    x, m, w, log_m, log_x = data.x, data.m, data.w, data.log_m, data.log_x
    upx = p * ux
    px = upx[ix]
    vxm = v + x * m
    log_vxm = np.log(vxm)
    ll = (
        (gammaln(upx + q) - gammaln(upx) - gammaln(q) + q * np.log(v))[ix]
        + (px - 1.0) * log_m
        + px * log_x
        - (px + q) * log_vxm
    )
    upsi = digamma(upx + q)
    g_p = x * ((upsi - digamma(upx))[ix] + log_m + log_x - log_vxm)
    g_q = (upsi - digamma(q) + np.log(v))[ix] - log_vxm
    g_v = q / v - (px + q) / vxm
    grad = np.array([np.dot(w, g) for g in (g_p, g_q, g_v)]) * np.array([p, q, v])
    return float(np.dot(w, ll)), grad


def _starts(x: FloatArray, m: FloatArray, w: FloatArray) -> list[FloatArray]:
    """Starting points on the log scale: a moment-matched guess and two generic fallbacks.

    The guess matches the weighted mean of m̄ (p·v/(q−1)) and its spread across customers; the
    fallbacks cover data whose moments mislead (few customers, heavy tails).
    """
    total = float(w.sum())
    mean = float(np.dot(w, m)) / total
    var = float(np.dot(w, (m - mean) ** 2)) / total
    cv2 = var / mean**2 if mean > 0 else 1.0
    # Between-customer CV² of the mean spend is 1/(q−2) when within-customer noise is small.
    q0 = float(np.clip(2.0 + 1.0 / max(cv2, 1e-3), 2.5, 50.0))
    p0 = 4.0
    starts = [np.log([p0, q0, mean * (q0 - 1.0) / p0]), np.log([1.0, 3.0, 2.0 * mean])]
    starts.append(np.log([10.0, 2.0, mean / 10.0]))
    return [np.asarray(s, dtype=np.float64) for s in starts]


def _group(
    x: FloatArray, m: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Collapse identical (x, m̄) pairs, summing weights; zero-weight rows drop out."""
    keep = w > 0
    x, m, w = x[keep], m[keep], w[keep]
    # Sorted by x, then m̄ (what np.unique(axis=0) gives, without sorting the pairs as records).
    order = np.lexsort((m, x))
    xs, ms = x[order], m[order]
    starts = np.ones(len(xs), dtype=bool)
    starts[1:] = (xs[1:] != xs[:-1]) | (ms[1:] != ms[:-1])
    inverse = np.empty(len(xs), dtype=np.intp)
    inverse[order] = np.cumsum(starts) - 1
    summed = np.bincount(inverse, weights=w, minlength=int(starts.sum()))
    return xs[starts], ms[starts], np.asarray(summed, dtype=np.float64)


def _fit_arrays(
    x: ArrayLike, mean_spend: ArrayLike, weights: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    xs, ms = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64), np.asarray(mean_spend, dtype=np.float64)
    )
    xs, ms = xs.ravel(), ms.ravel()
    ws = np.ones_like(xs) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if ws.shape != xs.shape:
        raise ValueError(f"weights has {ws.size} values for {xs.size} customers")
    if xs.size == 0:
        raise ValueError("no customers to fit")
    if np.any(~np.isfinite(xs)) or np.any(xs != np.floor(xs)):
        raise ValueError("x must be integers")
    if np.any(xs < 1):
        raise ValueError(
            f"{int(np.sum(xs < 1))} customers have x = 0 repeat transactions; "
            "the Gamma-Gamma fit needs x >= 1 (leave one-time buyers out)"
        )
    if np.any(~np.isfinite(ms)) or np.any(ms <= 0):
        raise ValueError("mean_spend must be finite and > 0 for every customer in the fit")
    if np.any(~np.isfinite(ws)) or np.any(ws < 0):
        raise ValueError("weights must be finite and >= 0")
    if not np.any(ws > 0):
        raise ValueError("no customers with positive weight")
    return xs, ms, ws
