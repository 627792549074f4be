"""The disposition form's input rules: parse what the operator typed, say what is wrong.

Checks here are for inline feedback only; `services.dispose` validates again and is the
authority (its `DispositionError` is shown on the field it names).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workbench.domain.calling_calendar import next_window_open
from workbench.domain.calling_rules import CallingPolicy, window_check
from workbench.tui.i18n import Catalogue

_RELATIVE = re.compile(r"^\+(\d+)\s*(m|min|h|d)$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})$")
_FULL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")
_TOMORROW = ("明日", "あした", "tomorrow")
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


@dataclass
class Draft:
    """What the operator has entered so far; kept by the call screen across openings and outages."""

    outcome: str | None = None
    reason: str | None = None
    callback: str = ""
    amount: str = ""
    note: str = ""


@dataclass(frozen=True)
class Checked:
    errors: dict[str, str] = field(default_factory=dict)  # field id → message
    warnings: list[str] = field(default_factory=list)
    callback_at: datetime | None = None
    amount: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_callback(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """'18:00', '明日 18:00', '11-26 18:00', '2026-11-26 18:00', '+2h', '+30m', '+1d' → aware datetime."""
    value = unicodedata.normalize("NFKC", text).strip().lower().replace("/", "-")
    if match := _RELATIVE.match(value):
        return now + timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    local = now.astimezone(zone)
    day = local.date()
    for word in _TOMORROW:
        if value.startswith(word):
            value, day = value[len(word) :].strip(), day + timedelta(days=1)
            break
    try:
        if match := _CLOCK.match(value):
            return datetime(
                day.year, day.month, day.day, int(match.group(1)), int(match.group(2)), tzinfo=zone
            )
        if match := _MONTH_DAY.match(value):
            month, mday, hour, minute = (int(g) for g in match.groups())
            return datetime(day.year, month, mday, hour, minute, tzinfo=zone)
        if match := _FULL.match(value):
            year, month, mday, hour, minute = (int(g) for g in match.groups())
            return datetime(year, month, mday, hour, minute, tzinfo=zone)
    except ValueError:
        pass
    raise ValueError(text)


def parse_amount(text: str) -> int:
    value = (
        unicodedata.normalize("NFKC", text)
        .strip()
        .replace(",", "")
        .removeprefix("¥")
        .removesuffix("円")
    )
    if not value.isdigit():
        raise ValueError(text)
    return int(value)


def check(draft: Draft, now: datetime, zone: ZoneInfo, zones: Sequence[str], policy: CallingPolicy,
          tr: Catalogue) -> Checked:  # fmt: skip
    """Errors keyed by field ('outcome', 'callback', 'amount') and warnings, from the draft alone."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    callback_at: datetime | None = None
    amount: int | None = None
    if draft.outcome is None:
        errors["outcome"] = tr("err.outcome")
    if draft.callback.strip():
        try:
            callback_at = parse_callback(draft.callback, now, zone)
        except ValueError:
            errors["callback"] = tr("err.callback_format")
        else:
            if draft.outcome not in (None, "callback"):
                errors["callback"] = tr("err.callback_only")
            elif callback_at <= now:
                errors["callback"] = tr("err.callback_past")
            elif not window_check(callback_at, zones, policy):
                # A callback at a time we may not call is a promise we cannot keep: offer the next one.
                local = callback_at.astimezone(zone)
                opens = next_window_open(callback_at, zones, policy)
                errors["callback"] = (
                    tr(
                        "err.callback_window",
                        at=f"{local:%m/%d %H:%M}",
                        next=f"{opens.astimezone(zone):%m/%d %H:%M}",
                    )
                    if opens is not None
                    else tr("err.callback_window_none", at=f"{local:%m/%d %H:%M}")
                )
    elif draft.outcome == "callback":
        errors["callback"] = tr("err.callback_needed")
    if draft.amount.strip():
        try:
            amount = parse_amount(draft.amount)
        except ValueError:
            errors["amount"] = tr("err.amount_format")
        else:
            if draft.outcome not in (None, "reactivated"):
                errors["amount"] = tr("err.amount_only")
    return Checked(errors, warnings, callback_at, amount)
