"""Answering habits as a mixture of hour-of-week profiles, learned from the call history.

People answer in habits — at home in the daytime, after work, at weekends, in office
hours, hardly ever — and one customer's few calls say little about 168 separate hours
but a good deal about which habit they have.  So the population's calls are explained by
K profiles (an answer probability per hour of the week each, and a share of customers),
fitted by EM on the customers' (hour, calls, answers) cells; a customer's own calls then
give a posterior over the profiles, and their answer probability at an hour is the
posterior-weighted mix.  A no-answer at 10:00 on a weekday moves weight toward the
evening and weekend habits, so the next call comes at a better hour.

K is chosen by the held-out likelihood of customers left out of the fit (one fixed split),
from 1 (no habits beyond the population's hours) up to `MAX_PROFILES`.  Each profile's
hours are pooled with their neighbours and shrunk toward the population's with a weak
prior (`SMOOTHING` calls), so a profile never rests on one hour's luck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

HOURS = 168
MAX_PROFILES = 5
SMOOTHING = 5.0  # calls' worth of population prior in every profile hour
ITERATIONS = 60
HELD_OUT_SHARE = 0.2
MIN_GAIN_PER_CUSTOMER = 0.01  # nats per held-out customer a further habit must add to be kept
P_MIN, P_MAX = 0.005, 0.97


@dataclass(frozen=True, eq=False)
class AnswerProfiles:
    """K hour-of-week profiles and their shares (overall and per segment)."""

    profiles: FloatArray  # (K, 168)
    weights: dict[str, FloatArray]  # segment → (K,) shares; "*" for everyone

    def posterior(
        self, attempts: ArrayLike, answers: ArrayLike, segment: str | None = None
    ) -> FloatArray:
        """P(profile | this customer's calls): their cells' likelihood under each profile × the share."""
        n = np.asarray(attempts, dtype=np.float64)
        a = np.asarray(answers, dtype=np.float64)
        prior = self.weights.get(segment or "*", self.weights["*"])
        log_p, log_q = np.log(self.profiles), np.log1p(-self.profiles)
        log_post = np.log(np.maximum(prior, 1e-12)) + log_p @ a + log_q @ (n - a)
        log_post -= log_post.max()
        post = np.exp(log_post)
        return np.asarray(post / post.sum())

    def probabilities(
        self, attempts: ArrayLike, answers: ArrayLike, segment: str | None = None
    ) -> FloatArray:
        """The customer's 168 answer probabilities: the profiles mixed by their posterior."""
        return np.asarray(self.posterior(attempts, answers, segment) @ self.profiles)

    def as_json(self) -> dict[str, object]:
        return {
            "profiles": self.profiles.round(6).tolist(),
            "weights": {k: v.round(6).tolist() for k, v in self.weights.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerProfiles:
        weights = {str(k): np.asarray(v, dtype=np.float64) for k, v in data["weights"].items()}
        return cls(np.asarray(data["profiles"], dtype=np.float64), weights)


def fit_profiles(
    customer: ArrayLike,
    hour: ArrayLike,
    attempts: ArrayLike,
    answers: ArrayLike,
    population: ArrayLike,
    segment_of: dict[str, ArrayLike] | None = None,
    seed: int = 0,
) -> AnswerProfiles:
    """Fit the mixture on cells (customer index 0..C−1, hour, calls, answers); K by held-out likelihood.

    `segment_of` maps a segment name to a boolean array over customers, for per-segment shares.
    """
    c = np.asarray(customer, dtype=np.int64)
    h = np.asarray(hour, dtype=np.int64)
    n = np.asarray(attempts, dtype=np.float64)
    a = np.asarray(answers, dtype=np.float64)
    pop = np.clip(np.asarray(population, dtype=np.float64), P_MIN, P_MAX)
    customers = int(c.max()) + 1 if c.size else 0
    rng = np.random.default_rng(seed)
    held = rng.random(customers) < HELD_OUT_SHARE
    train = ~held[c]
    unseen = max(1, int(np.unique(c[~train]).size))
    best_k, best_score = 1, -np.inf
    for k in range(1, MAX_PROFILES + 1):
        profiles, weights = _em(c[train], h[train], n[train], a[train], pop, customers, k, rng)
        score = _marginal_loglik(
            c[~train], h[~train], n[~train], a[~train], profiles, weights, customers
        )
        if score > best_score + MIN_GAIN_PER_CUSTOMER * unseen:
            best_k, best_score = k, score
        else:
            break  # one more habit no longer explains unseen customers better than chance would
    profiles, _ = _em(c, h, n, a, pop, customers, best_k, rng)
    resp = _responsibilities(c, h, n, a, profiles, np.full(best_k, 1.0 / best_k), customers)
    called = np.bincount(c, minlength=customers) > 0
    shares = {"*": _shares(resp, called)}
    for name, members in (segment_of or {}).items():
        mask = np.asarray(members, dtype=bool)[:customers] & called
        shares[name] = _shares(resp, mask) if mask.any() else shares["*"]
    return AnswerProfiles(profiles, shares)


def _shares(resp: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
    if not mask.any():
        return np.full(resp.shape[1], 1.0 / resp.shape[1])
    share = resp[mask].mean(axis=0)
    return np.asarray(share / share.sum())


def _em(c: NDArray[np.int64], h: NDArray[np.int64], n: FloatArray, a: FloatArray, pop: FloatArray,
        customers: int, k: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    resp = rng.dirichlet(np.ones(k), size=customers)
    profiles, weights = _m_step(c, h, n, a, pop, resp, k)
    for _ in range(ITERATIONS):
        resp = _responsibilities(c, h, n, a, profiles, weights, customers)
        profiles, weights = _m_step(c, h, n, a, pop, resp, k)
    return profiles, weights


def _m_step(c: NDArray[np.int64], h: NDArray[np.int64], n: FloatArray, a: FloatArray, pop: FloatArray,
            resp: FloatArray, k: int) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    profiles = np.empty((k, HOURS))
    for j in range(k):
        r = resp[c, j]
        tries = _pool(np.bincount(h, weights=r * n, minlength=HOURS))
        wins = _pool(np.bincount(h, weights=r * a, minlength=HOURS))
        profiles[j] = np.clip((wins + SMOOTHING * pop) / (tries + SMOOTHING), P_MIN, P_MAX)
    called = np.bincount(c, minlength=resp.shape[0]) > 0
    weights = resp[called].mean(axis=0) if called.any() else np.full(k, 1.0 / k)
    return profiles, np.asarray(weights / weights.sum())


def _pool(hours: ArrayLike) -> FloatArray:
    """Each hour with its neighbours (the week wraps): habits are hours, not minutes."""
    values = np.asarray(hours, dtype=np.float64)  # np.bincount's weighted sums are floats already
    return np.asarray(values + np.roll(values, 1) + np.roll(values, -1))


def _cell_loglik(
    h: NDArray[np.int64], n: FloatArray, a: FloatArray, profiles: FloatArray
) -> FloatArray:
    """(cells, K) log-likelihood of each cell under each profile (the logarithms taken per profile hour)."""
    log_p, log_q = np.log(profiles)[:, h].T, np.log1p(-profiles)[:, h].T
    return np.asarray(a[:, None] * log_p + (n - a)[:, None] * log_q)


def _customer_loglik(c: NDArray[np.int64], h: NDArray[np.int64], n: FloatArray, a: FloatArray,
                     profiles: FloatArray, customers: int) -> FloatArray:  # fmt: skip
    cells = _cell_loglik(h, n, a, profiles)
    out = np.zeros((customers, profiles.shape[0]))
    for j in range(profiles.shape[0]):
        out[:, j] = np.bincount(c, weights=cells[:, j], minlength=customers)
    return out


def _responsibilities(c: NDArray[np.int64], h: NDArray[np.int64], n: FloatArray, a: FloatArray,
                      profiles: FloatArray, weights: FloatArray, customers: int) -> FloatArray:  # fmt: skip
    ll = _customer_loglik(c, h, n, a, profiles, customers) + np.log(np.maximum(weights, 1e-12))
    ll -= ll.max(axis=1, keepdims=True)
    resp = np.exp(ll)
    return np.asarray(resp / resp.sum(axis=1, keepdims=True))


def _marginal_loglik(c: NDArray[np.int64], h: NDArray[np.int64], n: FloatArray, a: FloatArray,
                     profiles: FloatArray, weights: FloatArray, customers: int) -> float:  # fmt: skip
    """Σ over held-out customers of log Σ_k w_k P(their calls | profile k)."""
    if c.size == 0:
        return 0.0
    ll = _customer_loglik(c, h, n, a, profiles, customers) + np.log(np.maximum(weights, 1e-12))
    seen = np.bincount(c, minlength=customers) > 0
    top = ll.max(axis=1, keepdims=True)
    per = top[:, 0] + np.log(np.exp(ll - top).sum(axis=1))
    return float(per[seen].sum())
