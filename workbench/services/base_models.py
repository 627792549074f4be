"""Customer-base models over the whole base: P(alive), expected transactions and expected spend.

Purchases on the same local day are one transaction for the models (the CDNOW literature's
convention): x = purchase days − 1, t_x and T in weeks from the first purchase day, and the
mean spend of the repeat days feeds Gamma-Gamma.  MBG/NBD gives P(alive) and the expected
transactions over the horizon while alive; Gamma-Gamma the expected spend per transaction.
Population parameters are fitted here (on grouped data, seconds for a million customers) or
reused from the last fit when it is recent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from workbench.services.customers import CustomerSummary

WEEK_SECONDS = 7 * 86400.0
MIN_BUYERS = 20  # fewer buyers than this cannot support a population fit


@dataclass(frozen=True)
class BaseModelResult:
    """Per-customer arrays (aligned with the summaries) and the fitted parameters."""

    p_alive: np.ndarray
    expected_orders: np.ndarray  # transactions over the horizon if still a customer
    expected_spend: np.ndarray  # yen per transaction
    alive_params: dict[str, float]
    spend_params: dict[str, float]

    @property
    def value(self) -> np.ndarray:
        return self.expected_orders * self.expected_spend


def customer_arrays(summaries: Sequence[CustomerSummary], at: datetime) -> dict[str, np.ndarray]:
    """The models' inputs per buyer: index into summaries, x, t_x, T (weeks), mean repeat spend."""
    index, x, t_x, big_t, mean_repeat, mean_all = [], [], [], [], [], []
    for i, s in enumerate(summaries):
        if s.first_order_at is None or s.last_order_at is None:
            continue
        n_days = s.n_days
        days = n_days or s.n_orders or 1
        repeat = days - 1
        span = max((s.last_order_at - s.first_order_at).total_seconds(), 0.0) / WEEK_SECONDS
        age = max((at - s.first_order_at).total_seconds() / WEEK_SECONDS, span)
        index.append(i)
        x.append(repeat)
        t_x.append(span if repeat > 0 else 0.0)
        big_t.append(age)
        first = s.first_day_amount if n_days else (s.monetary / max(s.n_orders, 1))
        mean_repeat.append((s.monetary - first) / repeat if repeat > 0 else 0.0)
        mean_all.append(s.monetary / days)
    return {
        "index": np.asarray(index, dtype=np.int64),
        "x": np.asarray(x, dtype=float),
        "t_x": np.asarray(t_x, dtype=float),
        "T": np.asarray(big_t, dtype=float),
        "mean_repeat": np.asarray(mean_repeat, dtype=float),
        "mean_all": np.asarray(mean_all, dtype=float),
    }


def fit_base_models(
    summaries: Sequence[CustomerSummary],
    at: datetime,
    horizon_weeks: float,
    stored_alive: dict[str, float] | None = None,
    stored_spend: dict[str, float] | None = None,
) -> BaseModelResult:
    """P(alive), expected transactions over the horizon if alive, and expected spend, for every customer."""
    from workbench.domain import bgnbd, gamma_gamma  # SciPy takes 0.3 s to import: only a scoring run needs it

    n = len(summaries)
    p_alive, expected, spend = np.zeros(n), np.zeros(n), np.zeros(n)
    data = customer_arrays(summaries, at)
    idx, x, t_x, big_t = data["index"], data["x"], data["t_x"], data["T"]
    if len(idx) < MIN_BUYERS:
        # Too few buyers to fit a population: each customer's own rate since their first purchase
        # (the first counted, so one order over a year is one a year), and nothing said about P(alive).
        p_alive[idx] = 1.0
        expected[idx] = (x + 1.0) / np.maximum(big_t, 1.0) * horizon_weeks
        spend[idx] = data["mean_all"]
        return BaseModelResult(p_alive, expected, spend, {}, {})
    if stored_alive is not None:
        alive = bgnbd.MbgNbdParams(stored_alive["r"], stored_alive["alpha"], stored_alive["a"], stored_alive["b"], stored_alive["loglik"])
    else:
        # Whole weeks are plenty for a population fit and cut a million customers to a few thousand groups.
        grouped = bgnbd.group_triples(x, t_x, big_t, decimals=0)
        alive = bgnbd.fit_mbgnbd(grouped.x, grouped.t_x, grouped.T, grouped.weights)
    with np.errstate(all="ignore"):
        # A degenerate fit (a ≈ 1 or huge a, b) can make the closed forms 0/0: no number, no claim.
        p_alive[idx] = np.nan_to_num(bgnbd.p_alive(alive, x, t_x, big_t), nan=0.5, posinf=1.0, neginf=0.0)
        expected[idx] = np.nan_to_num(
            bgnbd.expected_transactions_if_alive(alive, horizon_weeks, x, t_x, big_t), nan=0.0, posinf=0.0, neginf=0.0
        )
    spend_params: dict[str, float] = {}
    repeaters = (x > 0) & (data["mean_repeat"] > 0)
    if stored_spend is not None:
        gg = gamma_gamma.GammaGammaParams(stored_spend["p"], stored_spend["q"], stored_spend["v"], stored_spend["loglik"])
    elif int(repeaters.sum()) >= MIN_BUYERS:
        # Three significant digits of the mean spend group a million customers with no visible loss.
        m = _round_significant(data["mean_repeat"][repeaters], 3)
        gg = gamma_gamma.fit_gamma_gamma(x[repeaters], m)
    else:
        gg = None
    if gg is not None and gg.q > 1:
        spend_params = {"p": gg.p, "q": gg.q, "v": gg.v, "loglik": gg.loglik}
        with np.errstate(all="ignore"):
            cond = gamma_gamma.conditional_expected_spend(gg, np.where(repeaters, x, 0.0), np.where(repeaters, data["mean_repeat"], 0.0))
        spend[idx] = np.where(np.isfinite(cond), cond, data["mean_all"])
    else:
        spend[idx] = data["mean_all"]
    alive_params = {"r": alive.r, "alpha": alive.alpha, "a": alive.a, "b": alive.b, "loglik": alive.loglik}
    return BaseModelResult(p_alive, expected, spend, alive_params, spend_params)


def _round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    magnitude = np.floor(np.log10(np.maximum(np.abs(values), 1e-12)))
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * scale) / scale
