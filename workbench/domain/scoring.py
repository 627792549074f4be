"""The queue score: expected yen from calling a customer now, kept as its parts.

    score = value × P(alive) × P(win-back | conversation) × (1 + season) × deadline × P(answer now)

- value: what the customer spends over the horizon if they are still a customer: expected
  transactions while alive (BG/NBD or MBG/NBD conditional expectation, purchases merged per
  day) × expected spend per transaction (Gamma-Gamma), both fitted on the whole base;
- P(alive): from the same customer-base model, so value × P(alive) is the model's expected
  spend of the customer over the horizon (their expected customer value);
- P(win-back | conversation): learned from call outcomes by segment (`workbench.domain.winback`);
- season: how far the customer's main category is from its coming peak;
- deadline: a loyalty discount resetting 12 months after the last order makes month 11 the
  moment to call;
- P(answer now): the hour-of-week answer model, applied when the queue is read.
- response: an email responder's boost while the escalation waits for their call
  (`workbench.domain.escalation.response_factor`), applied when the queue is read.
- reason fixed: `scoring.reason_fixed_boost` (a policy) for a customer who left for a reason
  since marked fixed (`workbench.domain.reason_fixes`), in the base from the day it was fixed;
  `reason_fixed` names that day.

Without P(answer now) the product is the yen a conversation now would be worth on average;
with it, the yen a dial now is worth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import overload

import numpy as np
import numpy.typing as npt

DEADLINE_FACTOR = 1.5
FloatArray = npt.NDArray[np.float64]


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
    expected_spend: float = 0.0
    horizon_weeks: float = 52.0
    # An email responder's factor (the escalation's response boost); None for everyone else.
    response: float | None = None
    # The local day (YYYY-MM-DD) the reason this customer left for was fixed; None for the others.
    reason_fixed: str | None = None

    @property
    def score(self) -> float:
        answer = self.p_answer if self.p_answer is not None else 1.0
        return self.base * answer * (self.response if self.response is not None else 1.0)

    def with_win_rate(self, p_come_back: float) -> ScoreParts:
        """The same parts with a newer P(win-back | conversation) (outcomes since the scoring run)."""
        if self.p_come_back <= 0:
            return self
        return replace(
            self, p_come_back=p_come_back, base=self.base * p_come_back / self.p_come_back
        )

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        if self.response is None:
            del data["response"]  # the components are as before for everyone not boosted
        data["score"] = self.score
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in data.items()}


@overload
def base_score(
    value: float, p_alive: float, come_back: float, season: float, deadline: bool
) -> float: ...
@overload
def base_score(
    value: FloatArray, p_alive: FloatArray, come_back: FloatArray, season: FloatArray,
    deadline: npt.NDArray[np.bool_],
) -> FloatArray: ...  # fmt: skip
def base_score(value, p_alive, come_back, season, deadline):  # type: ignore[no-untyped-def]
    """Everything but P(answer now): the expected yen of a conversation with this customer.

    One customer (floats) or every customer at once (numpy arrays of the same length).
    """
    alive = np.clip(p_alive, 0.0, 1.0)
    factor = np.where(deadline, DEADLINE_FACTOR, 1.0)
    out = value * alive * come_back * (1.0 + np.maximum(season, 0.0)) * factor
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)
