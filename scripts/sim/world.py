"""World specifications and the hidden truth of each simulated customer.

Nothing here is visible to the workbench: the product only ever sees the CSV
files the generator writes and the dispositions the operators record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

# Hour-of-week answering habits in the customer's local time.  Each maps
# (weekday 0=Mon, hour) to a level in [0, 1] that scales between the
# customer's base and peak answer probability.
ARCHETYPES = ("daytime_home", "evening_worker", "weekend", "business_hours", "rarely")


def archetype_level(archetype: str, weekday: int, hour: int) -> float:
    sat, sun = weekday == 5, weekday == 6
    if archetype == "daytime_home":
        if sun:
            return 0.3
        return 1.0 if 10 <= hour < 12 or 14 <= hour < 17 else (0.5 if 9 <= hour < 19 else 0.2)
    if archetype == "evening_worker":
        if sat:
            return 0.8 if 10 <= hour < 18 else 0.4
        if sun:
            return 0.6
        return 1.0 if hour >= 18 else (0.35 if 12 <= hour < 13 else 0.05)
    if archetype == "weekend":
        if sat or sun:
            return 1.0 if 10 <= hour < 19 else 0.4
        return 0.25 if hour >= 17 else 0.08
    if archetype == "business_hours":
        if sat or sun:
            return 0.02
        if 12 <= hour < 13:
            return 0.15
        return 1.0 if 10 <= hour < 12 or 14 <= hour < 17 else (0.45 if 9 <= hour < 18 else 0.05)
    return 0.3  # rarely: flat and low (base and peak are both small)


@dataclass(frozen=True)
class WorldSpec:
    """What makes worlds structurally different."""

    name: str
    description: str
    b2b_share: float
    archetype_mix_b2c: dict[str, float]
    archetype_mix_b2b: dict[str, float]
    callback_rate: float  # share of answered calls without a win that ask to be called back
    complaint_signal: float  # P(a quality-dissatisfied customer has a complaint on record)
    complaint_noise: float  # P(any other customer has one)
    heard_share: float  # P(an answered call in the history recorded the reason)
    rep_signal: float  # P(a B2B contact-person change shows as previous_rep)
    season_strength: float  # amplitude of the category's seasonal purchase rate
    answer_peak: tuple[float, float] = (0.55, 0.2)  # Beta mean and spread of the peak P(answer)
    refusal_rate: float = 0.2


WORLDS: dict[str, WorldSpec] = {
    "households": WorldSpec(
        name="households",
        description="mostly households at home in the day or in the evening; reasons often show (complaints, heard reasons)",
        b2b_share=0.1,
        archetype_mix_b2c={
            "daytime_home": 0.4,
            "evening_worker": 0.35,
            "weekend": 0.15,
            "rarely": 0.1,
        },
        archetype_mix_b2b={"business_hours": 0.9, "rarely": 0.1},
        callback_rate=0.15,
        complaint_signal=0.6,
        complaint_noise=0.03,
        heard_share=0.5,
        rep_signal=0.7,
        season_strength=0.3,
    ),
    "b2b_callbacks": WorldSpec(
        name="b2b_callbacks",
        description="45 % companies answering in business hours; callbacks asked for often; weak season",
        b2b_share=0.45,
        archetype_mix_b2c={
            "daytime_home": 0.3,
            "evening_worker": 0.4,
            "weekend": 0.2,
            "rarely": 0.1,
        },
        archetype_mix_b2b={"business_hours": 0.75, "daytime_home": 0.1, "rarely": 0.15},
        callback_rate=0.35,
        complaint_signal=0.4,
        complaint_noise=0.05,
        heard_share=0.35,
        rep_signal=0.8,
        season_strength=0.1,
    ),
    "silent_seasonal": WorldSpec(
        name="silent_seasonal",
        description="hard to reach (evening/weekend/rarely), few callbacks, reasons hardly show in the data, strong season",
        b2b_share=0.15,
        archetype_mix_b2c={
            "daytime_home": 0.15,
            "evening_worker": 0.4,
            "weekend": 0.25,
            "rarely": 0.2,
        },
        archetype_mix_b2b={"business_hours": 0.7, "rarely": 0.3},
        callback_rate=0.07,
        complaint_signal=0.15,
        complaint_noise=0.05,
        heard_share=0.12,
        rep_signal=0.3,
        season_strength=0.6,
        answer_peak=(0.45, 0.2),
        refusal_rate=0.25,
    ),
}


@dataclass(frozen=True)
class Scale:
    customers: int = 1200
    days: int = 12
    dials_per_hour: int = 16
    operators: int = 4
    open_hour: int = 9
    close_hour: int = 20
    start: date = date(2026, 11, 2)  # a Monday; the generated history ends the day before


QUICK = Scale(customers=250, days=2, dials_per_hour=10, operators=2)


@dataclass(frozen=True)
class Truth:
    """One customer's hidden state, never written where the product can read it."""

    customer_id: str
    index: int
    kind: str
    archetype: str
    p_peak: float
    p_base: float
    reason: str
    alive: bool
    propensity: float  # P(win-back | conversation with a script written for the true reason)
    value: int  # yen of the win-back order
    p_callback: float  # P(asking to be called back | answered, not won)
    callback_hours: tuple[int, int]  # the local hours they name for a callback
    wrong_number: bool = False
    category: str = ""


def p_answer(truth: Truth, at: datetime) -> float:
    local = at.astimezone(TOKYO)
    level = archetype_level(truth.archetype, local.weekday(), local.hour)
    return truth.p_base + (truth.p_peak - truth.p_base) * level


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
