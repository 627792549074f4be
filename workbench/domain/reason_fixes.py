"""Reasons marked "fixed as of a date", and who the queue re-approaches for them.

The seeds' loop: the reasons heard → a product improvement → a call to the customers who left
for that reason ("we improved X").  A customer *left for* a fixed reason when the reason known
for them is that reason (heard, or guessed at least as surely as the script choice trusts a
guess) and their last order was before the day it was fixed.  From that day on their score
carries the `reason_fixed_boost` factor, and a customer churned after a complaint over it is
lapsed again: never one under a permanent block (a refusal, do-not-call, opt-out or the
control group).  `lapsed_again` is that rule's one home: the scoring run and the customer views
both call it, so the queue, `customers` and `customers show` give such a customer one state.

Only what was known at an instant counts: a fix marked later, or fixed on a later day, is not
seen by a look at the past.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from workbench.domain.codes import REASONS, LifecycleState
from workbench.domain.lifecycle import STATES

FIX_KINDS: tuple[str, ...] = ("b2c", "b2b", "any")
# "unknown" is no reason a business can fix.
FIXABLE_REASONS: tuple[str, ...] = tuple(r for r in REASONS if r != "unknown")


@dataclass(frozen=True, slots=True)
class ReasonFix:
    reason: str
    kind: str  # b2c | b2b | any
    fixed_on: date  # on the configured clock
    marked_by: str
    marked_at: datetime
    note: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"reason": self.reason, "kind": self.kind, "fixed_on": self.fixed_on.isoformat(),
                "marked_by": self.marked_by, "marked_at": self.marked_at.isoformat(),
                "note": self.note}  # fmt: skip


@dataclass(frozen=True)
class FixedReasons:
    """The fixes seen at an instant as (reason, kind) → day, with the score factor, the
    confidence a guess needs, and the clock the days are on."""

    days: dict[tuple[str, str], date]
    boost: float
    confidence_min: float
    zone: ZoneInfo


def seen_at(fixes: Iterable[ReasonFix], at: datetime, today: date) -> list[ReasonFix]:
    """The fixes known at `at` (whose local day is `today`): marked by then, fixed by then."""
    return [f for f in fixes if f.marked_at <= at and f.fixed_on <= today]


def fixed_days(fixes: Iterable[ReasonFix]) -> dict[tuple[str, str], date]:
    """(reason, kind) → the day it was fixed, for `fixed_on`."""
    return {(f.reason, f.kind): f.fixed_on for f in fixes}


def fixed_on(days: Mapping[tuple[str, str], date], reason: str, kind: str) -> date | None:
    """The day `reason` was fixed for customers of `kind`: a fix for the kind wins over one
    for both kinds."""
    return days.get((reason, kind), days.get((reason, "any")))


def could_lapse_again(
    fixes: FixedReasons, kind: str, last_order: datetime | None, complaint: bool, blocked: bool
) -> bool:
    """Whether `lapsed_again` could take back one churned customer, from their own record only:
    a complaint, no do-not-call or opt-out, and a fix for their kind dated after their last
    order.  False means certainly not; True needs the whole rule (whose reason guesses are
    learned from the base)."""
    if not complaint or blocked or last_order is None:
        return False
    starts = [
        datetime.combine(day, datetime.min.time(), fixes.zone)
        for (_, fix_kind), day in fixes.days.items()
        if fix_kind in (kind, "any")
    ]
    return any(last_order < start for start in starts)


def reason_known(heard: bool, confidence: float, confidence_min: float) -> bool:
    """Whether a customer's reason is known well enough to say they left for it."""
    return heard or confidence >= confidence_min


def left_for(fixed: date | None, last_order: date | None, known: bool) -> bool:
    """Whether a customer whose reason was fixed on `fixed` left for it (last order before)."""
    return fixed is not None and known and last_order is not None and last_order < fixed


_CHURNED = np.int8(STATES.index(LifecycleState.CHURNED))
_DORMANT = np.int8(STATES.index(LifecycleState.DORMANT))


def lapsed_again(
    states: npt.NDArray[np.int8],
    complaint: npt.NDArray[np.bool_],
    blocked: npt.NDArray[np.bool_],
    left: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int8]:
    """`states` (indexes into `lifecycle.STATES`) with each customer churned after a complaint
    (`complaint`) who left for a reason since fixed (`left`) dormant again, unless under a
    permanent block (`blocked`): the queue's state filter then takes them back, the one way
    the churned are let back in.  A new array when any state changes, else `states` itself."""
    back = (states == _CHURNED) & complaint & ~blocked & left
    if not back.any():
        return states
    out = states.copy()
    out[back] = _DORMANT
    return out
