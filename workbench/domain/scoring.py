"""The queue score: expected value of calling a customer now, kept as its parts.

    score = value × P(come back) × (1 + season) × deadline × P(answer now)

- value: what a won-back customer is worth over the next year (average order
  value × their own yearly order rate, at least one order);
- P(come back): a base rate by lifecycle state that fades with months dormant,
  scaled by how well the scripts for the customer's reason have worked, and by
  P(alive) from MBG/NBD (plain BG/NBD would call every one-time buyer alive);
- season: how far the customer's main category is from its coming peak;
- deadline: a loyalty discount resetting 12 months after the last order makes
  month 11 the moment to call;
- P(answer now): the hour-of-week answer model, applied at claim time.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from workbench.domain.codes import LifecycleState

BASE_COME_BACK: dict[str, float] = {
    LifecycleState.AT_RISK: 0.30,
    LifecycleState.DORMANT: 0.20,
    LifecycleState.CHURNED: 0.04,
    LifecycleState.ACTIVE: 0.05,
    LifecycleState.PROSPECT: 0.02,
}
FADE_MONTHS = 24.0  # dormancy halves the chance roughly every 17 months
DEADLINE_FACTOR = 1.5
REASON_FACTOR_RANGE = (0.5, 2.0)


@dataclass(frozen=True, slots=True)
class ScoreParts:
    value: float
    p_alive: float
    expected_orders: float
    p_come_back: float
    season: float
    deadline: bool
    base: float
    p_answer: float | None = None
    alive_model: str = "mbgnbd"

    @property
    def score(self) -> float:
        return self.base * (self.p_answer if self.p_answer is not None else 1.0)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["score"] = self.score
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in data.items()}


def customer_value(monetary: int, n_orders: int, span_days: float) -> float:
    """Yearly value if won back: average order × own yearly order rate (≥ 1 order)."""
    if n_orders <= 0:
        return 0.0
    average = monetary / n_orders
    yearly_orders = (n_orders - 1) / (span_days / 365.25) if n_orders > 1 and span_days > 0 else 1.0
    return average * max(1.0, yearly_orders)


def p_come_back(state: str, months_dormant: float, p_alive: float, reason_factor: float = 1.0) -> float:
    base = BASE_COME_BACK.get(state, 0.02)
    fade = math.exp(-max(0.0, months_dormant - 6.0) / FADE_MONTHS)
    lo, hi = REASON_FACTOR_RANGE
    alive = 0.5 + 0.5 * min(max(p_alive, 0.0), 1.0)
    return min(1.0, base * fade * min(max(reason_factor, lo), hi) * alive)


def reason_factor(reason_rate: float | None, overall_rate: float | None) -> float:
    """How much better than average the scripts for this reason have won customers back."""
    if not reason_rate or not overall_rate:
        return 1.0
    return reason_rate / overall_rate


def base_score(value: float, come_back: float, season: float, deadline: bool) -> float:
    return value * come_back * (1.0 + max(season, 0.0)) * (DEADLINE_FACTOR if deadline else 1.0)


def guess_reason(
    heard: str | None,
    had_complaint: bool,
    kind: str,
    previous_rep: str | None,
    n_orders: int,
) -> tuple[str, str]:
    """(reason, source): what the customer said, else a guess from the history."""
    if heard:
        return heard, "heard"
    if had_complaint:
        return "quality_dissatisfaction", "guessed"
    if kind == "b2b" and previous_rep:
        return "contact_person_changed", "guessed"
    if n_orders >= 3:
        return "usage_decreased", "guessed"
    return "unknown", "guessed"
