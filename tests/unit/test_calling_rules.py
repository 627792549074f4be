"""The calling rules, one failing-when-broken test per rule and edge, plus properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.config import ConfigError, load_settings
from workbench.domain.calling_rules import (
    DEFAULT_POLICY,
    BlockCode,
    CallAttempt,
    CallingPolicy,
    CustomerContact,
    PendingCallback,
    PhoneNumber,
    Verdict,
    evaluate,
    is_closed_day,
    next_window_open,
    resolve_zones,
    session_end,
    window_check,
)
from workbench.services.calling import calling_policy

JST = ZoneInfo("Asia/Tokyo")
NY = ZoneInfo("America/New_York")
ANCHORAGE = ZoneInfo("America/Anchorage")

TOKYO = PhoneNumber.parse("03-1234-5678")  # +81 3 → Asia/Tokyo
MANHATTAN = PhoneNumber.parse("+1 212 555 0123")  # America/New_York
ALASKA = PhoneNumber.parse("+1 907 555 0100")  # America/Adak and America/Anchorage
TOLL_FREE = PhoneNumber.parse("+1 800 275 2273")  # every NANP zone, Guam to American Samoa

TCPA = CallingPolicy.every_day(time(8), time(21), holiday_country=None)
# Open around the clock (end is exclusive), to test cap boundaries at local midnight.
ALWAYS = CallingPolicy.every_day(time(0), time(23, 59, 59, 999999), holiday_country=None)


def jst(y: int, mo: int, d: int, h: int, mi: int = 0, sec: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, sec, tzinfo=JST)


def ny(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=NY)


def customer(*numbers: PhoneNumber, **kwargs: object) -> CustomerContact:
    return CustomerContact(numbers=numbers or (TOKYO,), **kwargs)  # type: ignore[arg-type]


def attempts(*items: tuple[datetime, str]) -> tuple[CallAttempt, ...]:
    return tuple(CallAttempt(at, outcome) for at, outcome in items)


def assert_blocked(v: Verdict, code: BlockCode, next_at: datetime | None) -> None:
    assert not v.callable
    assert v.code == code
    assert v.next_eligible_at == next_at


def assert_callable(v: Verdict) -> None:
    assert v.callable, v
    assert v.code is None


# --- phonenumbers facts the rules rely on -------------------------------------------------------


def test_phonenumbers_zones() -> None:
    assert TOKYO.e164 == "+81312345678" and TOKYO.zones == ("Asia/Tokyo",)
    assert MANHATTAN.zones == ("America/New_York",)
    assert ALASKA.zones == ("America/Adak", "America/Anchorage")
    assert len(TOLL_FREE.zones) > 30
    assert {"Pacific/Guam", "Pacific/Pago_Pago", "America/New_York"} <= set(TOLL_FREE.zones)
    bad = PhoneNumber.parse("not a number")
    assert not bad.valid


# --- calling window in the customer's zone ------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "ok"),
    [(8, 59, False), (9, 0, True), (19, 59, True), (20, 0, False), (20, 1, False)],
)
def test_new_york_window_default_policy(hour: int, minute: int, ok: bool) -> None:
    v = evaluate(customer(MANHATTAN), ny(2026, 6, 9, hour, minute))  # a Tuesday
    assert v.callable is ok
    if not ok:
        assert v.code == BlockCode.OUTSIDE_WINDOW


def test_new_york_next_eligible_is_exact() -> None:
    assert_blocked(
        evaluate(customer(MANHATTAN), ny(2026, 6, 9, 8, 59)),
        BlockCode.OUTSIDE_WINDOW,
        ny(2026, 6, 9, 9, 0),
    )
    assert_blocked(
        evaluate(customer(MANHATTAN), ny(2026, 6, 9, 20, 1)),
        BlockCode.OUTSIDE_WINDOW,
        ny(2026, 6, 10, 9, 0),
    )


@pytest.mark.parametrize(
    ("hour", "minute", "ok"),
    [(7, 59, False), (8, 0, True), (8, 59, True), (20, 1, True), (20, 59, True), (21, 0, False)],
)
def test_new_york_window_tcpa_policy(hour: int, minute: int, ok: bool) -> None:
    assert evaluate(customer(MANHATTAN), ny(2026, 6, 9, hour, minute), TCPA).callable is ok


def test_window_is_judged_in_the_customers_zone_not_the_callers() -> None:
    # 10:00 in Tokyo is 21:00 the previous evening in New York.
    at = jst(2026, 6, 10, 10, 0)
    assert evaluate(customer(TOKYO), at).callable
    v = evaluate(customer(MANHATTAN), at)
    assert_blocked(v, BlockCode.OUTSIDE_WINDOW, ny(2026, 6, 10, 9, 0))
    # The same instant expressed in any zone gives the same verdict.
    assert evaluate(customer(MANHATTAN), at.astimezone(UTC)) == v


def test_result_instants_are_utc_and_callable_returns_the_number() -> None:
    v = evaluate(customer(TOKYO), jst(2026, 6, 10, 10, 0))
    assert v.number == "+81312345678"
    assert v.next_eligible_at == jst(2026, 6, 10, 10, 0)
    assert v.next_eligible_at is not None and v.next_eligible_at.tzinfo is UTC


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate(customer(), datetime(2026, 6, 10, 10, 0))
    with pytest.raises(ValueError):
        window_check(datetime(2026, 6, 10, 10, 0), ["Asia/Tokyo"])


# --- DST change days in New York ----------------------------------------------------------------


def test_spring_forward_2026_03_08() -> None:
    # Clocks jump 02:00 EST → 03:00 EDT; 08:00 EDT is 12:00 UTC (it would be 13:00 UTC in EST).
    saturday_night = ny(2026, 3, 7, 21, 30)
    assert next_window_open(saturday_night, MANHATTAN.zones, TCPA) == datetime(
        2026, 3, 8, 12, 0, tzinfo=UTC
    )
    assert not window_check(datetime(2026, 3, 8, 11, 59, tzinfo=UTC), MANHATTAN.zones, TCPA)
    assert window_check(datetime(2026, 3, 8, 12, 0, tzinfo=UTC), MANHATTAN.zones, TCPA)
    # Closing: 21:00 EDT = 01:00 UTC on the 9th.
    assert window_check(datetime(2026, 3, 9, 0, 59, tzinfo=UTC), MANHATTAN.zones, TCPA)
    assert not window_check(datetime(2026, 3, 9, 1, 0, tzinfo=UTC), MANHATTAN.zones, TCPA)
    # The default policy has no Sunday window: Monday 09:00 EDT = 13:00 UTC.
    assert_blocked(
        evaluate(customer(MANHATTAN), saturday_night),
        BlockCode.OUTSIDE_WINDOW,
        datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
    )


def test_fall_back_2026_11_01() -> None:
    # Clocks fall 02:00 EDT → 01:00 EST; 08:00 EST is 13:00 UTC.
    saturday_night = ny(2026, 10, 31, 21, 30)  # 01:30 UTC on 1 November
    assert next_window_open(saturday_night, MANHATTAN.zones, TCPA) == datetime(
        2026, 11, 1, 13, 0, tzinfo=UTC
    )
    assert not window_check(datetime(2026, 11, 1, 12, 59, tzinfo=UTC), MANHATTAN.zones, TCPA)
    assert window_check(datetime(2026, 11, 1, 13, 0, tzinfo=UTC), MANHATTAN.zones, TCPA)
    # 21:00 EST = 02:00 UTC on the 2nd.
    assert window_check(datetime(2026, 11, 2, 1, 59, tzinfo=UTC), MANHATTAN.zones, TCPA)
    assert not window_check(datetime(2026, 11, 2, 2, 0, tzinfo=UTC), MANHATTAN.zones, TCPA)


# --- holidays and Sundays (Japan) -------------------------------------------------------------


def test_japanese_public_holiday_blocks() -> None:
    assert is_closed_day(date(2026, 11, 3))  # 文化の日, a Tuesday
    assert_blocked(
        evaluate(customer(TOKYO), jst(2026, 11, 3, 10, 0)),
        BlockCode.HOLIDAY,
        jst(2026, 11, 4, 9, 0),
    )
    # The day before, after closing: Tuesday is skipped entirely.
    assert_blocked(
        evaluate(customer(TOKYO), jst(2026, 11, 2, 20, 30)),
        BlockCode.OUTSIDE_WINDOW,
        jst(2026, 11, 4, 9, 0),
    )
    no_holidays = CallingPolicy(holiday_country=None)
    assert evaluate(customer(TOKYO), jst(2026, 11, 3, 10, 0), no_holidays).callable


def test_sunday_blocks_and_saturday_night_skips_to_monday() -> None:
    assert_blocked(
        evaluate(customer(TOKYO), jst(2026, 11, 1, 10, 0)),  # Sunday
        BlockCode.OUTSIDE_WINDOW,
        jst(2026, 11, 2, 9, 0),
    )
    assert_blocked(
        evaluate(customer(TOKYO), jst(2026, 10, 31, 20, 0)),  # Saturday at closing
        BlockCode.OUTSIDE_WINDOW,
        jst(2026, 11, 2, 9, 0),
    )
    assert evaluate(customer(TOKYO), jst(2026, 10, 31, 19, 59)).callable


def test_company_closed_dates() -> None:
    policy = CallingPolicy(closed_dates=frozenset({date(2026, 12, 29), date(2026, 12, 30)}))
    assert_blocked(
        evaluate(customer(TOKYO), jst(2026, 12, 29, 10, 0), policy),
        BlockCode.HOLIDAY,
        jst(2026, 12, 31, 9, 0),
    )


def test_holiday_is_judged_on_the_customers_local_date() -> None:
    # 2026-11-03 00:30 UTC is already 文化の日 in Tokyo but still 2 November in New York.
    at = datetime(2026, 11, 3, 0, 30, tzinfo=UTC)
    assert evaluate(customer(TOKYO), at).code == BlockCode.HOLIDAY
    # Same instant, same (JP) holiday calendar: Monday 19:30 in New York is an ordinary evening.
    assert evaluate(customer(MANHATTAN), at).callable


# --- several zones ------------------------------------------------------------------------------


def test_multi_zone_number_needs_every_zone_inside() -> None:
    # +1 907: Adak (UTC−9 in summer) and Anchorage (UTC−8). 09:30 Anchorage is 08:30 Adak.
    at = datetime(2026, 6, 9, 9, 30, tzinfo=ANCHORAGE)
    assert window_check(at, ["America/Anchorage"])
    assert not window_check(at, ALASKA.zones)
    assert_blocked(
        evaluate(customer(ALASKA), at),
        BlockCode.OUTSIDE_WINDOW,
        datetime(2026, 6, 9, 10, 0, tzinfo=ANCHORAGE),  # 09:00 in Adak
    )
    assert evaluate(customer(ALASKA), datetime(2026, 6, 9, 19, 59, tzinfo=ANCHORAGE)).callable
    assert not evaluate(customer(ALASKA), datetime(2026, 6, 9, 20, 0, tzinfo=ANCHORAGE)).callable


def test_toll_free_number_spans_too_many_zones_for_an_11_hour_window() -> None:
    # Guam (UTC+10) to Pago Pago (UTC−11) is 21 hours apart: no common 09:00–20:00 ever.
    at = ny(2026, 6, 9, 12, 0)
    assert not window_check(at, TOLL_FREE.zones)
    assert next_window_open(at, TOLL_FREE.zones) is None
    assert_blocked(evaluate(customer(TOLL_FREE), at), BlockCode.OUTSIDE_WINDOW, None)


def test_toll_free_number_with_a_wide_window() -> None:
    # 08:00–21:00 every day, in June: from 08:00 in Guam (UTC+10, 22:00 UTC) to 21:00 in
    # St John's (UTC−2:30, 23:30 UTC); one zone outside is enough to block.
    at = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
    assert next_window_open(at, TOLL_FREE.zones, TCPA) == datetime(2026, 6, 9, 22, 0, tzinfo=UTC)
    assert not window_check(datetime(2026, 6, 9, 21, 59, tzinfo=UTC), TOLL_FREE.zones, TCPA)
    assert window_check(datetime(2026, 6, 9, 23, 29, tzinfo=UTC), TOLL_FREE.zones, TCPA)
    assert not window_check(datetime(2026, 6, 9, 23, 30, tzinfo=UTC), TOLL_FREE.zones, TCPA)
    without_newfoundland = [z for z in TOLL_FREE.zones if z != "America/St_Johns"]
    assert window_check(datetime(2026, 6, 9, 23, 30, tzinfo=UTC), without_newfoundland, TCPA)


def test_unknown_or_empty_zone_falls_back_to_default_zone() -> None:
    unknown = PhoneNumber("+81312345678", ("Etc/Unknown",))
    blank = PhoneNumber("+81312345678", ())
    assert resolve_zones(("Etc/Unknown",)) == ("Asia/Tokyo",)
    assert resolve_zones(()) == ("Asia/Tokyo",)
    assert resolve_zones(("Not/AZone", "America/New_York")) == ("America/New_York",)
    assert evaluate(customer(unknown), jst(2026, 6, 10, 10, 0)).callable
    assert evaluate(customer(blank), jst(2026, 6, 10, 10, 0)).callable
    ny_default = CallingPolicy(default_zone="America/New_York")
    assert not evaluate(customer(blank), jst(2026, 6, 10, 10, 0), ny_default).callable


def test_customer_is_callable_when_any_number_is() -> None:
    c = customer(MANHATTAN, TOKYO)
    v = evaluate(c, jst(2026, 6, 10, 10, 0))  # Tokyo open, New York 21:00
    assert_callable(v)
    assert v.number == TOKYO.e164
    v = evaluate(c, jst(2026, 6, 10, 22, 0))  # Tokyo closed, New York 09:00 Wednesday
    assert_callable(v)
    assert v.number == MANHATTAN.e164


# --- retry gaps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "gap"),
    [
        ("no_answer", timedelta(hours=4)),
        ("busy", timedelta(minutes=30)),
        ("voicemail", timedelta(days=1)),
        ("no_decision", timedelta(days=7)),
    ],
)
def test_retry_gap_boundaries(outcome: str, gap: timedelta) -> None:
    last = jst(2026, 6, 10, 10, 0)  # Wednesday
    c = customer(attempts=attempts((last, outcome)))
    just_before = last + gap - timedelta(minutes=1)
    assert_blocked(evaluate(c, just_before), BlockCode.RETRY_GAP, last + gap)
    assert_callable(evaluate(c, last + gap))


def test_no_answer_3h59_blocked_4h00_ok() -> None:
    c = customer(attempts=attempts((jst(2026, 6, 10, 10, 0), "no_answer")))
    assert evaluate(c, jst(2026, 6, 10, 13, 59)).code == BlockCode.RETRY_GAP
    assert evaluate(c, jst(2026, 6, 10, 13, 59, 59)).code == BlockCode.RETRY_GAP
    assert evaluate(c, jst(2026, 6, 10, 14, 0)).callable


def test_gap_ending_after_closing_moves_to_next_opening() -> None:
    c = customer(attempts=attempts((jst(2026, 6, 10, 17, 0), "no_answer")))
    assert_blocked(
        evaluate(c, jst(2026, 6, 10, 18, 0)), BlockCode.RETRY_GAP, jst(2026, 6, 11, 9, 0)
    )


def test_gap_follows_the_most_recent_outcome_only() -> None:
    c = customer(
        attempts=attempts((jst(2026, 6, 9, 11, 0), "voicemail"), (jst(2026, 6, 10, 10, 0), "busy"))
    )
    assert evaluate(c, jst(2026, 6, 10, 10, 30)).callable
    no_gap = customer(attempts=attempts((jst(2026, 6, 10, 10, 0), "contact_changed")))
    assert evaluate(no_gap, jst(2026, 6, 10, 10, 1)).callable


def test_custom_gap_such_as_ofcom_abandoned_call() -> None:
    policy = CallingPolicy(retry_gaps={"abandoned": timedelta(hours=72)}, daily_cap=None)
    c = customer(attempts=attempts((jst(2026, 6, 8, 10, 0), "abandoned")))
    assert_blocked(
        evaluate(c, jst(2026, 6, 11, 9, 59), policy), BlockCode.RETRY_GAP, jst(2026, 6, 11, 10, 0)
    )


# --- caps ---------------------------------------------------------------------------------------


def test_daily_cap_then_next_day_opening() -> None:
    c = customer(
        attempts=attempts((jst(2026, 6, 10, 10, 0), "busy"), (jst(2026, 6, 10, 11, 0), "busy"))
    )
    assert_blocked(
        evaluate(c, jst(2026, 6, 10, 19, 0)), BlockCode.DAILY_CAP, jst(2026, 6, 11, 9, 0)
    )
    assert evaluate(c, jst(2026, 6, 11, 9, 0)).callable
    one = customer(attempts=attempts((jst(2026, 6, 10, 10, 0), "busy")))
    assert evaluate(one, jst(2026, 6, 10, 19, 0)).callable


def test_daily_cap_resets_at_local_midnight() -> None:
    c = customer(
        attempts=attempts((jst(2026, 6, 10, 10, 0), "busy"), (jst(2026, 6, 10, 11, 0), "busy"))
    )
    last_instant = datetime(2026, 6, 10, 23, 59, 59, 999998, tzinfo=JST)
    assert_blocked(evaluate(c, last_instant, ALWAYS), BlockCode.DAILY_CAP, jst(2026, 6, 11, 0, 0))
    assert evaluate(c, jst(2026, 6, 11, 0, 0), ALWAYS).callable


def test_daily_cap_uses_the_customers_calendar_day_not_utc() -> None:
    # Monday 10:00 EDT and 20:10 EDT; the second is already Tuesday 00:10 in UTC.
    c = customer(
        MANHATTAN,
        attempts=attempts((ny(2026, 6, 8, 10, 0), "busy"), (ny(2026, 6, 8, 20, 10), "busy")),
    )
    # Monday 20:45 EDT (Tuesday 00:45 UTC): two calls on the customer's Monday.
    assert_blocked(
        evaluate(c, ny(2026, 6, 8, 20, 45), TCPA), BlockCode.DAILY_CAP, ny(2026, 6, 9, 8, 0)
    )


ISO_WEEK = CallingPolicy(weekly_window="iso_week")
ALWAYS_ISO = CallingPolicy.every_day(
    time(0), time(23, 59, 59, 999999), holiday_country=None, weekly_window="iso_week"
)


def test_weekly_cap_and_iso_week_boundary() -> None:
    week = attempts(
        (jst(2026, 6, 8, 10, 0), "busy"),  # Monday
        (jst(2026, 6, 8, 11, 0), "busy"),
        (jst(2026, 6, 9, 10, 0), "busy"),  # Tuesday
        (jst(2026, 6, 9, 11, 0), "busy"),
        (jst(2026, 6, 10, 10, 0), "busy"),  # Wednesday: the fifth call
    )
    c = customer(attempts=week)
    # Thursday: the week is spent; the ISO week opens again Monday 09:00.
    assert_blocked(
        evaluate(c, jst(2026, 6, 11, 10, 0), ISO_WEEK), BlockCode.WEEKLY_CAP, jst(2026, 6, 15, 9, 0)
    )
    sunday_end = datetime(2026, 6, 14, 23, 59, 59, 999998, tzinfo=JST)
    assert_blocked(
        evaluate(c, sunday_end, ALWAYS_ISO), BlockCode.WEEKLY_CAP, jst(2026, 6, 15, 0, 0)
    )
    assert evaluate(c, jst(2026, 6, 15, 0, 0), ALWAYS_ISO).callable
    # Rolling (the default): the five calls lie within 7 days until the Monday 10:00 call
    # leaves them, on the next Monday at 10:00 (four remain).
    assert_blocked(
        evaluate(c, jst(2026, 6, 15, 9, 0)), BlockCode.WEEKLY_CAP, jst(2026, 6, 15, 10, 0)
    )


def test_daily_cap_is_reported_before_weekly_and_next_eligible_satisfies_both() -> None:
    week = attempts(
        (jst(2026, 6, 8, 10, 0), "busy"),
        (jst(2026, 6, 9, 10, 0), "busy"),
        (jst(2026, 6, 10, 10, 0), "busy"),
        (jst(2026, 6, 11, 10, 0), "busy"),
        (jst(2026, 6, 11, 11, 0), "busy"),  # Thursday: second today, fifth in 7 days
    )
    # Friday 09:00 the day is new but five calls lie within 7 days until Monday 10:00.
    assert_blocked(
        evaluate(customer(attempts=week), jst(2026, 6, 11, 12, 0)),
        BlockCode.DAILY_CAP,
        jst(2026, 6, 15, 10, 0),
    )
    assert_blocked(
        evaluate(customer(attempts=week), jst(2026, 6, 11, 12, 0), ISO_WEEK),
        BlockCode.DAILY_CAP,
        jst(2026, 6, 15, 9, 0),
    )


NO_DAILY = CallingPolicy(daily_cap=None)
NO_DAILY_ALWAYS = CallingPolicy.every_day(
    time(0), time(23, 59, 59, 999999), holiday_country=None, daily_cap=None
)


def test_rolling_week_counts_across_a_monday() -> None:
    # Thursday to Saturday of one ISO week: five calls (two a day at most).
    late_week = attempts(
        (jst(2026, 6, 11, 10, 0), "busy"),
        (jst(2026, 6, 11, 15, 0), "busy"),
        (jst(2026, 6, 12, 10, 0), "busy"),
        (jst(2026, 6, 12, 15, 0), "busy"),
        (jst(2026, 6, 13, 10, 0), "busy"),
    )
    c = customer(attempts=late_week)
    monday = jst(2026, 6, 15, 10, 0)
    assert evaluate(c, monday, ISO_WEEK).callable  # a new ISO week: five more allowed
    # Rolling: blocked until the Thursday 10:00 call is 7 days old.
    assert_blocked(evaluate(c, monday), BlockCode.WEEKLY_CAP, jst(2026, 6, 18, 10, 0))
    assert not evaluate(c, jst(2026, 6, 18, 9, 59, 59)).callable
    assert evaluate(c, jst(2026, 6, 18, 10, 0)).callable


def test_rolling_week_releases_exactly_seven_days_later() -> None:
    five = attempts(*((jst(2026, 6, d, 12, 0), "busy") for d in (3, 4, 5, 6, 8)))
    c = customer(attempts=five)
    just_before = datetime(2026, 6, 10, 11, 59, 59, 999999, tzinfo=JST)
    assert_blocked(
        evaluate(c, just_before, NO_DAILY_ALWAYS), BlockCode.WEEKLY_CAP, jst(2026, 6, 10, 12, 0)
    )
    # At exactly 7 days the 3 June call no longer counts (at > now − 7 days).
    assert evaluate(c, jst(2026, 6, 10, 12, 0), NO_DAILY_ALWAYS).callable
    # Four in the window is under the cap: a sixth call any time the 3 June one has left.
    four = customer(attempts=five[1:])
    assert evaluate(four, jst(2026, 6, 8, 12, 30), NO_DAILY_ALWAYS).callable


def test_rolling_week_release_waits_for_the_calling_window() -> None:
    # Monday 13 July 19:00 + 7 days is Marine Day (海の日, 20 July 2026): next opening Tuesday.
    five = attempts(
        (jst(2026, 7, 13, 19, 0), "busy"),
        (jst(2026, 7, 14, 10, 0), "busy"),
        (jst(2026, 7, 15, 10, 0), "busy"),
        (jst(2026, 7, 16, 10, 0), "busy"),
        (jst(2026, 7, 17, 10, 0), "busy"),
    )
    assert_blocked(
        evaluate(customer(attempts=five), jst(2026, 7, 18, 10, 0)),
        BlockCode.WEEKLY_CAP,
        jst(2026, 7, 21, 9, 0),
    )


def test_rolling_week_is_elapsed_time_in_a_us_zone_across_dst() -> None:
    # New York springs forward on Sunday 8 March 2026: 7 days after Monday 10:00 EST is
    # Monday 11:00 EDT (168 hours), not 10:00.
    five = attempts(*((ny(2026, 3, d, 10, 0), "busy") for d in (2, 3, 4, 5, 6)))
    c = customer(MANHATTAN, attempts=five)
    assert_blocked(
        evaluate(c, ny(2026, 3, 9, 10, 30), TCPA), BlockCode.WEEKLY_CAP, ny(2026, 3, 9, 11, 0)
    )
    assert evaluate(c, ny(2026, 3, 9, 11, 0), TCPA).callable
    # A Monday 20:30 EST call leaves on Monday 9 March at 21:30 EDT, after the TCPA window:
    # Tuesday 08:00.
    evening = attempts((ny(2026, 3, 2, 20, 30), "busy")) + five[1:]
    c = customer(MANHATTAN, attempts=evening)
    assert_blocked(
        evaluate(c, ny(2026, 3, 7, 10, 0), TCPA), BlockCode.WEEKLY_CAP, ny(2026, 3, 10, 8, 0)
    )


def test_rolling_week_with_the_daily_cap_and_a_retry_gap() -> None:
    calls = attempts(
        (jst(2026, 6, 10, 10, 0), "busy"),  # Wednesday: two
        (jst(2026, 6, 10, 11, 0), "busy"),
        (jst(2026, 6, 11, 10, 0), "busy"),  # Thursday: two
        (jst(2026, 6, 11, 11, 0), "busy"),
        (jst(2026, 6, 12, 10, 0), "busy"),  # Friday: one today, fifth in 7 days
    )
    c = customer(attempts=calls)
    assert_blocked(
        evaluate(c, jst(2026, 6, 12, 12, 0)), BlockCode.WEEKLY_CAP, jst(2026, 6, 17, 10, 0)
    )
    # The call made then is busy: 30 minutes' gap, and the Wednesday 11:00 call leaves at 11:00.
    again = customer(attempts=calls + attempts((jst(2026, 6, 17, 10, 0), "busy")))
    assert_blocked(
        evaluate(again, jst(2026, 6, 17, 10, 0)), BlockCode.RETRY_GAP, jst(2026, 6, 17, 11, 0)
    )
    assert evaluate(again, jst(2026, 6, 17, 10, 30)).code == BlockCode.WEEKLY_CAP
    # Two more on Wednesday 17th reach the daily cap first: Thursday, when 4 remain in 7 days.
    full_day = customer(
        attempts=calls
        + attempts((jst(2026, 6, 17, 10, 0), "busy"), (jst(2026, 6, 17, 11, 0), "busy"))
    )
    assert_blocked(
        evaluate(full_day, jst(2026, 6, 17, 12, 0)), BlockCode.DAILY_CAP, jst(2026, 6, 18, 10, 0)
    )


def _greedy_calls(policy: CallingPolicy, start: datetime, days: int) -> list[datetime]:
    """Call whenever the rules allow (every call busy), for ``days`` days."""
    made: list[CallAttempt] = []
    t, end = start, start + timedelta(days=days)
    while t < end:
        v = evaluate(customer(attempts=tuple(made)), t, policy)
        if v.callable:
            made.append(CallAttempt(t, "busy"))
            continue
        assert v.next_eligible_at is not None
        t = v.next_eligible_at
    return [a.at for a in made]


def test_no_more_than_five_calls_in_any_seven_days_only_with_the_rolling_window() -> None:
    def most_in_seven_days(calls: list[datetime]) -> int:
        return max(sum(1 for b in calls if a <= b < a + timedelta(days=7)) for a in calls)

    start = jst(2026, 6, 11, 9, 0)  # a Thursday
    assert most_in_seven_days(_greedy_calls(ISO_WEEK, start, 21)) == 10
    assert most_in_seven_days(_greedy_calls(DEFAULT_POLICY, start, 21)) == 5


def test_campaign_cap() -> None:
    policy = CallingPolicy(campaign_cap=3, daily_cap=None, weekly_cap=None)
    tries = tuple(
        CallAttempt(jst(2026, 6, d, 10, 0), "busy", campaign_id="spring") for d in (1, 2, 3)
    )
    c = customer(attempts=tries)
    at = jst(2026, 6, 10, 10, 0)
    assert_blocked(evaluate(c, at, policy, campaign_id="spring"), BlockCode.CAMPAIGN_CAP, None)
    assert evaluate(c, at, policy, campaign_id="autumn").callable
    assert evaluate(c, at, policy).callable


# --- permanent blocks ---------------------------------------------------------------------------


OPEN = jst(2026, 6, 10, 10, 0)  # a Wednesday morning in Tokyo


def test_do_not_call_customer_and_outcome() -> None:
    assert_blocked(evaluate(customer(do_not_call=True), OPEN), BlockCode.DO_NOT_CALL, None)
    c = customer(attempts=attempts((jst(2025, 1, 10, 10, 0), "do_not_call")))
    assert_blocked(evaluate(c, OPEN), BlockCode.DO_NOT_CALL, None)


def test_refusal_blocks_forever() -> None:
    c = customer(attempts=attempts((jst(2020, 1, 10, 10, 0), "not_interested")))
    assert_blocked(evaluate(c, OPEN), BlockCode.REFUSED, None)
    assert_blocked(evaluate(customer(refused=True), OPEN), BlockCode.REFUSED, None)


def test_opted_out() -> None:
    assert_blocked(evaluate(customer(opted_out=True), OPEN), BlockCode.OPTED_OUT, None)


def test_do_not_call_is_reported_even_outside_the_window() -> None:
    assert_blocked(
        evaluate(customer(do_not_call=True), jst(2026, 6, 10, 23, 0)), BlockCode.DO_NOT_CALL, None
    )


def test_number_level_do_not_call() -> None:
    flagged = PhoneNumber("+81312345678", ("Asia/Tokyo",), do_not_call=True)
    assert_blocked(evaluate(customer(flagged), OPEN), BlockCode.DO_NOT_CALL, None)
    other = PhoneNumber("+819012345678", ("Asia/Tokyo",))
    v = evaluate(customer(flagged, other), OPEN)
    assert_callable(v)
    assert v.number == "+819012345678"


def test_no_valid_number() -> None:
    assert_blocked(evaluate(CustomerContact(numbers=()), OPEN), BlockCode.NO_VALID_NUMBER, None)
    invalid = PhoneNumber.parse("12")
    assert_blocked(evaluate(customer(invalid), OPEN), BlockCode.NO_VALID_NUMBER, None)
    not_e164 = PhoneNumber("0312345678", ("Asia/Tokyo",))
    assert_blocked(evaluate(customer(not_e164), OPEN), BlockCode.NO_VALID_NUMBER, None)
    retired = PhoneNumber("+81312345678", ("Asia/Tokyo",), retired=True)
    assert_blocked(evaluate(customer(retired), OPEN), BlockCode.NO_VALID_NUMBER, None)


def test_wrong_number_outcome_retires_that_number() -> None:
    mobile = PhoneNumber("+819012345678", ("Asia/Tokyo",))
    wrong = CallAttempt(jst(2026, 6, 9, 10, 0), "wrong_number", number=TOKYO.e164)
    v = evaluate(customer(TOKYO, mobile, attempts=(wrong,)), OPEN)
    assert_callable(v)
    assert v.number == mobile.e164
    # Single number, attempt without a number: attributed to it.
    single = customer(attempts=attempts((jst(2026, 6, 9, 10, 0), "wrong_number")))
    assert_blocked(evaluate(single, OPEN), BlockCode.NO_VALID_NUMBER, None)
    # Only the *last* outcome on the number counts.
    later = CallAttempt(jst(2026, 6, 9, 12, 0), "contact_changed", number=TOKYO.e164)
    assert evaluate(customer(TOKYO, attempts=(wrong, later)), OPEN).callable


# --- callbacks ----------------------------------------------------------------------------------

DUE = jst(2026, 6, 10, 18, 0)


def with_callback(owner: str | None = "aoki", **kwargs: object) -> CustomerContact:
    return customer(callback=PendingCallback(DUE, owner), **kwargs)


def test_callback_window_opens_five_minutes_early() -> None:
    c = with_callback()
    assert_blocked(
        evaluate(c, jst(2026, 6, 10, 17, 54, 59), operator="aoki"),
        BlockCode.RETRY_GAP,
        jst(2026, 6, 10, 17, 55),
    )
    v = evaluate(c, jst(2026, 6, 10, 17, 55), operator="aoki")
    assert_callable(v)
    assert v.callback_due and not v.callback_overdue


def test_callback_due_and_overdue_flags() -> None:
    c = with_callback()
    assert not evaluate(c, jst(2026, 6, 10, 17, 54), operator="aoki").callback_due
    on_time = evaluate(c, jst(2026, 6, 10, 18, 5), operator="aoki")
    assert on_time.callback_due and not on_time.callback_overdue
    late = evaluate(c, jst(2026, 6, 10, 18, 5, 1), operator="aoki")
    assert late.callback_due and late.callback_overdue


def test_callback_owner_grace_thirty_minutes_while_the_owner_works() -> None:
    # aoki holds a lease until 18:40: working through the whole grace.
    c = customer(callback=PendingCallback(DUE, "aoki", owner_lease_until=jst(2026, 6, 10, 18, 40)))
    assert_blocked(
        evaluate(c, jst(2026, 6, 10, 17, 55), operator="sato"),
        BlockCode.CALLBACK_OTHER_OWNER,
        jst(2026, 6, 10, 18, 30),
    )
    assert evaluate(c, jst(2026, 6, 10, 18, 29, 59), operator="sato").code == (
        BlockCode.CALLBACK_OTHER_OWNER
    )
    assert evaluate(c, jst(2026, 6, 10, 18, 30), operator="sato").callable
    assert evaluate(c, jst(2026, 6, 10, 17, 55), operator="aoki").callable
    # No operator is the team's view: every due callback, whoever owns it.
    assert evaluate(c, jst(2026, 6, 10, 17, 55)).callable
    assert not evaluate(c, jst(2026, 6, 10, 17, 54)).callable  # but not before its slot
    # An unowned callback is anyone's from the window on.
    assert evaluate(with_callback(owner=None), jst(2026, 6, 10, 17, 55), operator="sato").callable


def test_callback_of_an_absent_owner_is_the_teams_at_its_time() -> None:
    c = with_callback()  # nothing known of aoki: no open session
    assert_blocked(
        evaluate(c, jst(2026, 6, 10, 17, 55), operator="sato"),
        BlockCode.CALLBACK_OTHER_OWNER,
        DUE,
    )
    assert evaluate(c, DUE, operator="sato").callable
    # aoki's last call at 17:00 closed the session at 17:30 (30 idle minutes).
    gone = customer(callback=PendingCallback(DUE, "aoki", owner_seen_at=jst(2026, 6, 10, 17, 0)))
    assert evaluate(gone, DUE, operator="sato").callable
    delayed = CallingPolicy(callback_handover=timedelta(minutes=10))
    assert_blocked(
        evaluate(c, DUE, delayed, operator="sato"),
        BlockCode.CALLBACK_OTHER_OWNER,
        jst(2026, 6, 10, 18, 10),
    )
    assert evaluate(c, jst(2026, 6, 10, 18, 10), delayed, operator="sato").callable


def test_callback_passes_to_the_team_when_the_owners_session_ends() -> None:
    # aoki last claimed at 17:50: working until 18:20, then the callback is the team's.
    c = customer(callback=PendingCallback(DUE, "aoki", owner_seen_at=jst(2026, 6, 10, 17, 50)))
    assert_blocked(
        evaluate(c, DUE, operator="sato"), BlockCode.CALLBACK_OTHER_OWNER, jst(2026, 6, 10, 18, 20)
    )
    assert evaluate(c, jst(2026, 6, 10, 18, 20), operator="sato").callable
    # With a 10-minute hand-over and a session ending at 18:05, the hand-over decides: 18:10.
    early = customer(callback=PendingCallback(DUE, "aoki", owner_seen_at=jst(2026, 6, 10, 17, 35)))
    delayed = CallingPolicy(callback_handover=timedelta(minutes=10))
    assert_blocked(
        evaluate(early, DUE, delayed, operator="sato"),
        BlockCode.CALLBACK_OTHER_OWNER,
        jst(2026, 6, 10, 18, 10),
    )
    # A lease beyond the idle time keeps the session open; the grace still ends it at 18:30.
    leased = customer(
        callback=PendingCallback(
            DUE,
            "aoki",
            owner_seen_at=jst(2026, 6, 10, 17, 0),
            owner_lease_until=jst(2026, 6, 10, 18, 25),
        )
    )
    assert_blocked(
        evaluate(leased, DUE, operator="sato"),
        BlockCode.CALLBACK_OTHER_OWNER,
        jst(2026, 6, 10, 18, 25),
    )
    busy = customer(callback=PendingCallback(DUE, "aoki", owner_seen_at=jst(2026, 6, 10, 18, 15)))
    assert_blocked(
        evaluate(busy, jst(2026, 6, 10, 18, 15), operator="sato"),
        BlockCode.CALLBACK_OTHER_OWNER,
        jst(2026, 6, 10, 18, 30),
    )


def test_session_end_of_the_owner() -> None:
    idle = CallingPolicy(session_idle=timedelta(minutes=20))
    seen = PendingCallback(DUE, "aoki", owner_seen_at=jst(2026, 6, 10, 17, 0))
    assert session_end(seen, DEFAULT_POLICY) == jst(2026, 6, 10, 17, 30)
    assert session_end(seen, idle) == jst(2026, 6, 10, 17, 20)
    both = PendingCallback(DUE, "aoki", jst(2026, 6, 10, 17, 0), jst(2026, 6, 10, 17, 45))
    assert session_end(both, DEFAULT_POLICY) == jst(2026, 6, 10, 17, 45)
    assert session_end(PendingCallback(DUE, "aoki"), DEFAULT_POLICY) is None


def test_policy_rejects_a_hand_over_beyond_the_grace_and_unknown_week_windows() -> None:
    with pytest.raises(ValueError, match="hand-over"):
        CallingPolicy(callback_handover=timedelta(minutes=31))
    with pytest.raises(ValueError, match="weekly window"):
        CallingPolicy(weekly_window="calendar")


def test_callback_is_exempt_from_caps_and_gaps_once() -> None:
    earlier = attempts((jst(2026, 6, 10, 10, 0), "busy"), (jst(2026, 6, 10, 17, 0), "no_answer"))
    c = with_callback(attempts=earlier)
    # Capped for the day and inside a 4 h gap, yet the promised 18:00 call may go ahead.
    assert evaluate(c, jst(2026, 6, 10, 18, 0), operator="aoki").callable
    # Before the slot the cap and the gap still report.
    assert evaluate(c, jst(2026, 6, 10, 17, 30), operator="aoki").code == BlockCode.RETRY_GAP
    # Once the callback has been attempted, the ordinary rules apply again.
    tried = with_callback(attempts=earlier + attempts((jst(2026, 6, 10, 18, 0), "no_answer")))
    v = evaluate(tried, jst(2026, 6, 10, 18, 40), operator="aoki")
    assert_blocked(v, BlockCode.RETRY_GAP, jst(2026, 6, 11, 9, 0))
    assert v.callback_overdue


def test_callback_does_not_override_window_or_refusal() -> None:
    late = customer(callback=PendingCallback(jst(2026, 6, 10, 21, 0), "aoki"))
    assert_blocked(
        evaluate(late, jst(2026, 6, 10, 21, 0), operator="aoki"),
        BlockCode.OUTSIDE_WINDOW,
        jst(2026, 6, 11, 9, 0),
    )
    refused = with_callback(refused=True)
    assert evaluate(refused, DUE, operator="aoki").code == BlockCode.REFUSED


# --- properties ---------------------------------------------------------------------------------

ZONES = [
    "Asia/Tokyo",
    "America/New_York",
    "America/Los_Angeles",
    "America/Adak",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
]
POLICIES = [
    DEFAULT_POLICY,
    TCPA,
    CallingPolicy(windows={0: (time(9), time(12)), 4: (time(13), time(14))}),
    CallingPolicy(weekly_window="iso_week", callback_handover=timedelta(minutes=10)),
]

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
zone_sets = st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True)


def _inside_by_wall_clock(at: datetime, zone: str, policy: CallingPolicy) -> bool:
    local = at.astimezone(ZoneInfo(zone))
    window = policy.windows.get(local.weekday())
    if window is None or is_closed_day(local.date(), policy):
        return False
    return window[0] <= local.time().replace(tzinfo=None) < window[1]


@settings(max_examples=300, deadline=None)
@given(at=instants, zones=zone_sets, policy=st.sampled_from(POLICIES))
def test_window_check_means_inside_every_zone(
    at: datetime, zones: list[str], policy: CallingPolicy
) -> None:
    inside = window_check(at, zones, policy)
    assert inside == all(_inside_by_wall_clock(at, z, policy) for z in zones)


@settings(max_examples=300, deadline=None)
@given(at=instants, zones=zone_sets, policy=st.sampled_from(POLICIES))
def test_next_window_open_is_the_first_open_instant(
    at: datetime, zones: list[str], policy: CallingPolicy
) -> None:
    nxt = next_window_open(at, zones, policy)
    if nxt is None:
        return
    assert nxt >= at
    assert window_check(nxt, zones, policy)
    if nxt > at:
        assert not window_check(at, zones, policy)
        assert not window_check(nxt - timedelta(microseconds=1), zones, policy)


OUTCOMES = [
    "no_answer",
    "busy",
    "voicemail",
    "callback",
    "contact_changed",
    "wrong_number",
    "no_decision",
]


@st.composite
def customers_at(draw: st.DrawFn) -> tuple[CustomerContact, datetime, str | None]:
    at = draw(instants)
    zone = draw(st.sampled_from(ZONES))
    numbers = (PhoneNumber("+81312345678", (zone,)),)
    past = draw(
        st.lists(
            st.tuples(st.integers(min_value=1, max_value=60 * 24 * 10), st.sampled_from(OUTCOMES)),
            max_size=8,
        )
    )
    tries = tuple(CallAttempt(at - timedelta(minutes=m), o) for m, o in past)
    callback = None
    if draw(st.booleans()):
        due = at + timedelta(minutes=draw(st.integers(min_value=-600, max_value=3000)))
        seen, lease = (
            draw(
                st.none()
                | st.integers(min_value=0, max_value=90).map(lambda m: at - timedelta(minutes=m))
            )
            for _ in range(2)
        )
        if lease is not None:
            lease += timedelta(minutes=draw(st.integers(min_value=1, max_value=60)))
        callback = PendingCallback(due, draw(st.sampled_from([None, "aoki", "sato"])), seen, lease)
    operator = draw(st.sampled_from([None, "aoki", "sato"]))
    return CustomerContact(numbers, tries, callback), at, operator


@settings(max_examples=300, deadline=None)
@given(case=customers_at(), policy=st.sampled_from(POLICIES))
def test_next_eligible_at_is_exact(
    case: tuple[CustomerContact, datetime, str | None], policy: CallingPolicy
) -> None:
    c, at, operator = case
    v = evaluate(c, at, policy, operator=operator)
    if v.callable:
        assert v.next_eligible_at == at
        assert v.number is not None
        assert window_check(at, c.numbers[0].zones, policy)
        return
    if v.next_eligible_at is None:
        return
    nxt = v.next_eligible_at
    assert nxt > at
    assert evaluate(c, nxt, policy, operator=operator).callable
    assert not evaluate(c, nxt - timedelta(microseconds=1), policy, operator=operator).callable


# --- configuration keys -------------------------------------------------------------------------


def test_calling_keys_reach_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    path.write_text(
        '[calling]\nmax_per_week_window = "iso_week"\nsession_idle_minutes = 20\n'
        "callback_handover_minutes = 10\n",
        encoding="utf-8",
    )
    policy = calling_policy(load_settings(path=path, env={}))
    assert policy.weekly_window == "iso_week"
    assert policy.session_idle == timedelta(minutes=20)
    assert policy.callback_handover == timedelta(minutes=10)
    default = calling_policy(load_settings(path=None, env={}))
    assert (default.weekly_window, default.session_idle, default.callback_handover) == (
        "rolling", timedelta(minutes=30), timedelta(0),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("env", "key", "message"),
    [
        (
            {"WORKBENCH_CALLING_MAX_PER_WEEK_WINDOW": "calendar"},
            "CALLING_MAX_PER_WEEK_WINDOW",
            "rolling / iso_week のいずれか",
        ),
        (
            {"WORKBENCH_CALLING_CALLBACK_HANDOVER_MINUTES": "45"},
            "CALLBACK_HANDOVER_MINUTES",
            "30 以下にしてください",
        ),
        (
            {"WORKBENCH_CALLING_CALLBACK_HANDOVER_MINUTES": "-1"},
            "CALLBACK_HANDOVER_MINUTES",
            "0 以上の値にしてください",
        ),
        (
            {"WORKBENCH_CALLING_SESSION_IDLE_MINUTES": "2000"},
            "SESSION_IDLE_MINUTES",
            "1440（1 日）以下",
        ),
    ],
)
def test_wrong_calling_values_name_the_key(env: dict[str, str], key: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(path=None, env=env)
    assert key in str(caught.value)


def test_a_wrong_week_window_in_the_file_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    path.write_text('[calling]\nmax_per_week_window = "week"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    assert str(path) in str(caught.value) and "calling.max_per_week_window" in str(caught.value)
