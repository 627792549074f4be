"""The email-then-call escalation: a customer's tier and the cadence's state machine.

Tiers come from the queue's own parts: the expected win-back value (the queue's
`value` × P(alive)) and P(alive), for customers in a win-back lifecycle state.

- high: straight to the call queue (state `waiting`), as without the escalation;
- mid: a first email, `mid_wait_days` to respond, a reminder, `mid_reminder_wait_days`
  more; then a call (`waiting`) or the end, as `mid_after_reminder` says;
- low: step emails at `low_steps_days` (the gaps between them kept from each actual
  send), then `mid_wait_days` to respond, then the end.

Whoever responds (opened, clicked, replied) is `responded` and in the call queue with a
boost until a call reaches them (`called`).  The states on the call track (`waiting`,
`responded`, `called`) are in the call queue; `emailed` and `ended` are not (high tiers
are never held back).  Channels are separate (特定電子メール法 vs 特定商取引法): an email
unsubscribe or a bounce stops email only, a do-not-call stops calls only (the cadence
goes on as email steps while email is allowed); `reactivated` and `not_interested`
end the cadence, and nothing moves an ended one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

TIERS = ("high", "mid", "low")
STATES = ("waiting", "emailed", "responded", "called", "ended")
CALL_TRACK = frozenset({"waiting", "responded", "called"})
WIN_BACK_LIFECYCLES = frozenset({"at_risk", "dormant"})
# A reply outranks a click outranks an open; the weight is the share of the boost above 1.
RESPONSE_WEIGHTS: dict[str, float] = {"opened": 0.25, "clicked": 0.5, "replied": 1.0}
STOP_EMAIL_EVENTS = frozenset({"bounced", "unsubscribed"})
# Call outcomes that reached the customer without ending the cadence.
REACHED_OUTCOMES = frozenset({"callback", "complaint", "contact_changed", "no_decision"})
ENDING_OUTCOMES = frozenset({"reactivated", "not_interested"})

Purpose = Literal["first", "reminder", "followup"]


@dataclass(frozen=True, slots=True)
class TierRules:
    high_value_min: float = 30000.0
    high_p_alive_min: float = 0.3
    mid_value_min: float = 5000.0


@dataclass(frozen=True, slots=True)
class CadenceRules:
    mid_wait_days: int = 3
    mid_reminder_wait_days: int = 3
    mid_after_reminder: str = "call"  # call | none
    low_steps_days: tuple[int, ...] = (0, 14, 45)


@dataclass(frozen=True, slots=True)
class Cadence:
    tier: str
    state: str
    step: int  # emails sent (queued) so far
    next_at: datetime | None  # the next timed move; None on the call track and when ended
    started_at: datetime
    response: str | None = None
    response_at: datetime | None = None
    ended_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Move:
    """What follows: the cadence after the move, the event to record and the email to write."""

    cadence: Cadence
    kind: str
    email: Purpose | None = None
    detail: str | None = None


def tier_of(value: float, p_alive: float, lifecycle: str, rules: TierRules) -> str | None:
    """The tier of a customer the queue scores; None outside the win-back lifecycle states."""
    if lifecycle not in WIN_BACK_LIFECYCLES:
        return None
    expected = value * min(max(p_alive, 0.0), 1.0)
    if expected >= rules.high_value_min and p_alive >= rules.high_p_alive_min:
        return "high"
    return "mid" if expected >= rules.mid_value_min else "low"


def start(tier: str, at: datetime, rules: CadenceRules) -> Cadence:
    """A new cadence at `at`: high waits for its call, mid and low have their first email due."""
    if tier == "high":
        return Cadence("high", "waiting", 0, None, at)
    first = rules.low_steps_days[0] if tier == "low" and rules.low_steps_days else 0
    return Cadence(tier, "emailed", 0, at + timedelta(days=first), at)


def in_call_queue(tier: str, state: str) -> bool:
    """Whether the escalation lets the queue offer this customer (the calling rules still decide)."""
    return tier == "high" or state in CALL_TRACK


def response_factor(state: str, response: str | None, boost: float) -> float | None:
    """The responder's factor on the queue score, until a call reaches them; None otherwise."""
    if state != "responded" or response not in RESPONSE_WEIGHTS:
        return None
    return 1.0 + (boost - 1.0) * RESPONSE_WEIGHTS[response]


def tick(c: Cadence, at: datetime, rules: CadenceRules, email_block: str | None) -> Move | None:
    """The timed move of a cadence due at `at`; None when nothing is due.

    `email_block` names why the customer cannot be emailed now (no address, opted out,
    bounced), or is None.
    """
    if c.state != "emailed" or c.next_at is None or c.next_at > at:
        return None
    if c.tier == "mid":
        if c.step >= 2:
            return _after_reminder(c, rules, "no_response")
        if email_block is not None:
            return _no_email(c, rules, email_block)
        purpose: Purpose = "first" if c.step == 0 else "reminder"
        step = c.step + 1
        kind = "emailed" if step == 1 else "reminded"
        return Move(
            replace(c, step=step, next_at=_wait_after(c.tier, step, at, rules)), kind, purpose
        )
    if c.step >= len(rules.low_steps_days):
        return _end(c, "no_response")
    if email_block is not None:
        return _no_email(c, rules, email_block)
    step = c.step + 1
    cadence = replace(c, tier="low", step=step, next_at=_wait_after("low", step, at, rules))
    return Move(cadence, "emailed", "first" if step == 1 else "followup")


def on_email(c: Cadence, event: str, at: datetime, rules: CadenceRules) -> Move | None:
    """An email event (codes.EMAIL_EVENTS) for this customer; None when it changes nothing."""
    if c.state == "ended":
        return None
    if at < c.started_at and event not in STOP_EMAIL_EVENTS:
        return None  # history from before the cadence (an import): not a response to it
    if event in RESPONSE_WEIGHTS:
        if c.response is not None and RESPONSE_WEIGHTS[c.response] >= RESPONSE_WEIGHTS[event]:
            return None
        return Move(replace(c, state="responded", next_at=None, response=event, response_at=at),
                    "responded", detail=event)  # fmt: skip
    if event == "sent":
        if c.state != "emailed":
            return None
        step = max(c.step, 1)  # a provider's send before ours counts as the first email
        next_at = _wait_after(c.tier, step, at, rules)
        if step == c.step and next_at == c.next_at:
            return None
        return Move(replace(c, step=step, next_at=next_at), "sent")
    if event in STOP_EMAIL_EVENTS:
        if c.state == "emailed":
            return _no_email(c, rules, event)
        return Move(c, "email_stopped", detail=event)  # the call track goes on
    return None


def on_call(c: Cadence, outcome: str, at: datetime, email_block: str | None) -> Move | None:
    """A call outcome (codes.CALL_OUTCOMES); None for an ended cadence.

    `email_block` as for `tick`, known after the call's own effects (a do-not-call with
    the email consent withdrawn ends the cadence; without, email goes on).
    """
    if c.state == "ended":
        return None
    if outcome in ENDING_OUTCOMES:
        return _end(c, outcome)
    if outcome == "do_not_call":
        if email_block is not None:
            return _end(c, "do_not_call")
        # The low tier's steps from where the customer is: the next one is due now.
        return Move(replace(c, tier="low", state="emailed", next_at=at), "calls_stopped",
                    detail="do_not_call")  # fmt: skip
    if outcome in REACHED_OUTCOMES:
        return Move(replace(c, state="called", next_at=None), "called", detail=outcome)
    return Move(c, "call_attempt", detail=outcome)


def _wait_after(tier: str, step: int, at: datetime, rules: CadenceRules) -> datetime:
    """When the move after email number `step` (sent at `at`) is due."""
    if tier == "mid":
        days = rules.mid_wait_days if step <= 1 else rules.mid_reminder_wait_days
        return at + timedelta(days=days)
    steps = rules.low_steps_days
    if step < len(steps):
        return at + timedelta(days=steps[step] - steps[step - 1])
    return at + timedelta(days=rules.mid_wait_days)


def _after_reminder(c: Cadence, rules: CadenceRules, reason: str) -> Move:
    if rules.mid_after_reminder == "call":
        return Move(replace(c, state="waiting", next_at=None), "call_queued", detail=reason)
    return _end(c, reason)


def _no_email(c: Cadence, rules: CadenceRules, reason: str) -> Move:
    """The email track cannot go on: a mid customer's call still comes when one was to follow."""
    if c.tier == "mid":
        return _after_reminder(c, rules, reason)
    return _end(c, reason)


def _end(c: Cadence, reason: str) -> Move:
    return Move(
        replace(c, state="ended", next_at=None, ended_reason=reason), "ended", detail=reason
    )
