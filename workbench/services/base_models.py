"""Customer-base models over the whole base: P(alive), expected transactions and expected spend.

Purchases on the same local day are one transaction for the models (the CDNOW literature's
convention): x = purchase days − 1, t_x and T in weeks from the first purchase day, and the
mean spend of the repeat days feeds Gamma-Gamma.  MBG/NBD gives P(alive) and the expected
transactions over the horizon while alive; Gamma-Gamma the expected spend per transaction.
Population parameters are fitted here (on grouped data, seconds for a million customers) or
reused from the last fit when it is recent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.domain.lifecycle import NO_TIME
from workbench.services.customer_table import CustomerTable

WEEK_SECONDS = 7 * 86400.0
MIN_BUYERS = 20  # fewer buyers than this cannot support a population fit


@dataclass(frozen=True)
class BaseModelResult:
    """Per-customer arrays (aligned with the customer table) and the fitted parameters."""

    p_alive: np.ndarray
    expected_orders: np.ndarray  # transactions over the horizon if still a customer
    expected_spend: np.ndarray  # yen per transaction
    alive_params: dict[str, float]
    spend_params: dict[str, float]

    @property
    def value(self) -> np.ndarray:
        return self.expected_orders * self.expected_spend


def customer_arrays(table: CustomerTable) -> dict[str, np.ndarray]:
    """The models' inputs per buyer: index into the table, x, t_x, T (weeks), mean repeat spend."""
    index = np.flatnonzero((table.first_us != NO_TIME) & (table.last_us != NO_TIME))
    n_days, n_orders, monetary = table.n_days[index], table.n_orders[index], table.monetary[index]
    first_us, last_us = table.first_us[index], table.last_us[index]
    days = np.where(n_days > 0, n_days, np.where(n_orders > 0, n_orders, 1))
    repeat = days - 1
    # Seconds as `timedelta.total_seconds()` gives them from the exact microseconds, then weeks.
    span = np.maximum((last_us - first_us) / 1e6, 0.0) / WEEK_SECONDS
    age = np.maximum((table.at_us - first_us) / 1e6 / WEEK_SECONDS, span)
    first = np.where(n_days > 0, table.first_day_amount[index], monetary / np.maximum(n_orders, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_repeat = np.where(repeat > 0, (monetary - first) / np.maximum(repeat, 1), 0.0)
    return {
        "index": index.astype(np.int64),
        "x": repeat.astype(float),
        "t_x": np.where(repeat > 0, span, 0.0),
        "T": age,
        "mean_repeat": mean_repeat,
        "mean_all": monetary / days,
    }


def fit_base_models(
    table: CustomerTable,
    horizon_weeks: float,
    stored_alive: dict[str, float] | None = None,
    stored_spend: dict[str, float] | None = None,
) -> BaseModelResult:
    """P(alive), expected transactions over the horizon if alive, and expected spend, for every customer."""
    from workbench.domain import (
        bgnbd,
        gamma_gamma,
    )  # SciPy takes 0.3 s to import: only a scoring run needs it

    n = len(table)
    p_alive, expected, spend = np.zeros(n), np.zeros(n), np.zeros(n)
    data = customer_arrays(table)
    idx, x, t_x, big_t = data["index"], data["x"], data["t_x"], data["T"]
    if len(idx) < MIN_BUYERS:
        # Too few buyers to fit a population: each customer's own rate since their first purchase
        # (the first counted, so one order over a year is one a year), and nothing said about P(alive).
        p_alive[idx] = 1.0
        expected[idx] = (x + 1.0) / np.maximum(big_t, 1.0) * horizon_weeks
        spend[idx] = data["mean_all"]
        return BaseModelResult(p_alive, expected, spend, {}, {})
    if stored_alive is not None:
        alive = bgnbd.MbgNbdParams(
            stored_alive["r"],
            stored_alive["alpha"],
            stored_alive["a"],
            stored_alive["b"],
            stored_alive["loglik"],
        )
    else:
        # Whole weeks are plenty for a population fit and cut a million customers to a few thousand groups.
        grouped = bgnbd.group_triples(x, t_x, big_t, decimals=0)
        alive = bgnbd.fit_mbgnbd(grouped.x, grouped.t_x, grouped.T, grouped.weights)
    with np.errstate(all="ignore"):
        # A degenerate fit (a ≈ 1 or huge a, b) can make the closed forms 0/0: no number, no claim.
        p_alive[idx] = np.nan_to_num(
            bgnbd.p_alive(alive, x, t_x, big_t), nan=0.5, posinf=1.0, neginf=0.0
        )
        expected[idx] = np.nan_to_num(
            bgnbd.expected_transactions_if_alive(alive, horizon_weeks, x, t_x, big_t),
            nan=0.0,
            posinf=0.0,
            neginf=0.0,
        )
    spend_params: dict[str, float] = {}
    repeaters = (x > 0) & (data["mean_repeat"] > 0)
    if stored_spend is not None:
        gg = gamma_gamma.GammaGammaParams(
            stored_spend["p"], stored_spend["q"], stored_spend["v"], stored_spend["loglik"]
        )
    elif int(repeaters.sum()) >= MIN_BUYERS:
        # Three significant digits of the mean spend group a million customers with no visible loss.
        m = _round_significant(data["mean_repeat"][repeaters], 3)
        gg = gamma_gamma.fit_gamma_gamma(x[repeaters], m)
    else:
        gg = None
    if gg is not None and gg.q > 1:
        spend_params = {"p": gg.p, "q": gg.q, "v": gg.v, "loglik": gg.loglik}
        with np.errstate(all="ignore"):
            cond = gamma_gamma.conditional_expected_spend(
                gg, np.where(repeaters, x, 0.0), np.where(repeaters, data["mean_repeat"], 0.0)
            )
        spend[idx] = np.where(np.isfinite(cond), cond, data["mean_all"])
    else:
        spend[idx] = data["mean_all"]
    alive_params = {
        "r": alive.r,
        "alpha": alive.alpha,
        "a": alive.a,
        "b": alive.b,
        "loglik": alive.loglik,
    }
    return BaseModelResult(p_alive, expected, spend, alive_params, spend_params)


def _round_significant(values: np.ndarray, digits: int) -> np.ndarray:
    magnitude = np.floor(np.log10(np.maximum(np.abs(values), 1e-12)))
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * scale) / scale
