"""A disposition: what a call's outcome records, the checks of its codes, and its result.

The records at the bottom of the dispose modules: `services/dispose.py` applies them,
`services/dispose_file.py` reads batches of them, the operator form builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from workbench.domain import codes
from workbench.messages import say


class DispositionError(ValueError):
    """A disposition that cannot be applied; `field` names the offending input.

    `code` is the catalogue key (`workbench.messages`) and `values` fill it in: the machine
    part, stable across languages.  The message is `<field>: <text in the interface language>`.
    """

    def __init__(self, field: str, code: str, /, **values: object) -> None:
        super().__init__(f"{field}: {say(code, **values)}")
        self.field = field
        self.code = code
        self.values = values

    @property
    def text(self) -> str:
        """The message without the field in front."""
        return str(self).removeprefix(f"{self.field}: ")


@dataclass(frozen=True)
class Disposition:
    customer_id: str
    outcome: str
    at: datetime
    operator: str | None = None
    script: str | None = None
    script_version: str | None = None
    reason: str | None = None
    amount: int | None = None
    callback_at: datetime | None = None
    note: str | None = None
    channel: str = "call"
    direction: str = "outbound"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    source: str = "cli"


@dataclass(frozen=True)
class DispositionResult:
    attempt_id: int
    customer_id: str
    outcome: str
    warnings: list[str] = field(default_factory=list)
    script_id: str | None = None
    script_version: str | None = None
    callback_at: datetime | None = None  # the time promised, for a callback


def validate_codes(d: Disposition) -> None:
    """Refuses codes, times and amounts a disposition cannot carry (`field` names which)."""
    if d.at.tzinfo is None:
        raise DispositionError("at", "dispose.needs_zone")
    if d.direction == codes.Direction.INBOUND:
        allowed: tuple[str, ...] = codes.INBOUND_OUTCOMES
    elif d.channel == codes.Channel.EMAIL:
        allowed = codes.EMAIL_EVENTS
    else:
        allowed = codes.CALL_OUTCOMES
    if d.outcome not in allowed:
        raise DispositionError(
            "outcome", "dispose.bad_outcome", outcome=repr(d.outcome), allowed=", ".join(allowed)
        )
    if d.reason is not None and d.reason not in codes.REASON_SET:
        raise DispositionError(
            "reason",
            "dispose.unknown_reason",
            reason=repr(d.reason),
            known=", ".join(codes.REASONS),
        )
    if d.amount is not None:
        if d.outcome != "reactivated":
            raise DispositionError("amount", "dispose.amount_outcome")
        if d.amount < 0:
            raise DispositionError("amount", "dispose.amount_negative")
    if d.outcome == "callback":
        if d.callback_at is None:
            raise DispositionError("callback_at", "dispose.callback_needed")
        if d.callback_at.tzinfo is None:
            raise DispositionError("callback_at", "dispose.needs_zone")
        if d.callback_at <= d.at:
            raise DispositionError("callback_at", "dispose.callback_before_call")
    elif d.callback_at is not None:
        raise DispositionError("callback_at", "dispose.callback_only")
