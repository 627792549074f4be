"""The hidden truth per customer: lifecycle target, buying rhythm, reason, answering habit.

``draw_latent`` draws a whole chunk of customers at once (vectorised); the rest of the
generator derives orders, calls and the customer row from these values, and truth.csv
publishes them for the simulator.  The answering habit is public because the simulator
recomputes it from truth.csv.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from workbench.demo.catalogue import KIND_CATEGORY_SHARE
from workbench.domain.codes import REASONS

# Lifecycle thresholds in days since the last order (B2B buys on longer cycles).
AT_RISK_DAYS: dict[str, int] = {"b2c": 90, "b2b": 180}
LAPSE_DAYS: dict[str, int] = {"b2c": 180, "b2b": 365}
DORMANT_MAX_DAYS = 730

LIFECYCLE_STATES: tuple[str, ...] = ("active", "at_risk", "dormant", "churned", "prospect")
LIFECYCLE_MIX: tuple[float, ...] = (0.30, 0.10, 0.45, 0.05, 0.10)
B2B_SHARE = 0.20

ANSWER_PROFILES: tuple[str, ...] = ("evening", "morning", "daytime", "weekend", "b2b_office")

ACTIVE, AT_RISK, DORMANT, CHURNED, PROSPECT = range(5)

# Offices are closed at the weekend; somebody may still pick up, but rarely.
_CLOSED_OFFICE_FACTOR = 0.2


def in_preferred_hours(profile: str, weekday: int, hour: int) -> bool:
    """Whether ``hour`` (0-23) on ``weekday`` (0=Monday … 6=Sunday) lies in the profile's window."""
    if profile == "evening":
        return 18 <= hour < 21
    if profile == "morning":
        return 9 <= hour < 12
    if profile == "daytime":
        return weekday < 5 and (10 <= hour < 12 or 13 <= hour < 16)
    if profile == "weekend":
        return weekday >= 5 and 10 <= hour < 18
    if profile == "b2b_office":
        return weekday < 5 and (10 <= hour < 12 or 14 <= hour < 16)
    raise ValueError(f"unknown answer profile: {profile!r}")


def answer_probability(profile: str, peak: float, base: float, weekday: int, hour: int) -> float:
    """Probability that the customer answers a call at ``hour`` on ``weekday`` (0=Monday).

    ``peak`` applies inside the profile's preferred window, ``base`` outside it; a
    ``b2b_office`` customer called at the weekend answers with ``base * 0.2``.
    """
    if in_preferred_hours(profile, weekday, hour):
        return peak
    if profile == "b2b_office" and weekday >= 5:
        return base * _CLOSED_OFFICE_FACTOR
    return base


# Reasons a customer lapsed, by kind (order of REASONS).
_REASON_WEIGHTS: dict[str, tuple[float, ...]] = {
    "b2c": (0.24, 0.08, 0.10, 0.14, 0.07, 0.08, 0.12, 0.00, 0.07, 0.10),
    "b2b": (0.12, 0.07, 0.16, 0.14, 0.08, 0.10, 0.00, 0.18, 0.05, 0.10),
}
_CHURNED_REASON_WEIGHTS = (0.0, 0.60, 0.20, 0.20, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
_PROSPECT_REASON_WEIGHTS = (0.0, 0.0, 0.05, 0.30, 0.40, 0.05, 0.0, 0.0, 0.0, 0.20)
# How easily a reached customer with this reason buys again.
_REASON_PROPENSITY: dict[str, float] = {
    "usage_decreased": 0.20,
    "quality_dissatisfaction": 0.06,
    "competitor": 0.12,
    "price": 0.30,
    "long_consideration": 0.28,
    "needs_changed": 0.12,
    "life_stage_change": 0.10,
    "contact_person_changed": 0.22,
    "moved": 0.05,
    "unknown": 0.15,
}
_PROFILE_WEIGHTS: dict[str, tuple[float, ...]] = {
    "b2c": (0.35, 0.25, 0.25, 0.15, 0.0),
    "b2b": (0.0, 0.0, 0.20, 0.0, 0.80),
}


@dataclass
class Latent:
    b2b: np.ndarray
    state: np.ndarray
    first_day: np.ndarray  # float day offsets; meaningless for prospects
    last_day: np.ndarray
    n_tx: np.ndarray
    value: np.ndarray
    fav: np.ndarray
    reason: np.ndarray
    profile: np.ndarray
    p_peak: np.ndarray
    p_base: np.ndarray
    propensity: np.ndarray
    alive: np.ndarray
    has_email: np.ndarray

    @property
    def size(self) -> int:
        return len(self.b2b)


def by_kind(b2b: np.ndarray, b2c_value: float, b2b_value: float) -> np.ndarray:
    return np.where(b2b, b2b_value, b2c_value)


def choice_by_kind(
    rng: np.random.Generator, b2b: np.ndarray, weights: Mapping[str, Sequence[float]]
) -> np.ndarray:
    b2c_pick = rng.choice(len(weights["b2c"]), size=len(b2b), p=normalised(weights["b2c"]))
    b2b_pick = rng.choice(len(weights["b2b"]), size=len(b2b), p=normalised(weights["b2b"]))
    return np.where(b2b, b2b_pick, b2c_pick)


def normalised(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _gap_days(
    rng: np.random.Generator, state: np.ndarray, b2b: np.ndarray, mean_gap: np.ndarray
) -> np.ndarray:
    """Days between the last order and the end date, consistent with the target state."""
    at_risk = by_kind(b2b, AT_RISK_DAYS["b2c"], AT_RISK_DAYS["b2b"])
    lapse = by_kind(b2b, LAPSE_DAYS["b2c"], LAPSE_DAYS["b2b"])
    u = rng.random(len(state))
    # Alive customers' time since last order is exponential in their own interval,
    # truncated to the active window.
    active = -mean_gap * np.log1p(-u * -np.expm1(-at_risk / mean_gap))
    gap = np.select(
        [state == ACTIVE, state == AT_RISK, state == DORMANT],
        [active, at_risk + u * (lapse - at_risk), lapse + u * (DORMANT_MAX_DAYS - lapse)],
        default=30.0 + u * 570.0,  # churned: complained within ~2 years
    )
    return np.maximum(gap, 0.01)


def draw_latent(rng: np.random.Generator, m: int, days: int) -> Latent:
    b2b = rng.random(m) < B2B_SHARE
    state = rng.choice(len(LIFECYCLE_STATES), size=m, p=normalised(LIFECYCLE_MIX))
    mean_gap = by_kind(b2b, 70.0, 48.0) * rng.lognormal(0.0, 0.6, m)
    gap = np.minimum(_gap_days(rng, state, b2b, mean_gap), days - 0.01)
    last_day = days - gap
    first_day = last_day * rng.random(m)
    n_tx = 1 + rng.poisson((last_day - first_day) / mean_gap)
    n_tx = np.where(state == PROSPECT, 0, np.minimum(n_tx, 400))

    value = np.rint(by_kind(b2b, 5000.0, 30000.0) * rng.lognormal(0.0, by_kind(b2b, 0.55, 0.7)))
    fav = choice_by_kind(rng, b2b, KIND_CATEGORY_SHARE)

    reason = choice_by_kind(rng, b2b, _REASON_WEIGHTS)
    reason = np.where(
        state == CHURNED,
        rng.choice(len(REASONS), size=m, p=normalised(_CHURNED_REASON_WEIGHTS)),
        reason,
    )
    reason = np.where(
        state == PROSPECT,
        rng.choice(len(REASONS), size=m, p=normalised(_PROSPECT_REASON_WEIGHTS)),
        reason,
    )

    profile = choice_by_kind(rng, b2b, _PROFILE_WEIGHTS)
    p_peak = np.round(rng.uniform(by_kind(b2b, 0.35, 0.45), by_kind(b2b, 0.75, 0.80)), 3)
    p_base = np.round(rng.uniform(0.02, 0.12, m), 3)

    base_propensity = np.array([_REASON_PROPENSITY[r] for r in REASONS])[reason]
    propensity = (
        base_propensity * rng.lognormal(0.0, 0.35, m) * np.where(state == CHURNED, 0.2, 1.0)
    )
    propensity = np.round(np.clip(propensity, 0.01, 0.9), 3)

    alive = (state == ACTIVE) | ((state == AT_RISK) & (rng.random(m) < 0.35))
    has_email = rng.random(m) < by_kind(b2b, 0.68, 0.80)
    return Latent(
        b2b=b2b,
        state=state,
        first_day=first_day,
        last_day=last_day,
        n_tx=n_tx,
        value=value,
        fav=fav,
        reason=reason,
        profile=profile,
        p_peak=p_peak,
        p_base=p_base,
        propensity=propensity,
        alive=alive,
        has_email=has_email,
    )
