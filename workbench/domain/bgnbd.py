"""BG/NBD and MBG/NBD customer-base models: P(alive) and expected repeat purchases.

Models
------
* BG/NBD — Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
  the Pareto/NBD Model", Marketing Science 24(2). While alive a customer buys as a Poisson process
  with rate λ ~ Gamma(r, α); after each *repeat* purchase they drop out with probability
  p ~ Beta(a, b). Caveat: a customer with no repeat purchase (x = 0) has P(alive) = 1 forever.
* MBG/NBD — Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
  for customer base analysis", IJRM 24(3). The same, but a customer may also drop out right after
  the first purchase, so P(alive) of a one-time buyer decays with time since that purchase — the
  case that matters for dormant customers (休眠顧客).

Data are the usual summaries per customer: x repeat purchases, t_x the time of the last purchase
and T the age, both measured from the first purchase in the same unit (weeks for CDNOW). Fitting is
by maximum likelihood on *grouped* triples with weights, so a million customers grouped by rounded
values fit in seconds (:func:`group_triples`).

Everything is a pure function of numpy arrays and frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

FloatArray = NDArray[np.float64]

__all__ = [
    "BgNbdParams",
    "GroupedTriples",
    "MbgNbdParams",
    "expected_transactions",
    "expected_transactions_if_alive",
    "fit_bgnbd",
    "fit_mbgnbd",
    "group_triples",
    "p_alive",
]


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters; ``loglik`` is the weighted total log-likelihood at the optimum."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float


@dataclass(frozen=True)
class MbgNbdParams:
    """Fitted MBG/NBD parameters (same meaning as :class:`BgNbdParams`)."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float


Params = BgNbdParams | MbgNbdParams


@dataclass(frozen=True, eq=False)
class GroupedTriples:
    """Distinct (x, t_x, T) triples with the number (or total weight) of customers on each."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weights: FloatArray


def group_triples(
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
    decimals: int | None = None,
) -> GroupedTriples:
    """Collapse customers to distinct (x, t_x, T) triples, summing their weights.

    ``decimals`` rounds t_x and T first (e.g. 1 decimal of a week); rounding is the caller's
    trade of precision for speed, ``None`` groups exact duplicates only.
    """
    xs, txs, Ts, ws = _as_arrays(x, t_x, T, weights)
    if decimals is not None:
        txs = np.round(txs, decimals)
        Ts = np.round(Ts, decimals)
    xs, txs, Ts, ws = xs.ravel(), txs.ravel(), Ts.ravel(), ws.ravel()
    order = np.lexsort((Ts, txs, xs))
    xs, txs, Ts, ws = xs[order], txs[order], Ts[order], ws[order]
    starts = np.ones(len(xs), dtype=bool)
    starts[1:] = (np.diff(xs) != 0) | (np.diff(txs) != 0) | (np.diff(Ts) != 0)
    first = np.flatnonzero(starts)
    summed = np.add.reduceat(ws, first) if len(first) else ws
    return GroupedTriples(xs[first], txs[first], Ts[first], summed)


def fit_bgnbd(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None
) -> BgNbdParams:
    """Maximum-likelihood BG/NBD fit (Fader, Hardie & Lee 2005, eq. 6) on weighted triples."""
    r, alpha, a, b, ll = _fit(x, t_x, T, weights, shift=0.0)
    return BgNbdParams(r, alpha, a, b, ll)


def fit_mbgnbd(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None
) -> MbgNbdParams:
    """Maximum-likelihood MBG/NBD fit (Batislam et al. 2007) on weighted triples."""
    r, alpha, a, b, ll = _fit(x, t_x, T, weights, shift=1.0)
    return MbgNbdParams(r, alpha, a, b, ll)


def p_alive(params: Params, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray:
    """P(customer still alive at T | x, t_x, T), vectorised.

    BG/NBD: 1 / (1 + [x>0]·a/(b+x−1)·((α+T)/(α+t_x))^(r+x)), so exactly 1 when x = 0.
    MBG/NBD: 1 / (1 + a/(b+x)·((α+T)/(α+t_x))^(r+x)), < 1 and decreasing in T for x = 0.
    """
    return np.asarray(1.0 / (1.0 + _odds_dead(params, *_as_arrays(x, t_x, T, None)[:3])))


def expected_transactions(
    params: Params, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """E[number of purchases in (T, T+t] | x, t_x, T], vectorised (FHL 2005 eq. 10; MBG analogue).

    The closed form has a removable singularity at a = 1; fitted values never land on it exactly.
    """
    xs, txs, Ts, _ = _as_arrays(x, t_x, T, None)
    alive = _expected_if_alive(params, t, xs, Ts)
    result: FloatArray = np.asarray(alive / (1.0 + _odds_dead(params, xs, txs, Ts)))
    return result


def expected_transactions_if_alive(
    params: Params, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """E[purchases in (T, T+t] | alive at T, x, T]: the expectation above without the P(alive) factor.

    Future dropout is still accounted for; a degenerate fit (the hypergeometric form not finite)
    falls back to the posterior purchase rate (r+x)/(α+T) times t.
    """
    xs, _, Ts, _ = _as_arrays(x, t_x, T, None)
    with np.errstate(all="ignore"):
        alive = _expected_if_alive(params, t, xs, Ts)
    rate = (params.r + xs) / (params.alpha + Ts) * np.asarray(t, dtype=np.float64)
    return np.asarray(np.where(np.isfinite(alive) & (alive >= 0), alive, rate))


def _expected_if_alive(params: Params, t: ArrayLike, xs: FloatArray, Ts: FloatArray) -> FloatArray:
    ts = np.asarray(t, dtype=np.float64)
    if np.any(ts < 0):
        raise ValueError("t must be >= 0")
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    # The MBG/NBD formula is the BG/NBD one with b shifted by one (dropout also at purchase zero).
    shift = 1.0 if isinstance(params, MbgNbdParams) else 0.0
    c = a + b + xs - 1.0 + shift
    z = ts / (alpha + Ts + ts)
    decay = ((alpha + Ts) / (alpha + Ts + ts)) ** (r + xs)
    return np.asarray((c / (a - 1.0)) * (1.0 - decay * hyp2f1(r + xs, b + xs + shift, c, z)))


def _odds_dead(params: Params, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    """(1 − P(alive)) / P(alive) for either model."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    ratio = ((alpha + T) / (alpha + t_x)) ** (r + x)
    if isinstance(params, MbgNbdParams):
        return np.asarray(a / (b + x) * ratio)
    # x = 0 would divide by b − 1 + 0; np.where still evaluates it, hence the guarded denominator.
    safe = np.where(x > 0, b + x - 1.0, 1.0)
    return np.asarray(np.where(x > 0, a / safe * ratio, 0.0))


@dataclass(frozen=True, eq=False)
class _Distinct:
    """An array as its distinct values and, per element, the index of its value among them."""

    values: FloatArray
    of: NDArray[np.intp]

    @classmethod
    def of_array(cls, array: FloatArray) -> _Distinct:
        values, of = np.unique(array, return_inverse=True)
        return cls(values, of.ravel())


@dataclass(frozen=True, eq=False)
class _Levels:
    """The fit's data by distinct x, t_x and T: a term of one of them is computed once per value.

    A million customers grouped by whole weeks still have ~10⁵ triples but only ~10² distinct
    values of each coordinate, so the special functions of x (lnΓ, ln B, ψ) and the logarithms
    of α + T and α + t_x cost next to nothing; each element's value is the same float it would
    be computed as on its own.
    """

    x: _Distinct
    t_x: _Distinct
    T: _Distinct
    weights: FloatArray

    @classmethod
    def of(cls, data: GroupedTriples) -> _Levels:
        return cls(
            _Distinct.of_array(data.x),
            _Distinct.of_array(data.t_x),
            _Distinct.of_array(data.T),
            data.weights,
        )


def _loglik_and_gradient(
    theta: FloatArray, data: GroupedTriples | _Levels, shift: float
) -> tuple[float, FloatArray]:
    """Weighted total log-likelihood and its gradient in θ = log(r, α, a, b).

    Per customer ll = C + log(e^S + e^D) with (shift s = 0 for BG/NBD, 1 for MBG/NBD):
      C = lnΓ(r+x) − lnΓ(r) + r·ln α + ln B(a, b+x+s) − ln B(a, b)
      S = −(r+x)·ln(α+T)                              (alive at T)
      D = ln a − ln(b+x−1+s) − (r+x)·ln(α+t_x)        (dropped after the last purchase)
    BG/NBD: FHL (2005) eq. 6, where D is absent for x = 0; MBG/NBD: Batislam et al. (2007).
    Terms of x alone, of T alone and of t_x alone are evaluated per distinct value (`_Levels`).
    """
    levels = data if isinstance(data, _Levels) else _Levels.of(data)
    r, alpha, a, b = np.exp(theta)
    x, ix, w = levels.x.values, levels.x.of, levels.weights
    has_d = (x > 0) | (shift > 0)
    denom = np.where(has_d, b + x - 1.0 + shift, 1.0)  # guarded: unused where D is absent
    c = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x + shift) - betaln(a, b))[
        ix
    ]
    alpha_t, alpha_tx = (
        (alpha + levels.T.values)[levels.T.of],
        (alpha + levels.t_x.values)[levels.t_x.of],
    )
    log_at, log_atx = (
        np.log(alpha + levels.T.values)[levels.T.of],
        np.log(alpha + levels.t_x.values)[levels.t_x.of],
    )
    rx = (r + x)[ix]
    s = (-(r + x))[ix] * log_at
    d = np.where(has_d[ix], (np.log(a) - np.log(denom))[ix] - rx * log_atx, -np.inf)
    tail = np.logaddexp(s, d)
    ws, wd = np.exp(s - tail), np.exp(d - tail)  # posterior weights of "alive" vs "dropped"
    total = float(np.dot(w, c + tail))

    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x + shift)
    g_r = (digamma(r + x) - digamma(r) + np.log(alpha))[ix] - ws * log_at - wd * log_atx
    g_alpha = r / alpha - rx * (ws / alpha_t + wd / alpha_tx)
    g_a = (psi_ab - psi_abx)[ix] + wd / a
    g_b = (digamma(b + x + shift) - psi_abx - digamma(b) + psi_ab)[ix] - wd / denom[ix]
    grad = np.array([np.dot(w, g) for g in (g_r, g_alpha, g_a, g_b)]) * np.exp(theta)
    return total, grad


def _fit(
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None,
    shift: float,
) -> tuple[float, float, float, float, float]:
    g = group_triples(x, t_x, T, weights)
    keep = g.weights > 0
    data = GroupedTriples(g.x[keep], g.t_x[keep], g.T[keep], g.weights[keep])
    if data.weights.size == 0:
        raise ValueError("no customers with positive weight")
    total = float(data.weights.sum())
    levels = _Levels.of(data)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        with np.errstate(all="ignore"):
            ll, grad = _loglik_and_gradient(theta, levels, shift)
        if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
            # Outside the numerically valid region a large finite value steers the search back.
            return 1e300, np.zeros(4)
        return -ll / total, -grad / total

    # Optimise on the log scale (all parameters are positive); α starts on the data's time scale.
    scale = max(float(np.dot(data.weights, data.T)) / total, 1e-6)
    start = np.log(np.array([1.0, scale, 1.0, 1.0]))
    best = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(-20.0, 20.0)] * 4,
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000},
    )
    r, alpha, a, b = (float(v) for v in np.exp(best.x))
    return r, alpha, a, b, -float(best.fun) * total


def _as_arrays(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    xs, txs, Ts = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(t_x, dtype=np.float64),
        np.asarray(T, dtype=np.float64),
    )
    ws = np.ones_like(xs) if weights is None else np.asarray(weights, dtype=np.float64)
    if ws.shape != xs.shape:
        raise ValueError("weights must have the same shape as x")
    if np.any(xs < 0) or np.any(xs != np.floor(xs)):
        raise ValueError("x must be non-negative integers")
    if np.any(txs < 0) or np.any(txs > Ts):
        raise ValueError("need 0 <= t_x <= T")
    if np.any((xs == 0) & (txs != 0)):
        raise ValueError("t_x must be 0 when x is 0")
    if np.any(ws < 0):
        raise ValueError("weights must be non-negative")
    return xs, txs, Ts, ws
