"""What an outcome does beyond being recorded: one table, for every path an outcome arrives by.

A disposition typed by an operator, a batch file and an imported contact history all
record the same codes; the suppression they cause must not depend on the path (a
refusal is a refusal, 特定商取引法 Art. 17).  Call rules read the recorded outcomes
themselves; these are the facts stored beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.domain.codes import REFUSAL_OUTCOMES, LifecycleState


@dataclass(frozen=True, slots=True)
class Effects:
    suppress_calls: bool = False  # the customer, and the number dialled, go on the do-not-call list
    email_opt_out: bool = False  # no more email to this customer
    retire_number: bool = False  # the number dialled is not this customer's
    ends_solicitation: bool = False  # no re-solicitation after a refusal
    state_after: LifecycleState | None = None  # the lifecycle state until the next scoring run


_EFFECTS: dict[str, Effects] = {
    "do_not_call": Effects(suppress_calls=True, ends_solicitation=True),
    "unsubscribed": Effects(email_opt_out=True),
    "wrong_number": Effects(retire_number=True),
    "reactivated": Effects(state_after=LifecycleState.ACTIVE),
    "complaint": Effects(state_after=LifecycleState.CHURNED),
}
for _code in REFUSAL_OUTCOMES:
    _EFFECTS.setdefault(_code, Effects(ends_solicitation=True))

NONE = Effects()


def effects_of(outcome: str) -> Effects:
    """The stored consequences of recording `outcome` (none for most codes)."""
    return _EFFECTS.get(outcome, NONE)
