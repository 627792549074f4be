"""The calling rules' values: policy, numbers, attempts, callbacks, the verdict (see calling_rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from workbench.domain.phone import PhoneError, normalise

UNKNOWN_ZONE: Final = "Etc/Unknown"

Window = tuple[time, time]


class BlockCode(StrEnum):
    """Why a customer may not be called now (the first blocking rule)."""

    OUTSIDE_WINDOW = "outside_window"
    HOLIDAY = "holiday"
    RETRY_GAP = "retry_gap"
    DAILY_CAP = "daily_cap"
    WEEKLY_CAP = "weekly_cap"
    CAMPAIGN_CAP = "campaign_cap"
    DO_NOT_CALL = "do_not_call"
    REFUSED = "refused"
    OPTED_OUT = "opted_out"
    CONTROL_GROUP = "control_group"
    NO_VALID_NUMBER = "no_valid_number"
    CALLBACK_OTHER_OWNER = "callback_other_owner"


def _default_windows() -> dict[int, Window | None]:
    windows: dict[int, Window | None] = {day: (time(9), time(20)) for day in range(6)}
    windows[6] = None
    return windows


WEEKLY_WINDOWS: Final = ("rolling", "iso_week")
DEFAULT_CALLBACK_GRACE: Final = timedelta(minutes=30)
# The longest gap after an undecided conversation (検討中) a team may set: the stores read four weeks of attempts.
NO_DECISION_GAP_MAX_DAYS: Final = 28


def _default_gaps() -> dict[str, timedelta]:
    return {
        "no_answer": timedelta(hours=4),
        "busy": timedelta(minutes=30),
        "voicemail": timedelta(days=1),
        "no_decision": timedelta(days=7),
    }


@dataclass(frozen=True)
class CallingPolicy:
    """Calling hours, holidays, retry gaps, caps and callback timing.

    ``windows`` maps weekday (Monday 0) to a local (start, end) or None (no calls); a missing
    weekday means no calls. Caps of None are off. ``weekly_window`` is ``"rolling"`` (the last
    7 days) or ``"iso_week"`` (the local Monday–Sunday week). ``callback_handover`` (at most
    ``callback_owner_grace``) is how long after its time a callback waits for an owner who is
    not working; ``session_idle`` how long after a claim or a recorded call an operator counts
    as working.
    """

    windows: Mapping[int, Window | None] = field(default_factory=_default_windows)
    holiday_country: str | None = "JP"
    holiday_subdiv: str | None = None
    closed_dates: frozenset[date] = frozenset()
    default_zone: str = "Asia/Tokyo"
    retry_gaps: Mapping[str, timedelta] = field(default_factory=_default_gaps)
    daily_cap: int | None = 2
    weekly_cap: int | None = 5
    weekly_window: str = "rolling"
    campaign_cap: int | None = None
    callback_window: timedelta = timedelta(minutes=5)
    callback_owner_grace: timedelta = DEFAULT_CALLBACK_GRACE
    callback_handover: timedelta = timedelta(0)
    session_idle: timedelta = timedelta(minutes=30)
    horizon_days: int = 62

    def __post_init__(self) -> None:
        for day, window in self.windows.items():
            if day not in range(7):
                raise ValueError(f"weekday {day} is not 0..6")
            if window is not None and not window[0] < window[1]:
                raise ValueError(
                    f"window {window} must start before it ends (no overnight windows)"
                )
        ZoneInfo(self.default_zone)
        if any(gap < timedelta(0) for gap in self.retry_gaps.values()):
            raise ValueError("retry gaps must be >= 0")
        if self.callback_window < timedelta(0) or self.callback_owner_grace < timedelta(0):
            raise ValueError("callback window and grace must be >= 0")
        if not timedelta(0) <= self.callback_handover <= self.callback_owner_grace:
            raise ValueError("callback hand-over must be between 0 and the owner's grace")
        if self.session_idle < timedelta(0):
            raise ValueError("session idle time must be >= 0")
        if self.weekly_window not in WEEKLY_WINDOWS:
            raise ValueError(f"weekly window {self.weekly_window!r} is not one of {WEEKLY_WINDOWS}")

    @classmethod
    def every_day(cls, start: time, end: time, **kwargs: Any) -> CallingPolicy:
        """A policy with the same window on all seven days, e.g. the US TCPA's 08:00–21:00."""
        windows: dict[int, Window | None] = {day: (start, end) for day in range(7)}
        return cls(windows=windows, **kwargs)


DEFAULT_POLICY: Final = CallingPolicy()


@dataclass(frozen=True)
class PhoneNumber:
    """One number of a customer: E.164 text, phonenumbers time zones and suppression flags."""

    e164: str
    zones: tuple[str, ...] = ()
    retired: bool = False
    do_not_call: bool = False
    valid: bool = True

    @classmethod
    def parse(
        cls, raw: str, region: str = "JP", *, retired: bool = False, do_not_call: bool = False
    ) -> PhoneNumber:
        """The number as the import stores it (:func:`workbench.domain.phone.normalise`, the one
        parser); a number it rejects is kept as typed and marked invalid."""
        try:
            info = normalise(raw, region)
        except PhoneError:
            return cls(raw, (), retired, do_not_call, valid=False)
        return cls(info.e164, info.time_zones, retired, do_not_call)


@dataclass(frozen=True)
class CallAttempt:
    """A past call: when, its outcome code, and optionally the number dialled and the campaign."""

    at: datetime
    outcome: str
    number: str | None = None
    campaign_id: str | None = None


@dataclass(frozen=True)
class PendingCallback:
    """A callback promised for ``due``, owned by operator ``owner`` (None: anyone).

    What is known of the owner's session at the instant judged: ``owner_seen_at``, their latest
    claim or recorded call, and ``owner_lease_until``, the end of the latest lease they took
    (None: none). Nothing later is known, so the session is projected to end when both run out.
    """

    due: datetime
    owner: str | None = None
    owner_seen_at: datetime | None = None
    owner_lease_until: datetime | None = None


@dataclass(frozen=True)
class CustomerContact:
    """Everything the rules need about one customer.

    ``zone`` is the home zone for daily and weekly caps; by default the zone of the first
    single-zone dialable number, else the policy's default zone. ``control_group``: the
    customer is held back from every contact to measure the campaign (services.control_group).
    """

    numbers: tuple[PhoneNumber, ...]
    attempts: tuple[CallAttempt, ...] = ()
    callback: PendingCallback | None = None
    do_not_call: bool = False
    refused: bool = False
    opted_out: bool = False
    zone: str | None = None
    control_group: bool = False


@dataclass(frozen=True)
class Verdict:
    """The answer for one customer at one instant.

    ``next_eligible_at`` is ``at`` itself when callable, None when never (or beyond the search
    horizon). ``callback_due``: a pending callback's slot has begun (at ≥ due − window), overdue
    included; ``callback_overdue``: at > due + window. ``number`` is the number to dial when
    callable (the first dialable number inside its window).
    """

    callable: bool
    code: BlockCode | None
    next_eligible_at: datetime | None
    callback_due: bool = False
    callback_overdue: bool = False
    number: str | None = None
