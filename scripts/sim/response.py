"""How the world answers a dial at an instant with a script, on pre-drawn luck.

Common random numbers: customer i's k-th dial in a run always reads row k of
the same pre-drawn stream, whichever strategy dials and whenever, so strategies
are compared on the same luck.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
import numpy as np

from .world import TOKYO, Truth, p_answer

FIT_SPECIFIC = 1.0  # a script written for the customer's true reason
FIT_HEARING = 0.7  # a hearing-first script: moderate for every reason
FIT_WRONG = 0.35  # a pitch for a reason the customer does not have
FIT_NONE = 0.5  # no script at all
REVEAL = {"hearing": 0.7, "specific": 0.45, "wrong": 0.3, "none": 0.35}
ON_TIME = timedelta(minutes=15)
ON_TIME_ANSWER = 0.85  # a customer who named the time picks up
ON_TIME_LIFT = 1.3  # ... and is more open than on a cold call
DNC_SHARE = 0.03
STREAM_ROWS = 48
_JP_HOLIDAYS = holidays.country_holidays("JP", years=range(2024, 2029))


@dataclass(frozen=True)
class ScriptInfo:
    """What the world knows of a script: the reasons and customer kind it was written for."""

    id: str
    reasons: tuple[str, ...]
    kind: str  # b2c, b2b or any


@dataclass(frozen=True)
class Response:
    outcome: str  # a call outcome code, or "nothing" (a conversation that ends with no result)
    answered: bool
    heard_reason: str | None
    amount: int | None
    callback_at: datetime | None
    p_win: float  # true P(answer) × P(win-back) of this dial, before the luck is read
    on_time_callback: bool


class Luck:
    """Per-customer streams of uniforms, drawn on first use from (world seed, customer index)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[int, np.ndarray] = {}
        self._used: dict[int, int] = {}

    def next(self, index: int) -> np.ndarray:
        k = self._used.get(index, 0)
        self._used[index] = k + 1
        block = k // STREAM_ROWS
        key = index * 1000 + block
        if key not in self._streams:
            self._streams[key] = np.random.default_rng([self.seed, index, block, 0x51D]).random(
                (STREAM_ROWS, 8)
            )
        return self._streams[key][k % STREAM_ROWS]


def fit_class(script: ScriptInfo | None, truth: Truth) -> str:
    if script is None:
        return "none"
    if truth.reason in script.reasons and script.kind in (truth.kind, "any"):
        return "specific"
    if "unknown" in script.reasons:
        return "hearing"
    return "wrong"


FIT = {"specific": FIT_SPECIFIC, "hearing": FIT_HEARING, "wrong": FIT_WRONG, "none": FIT_NONE}


def answer_probability(truth: Truth, at: datetime, promised: datetime | None) -> float:
    p = p_answer(truth, at)
    if promised is not None and abs(at - promised) <= ON_TIME:
        return max(p, ON_TIME_ANSWER)
    return p


def win_probability(truth: Truth, fit: str, on_time: bool) -> float:
    return min(0.95, truth.propensity * FIT[fit] * (ON_TIME_LIFT if on_time else 1.0))


def best_fit(scripts: Iterable[ScriptInfo], truth: Truth) -> tuple[ScriptInfo | None, str]:
    """The script that fits the truth best (the oracle's choice)."""
    best: tuple[ScriptInfo | None, str] = (None, "none")
    for script in scripts:
        if script.kind not in (truth.kind, "any"):
            continue
        fit = fit_class(script, truth)
        if FIT[fit] > FIT[best[1]]:
            best = (script, fit)
    return best


def respond(truth: Truth, at: datetime, script: ScriptInfo | None, u: np.ndarray, promised: datetime | None,
            refusal_rate: float) -> Response:  # fmt: skip
    """The outcome of one dial; `promised` is the callback time the customer named, if one is pending."""
    on_time = promised is not None and abs(at - promised) <= ON_TIME
    fit = fit_class(script, truth)
    p_win = win_probability(truth, fit, on_time)
    p_ans = answer_probability(truth, at, promised)
    expected = 0.0 if truth.wrong_number else p_ans * p_win
    if u[0] >= p_ans:
        outcome = "no_answer" if u[2] < 0.75 else ("busy" if u[2] < 0.87 else "voicemail")
        return Response(outcome, False, None, None, None, expected, on_time)
    if truth.wrong_number:
        return Response("wrong_number", True, None, None, None, expected, on_time)
    heard = truth.reason if u[3] < REVEAL[fit] else None
    if u[1] < p_win:
        amount = max(500, int(round(truth.value * (0.8 + 0.4 * u[4]) / 100.0)) * 100)
        return Response("reactivated", True, heard, amount, None, expected, on_time)
    complaint = 0.06 if truth.reason == "quality_dissatisfaction" else 0.02
    cuts = np.cumsum([truth.p_callback, refusal_rate, DNC_SHARE, complaint])
    if u[2] < cuts[0]:
        return Response(
            "callback", True, heard, None, callback_time(truth, at, u[5], u[6]), expected, on_time
        )
    outcome = (
        "not_interested"
        if u[2] < cuts[1]
        else "do_not_call"
        if u[2] < cuts[2]
        else "complaint"
        if u[2] < cuts[3]
        else "nothing"
    )
    return Response(outcome, True, heard, None, None, expected, on_time)


def callback_time(truth: Truth, at: datetime, u_day: float, u_time: float) -> datetime:
    """The time a customer names: usually tomorrow or the day after, in their own good hours."""
    local = at.astimezone(TOKYO)
    offset = 0 if u_day < 0.15 else (1 if u_day < 0.65 else 2)
    low, high = truth.callback_hours
    slots = [(h, m) for h in range(low, high + 1) for m in (0, 30)]
    hour, minute = slots[min(len(slots) - 1, int(u_time * len(slots)))]
    day = local.date() + timedelta(days=offset)
    for _ in range(10):
        when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)
        if when > at + timedelta(minutes=30) and _open_day(day):
            return when
        day += timedelta(days=1)
    raise AssertionError("no callback day found within ten days")


def _open_day(day: date) -> bool:
    return day.weekday() != 6 and day not in _JP_HOLIDAYS
