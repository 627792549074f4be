"""The simulator's independent audit finds each kind of calling-rule violation in hand-made logs."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from sim.audit import Dial, audit, zones_for  # noqa: E402

TOKYO = ZoneInfo("Asia/Tokyo")
ZONES = {"C1": ("Asia/Tokyo",)}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO)


def check(*dials: Dial, history: tuple[Dial, ...] = (), dnc: set[str] | None = None):  # type: ignore[no-untyped-def]
    return audit(list(dials), list(history), ZONES, dnc or set())


def test_a_clean_log_has_no_violations() -> None:
    report = check(
        Dial("C1", at(2, 10), "no_answer"),
        Dial("C1", at(2, 14, 5), "no_answer"),
        Dial("C1", at(4, 10), "callback", at(5, 11)),
    )
    assert report.checked == 3
    assert report.total == 0


def test_a_call_at_2030_local_is_outside_the_window() -> None:
    assert check(Dial("C1", at(2, 20, 30), "no_answer")).violations == {"outside_window": 1}


def test_window_edges_are_half_open() -> None:
    assert check(Dial("C1", at(2, 9, 0), "no_answer")).total == 0
    assert check(Dial("C1", at(2, 20, 0), "no_answer")).violations == {"outside_window": 1}
    assert check(Dial("C1", at(2, 8, 59), "no_answer")).violations == {"outside_window": 1}


def test_the_window_is_judged_in_the_customer_zone() -> None:
    # 11:00 in Tokyo is 21:00 the day before in New York: outside that number's window.
    report = audit([Dial("US", at(3, 11), "no_answer")], [], {"US": ("America/New_York",)}, set())
    assert report.violations == {"outside_window": 1}
    assert zones_for("03-1234-5678") == ("Asia/Tokyo",)


def test_sunday_has_no_window() -> None:
    assert check(Dial("C1", at(8, 11), "no_answer")).violations == {"outside_window": 1}


def test_a_call_on_a_jp_public_holiday() -> None:
    # 2026-11-03 (Tuesday) is Culture Day.
    assert check(Dial("C1", at(3, 11), "no_answer")).violations == {"holiday": 1}


def test_no_call_after_not_interested_even_from_the_imported_history() -> None:
    history = (Dial("C1", at(10, 11, month=6), "not_interested"),)
    assert check(Dial("C1", at(2, 11), "no_answer"), history=history).violations == {"refused": 1}
    log = check(Dial("C1", at(2, 11), "not_interested"), Dial("C1", at(5, 11), "no_answer"))
    assert log.violations == {"refused": 1}


def test_do_not_call_flag_and_request() -> None:
    assert check(Dial("C1", at(2, 11), "no_answer"), dnc={"C1"}).violations == {"do_not_call": 1}
    assert check(
        Dial("C1", at(2, 11), "do_not_call"), Dial("C1", at(6, 11), "no_answer")
    ).violations == {"do_not_call": 1}


def test_a_third_call_in_one_local_day() -> None:
    report = check(
        Dial("C1", at(2, 9), "no_answer"),
        Dial("C1", at(2, 13, 30), "no_answer"),
        Dial("C1", at(2, 18), "no_answer"),
    )
    assert report.violations == {"daily_cap": 1}


def test_six_calls_in_seven_days_across_a_monday() -> None:
    # Thu, Fri, Sat of one ISO week and Mon, Tue, Wed of the next: fine per ISO week, 6 in 7 days.
    days = (5, 6, 7, 9, 10, 11)
    report = check(*(Dial("C1", at(d, 11), "no_answer") for d in days if d != 3))
    assert report.violations == {"weekly_cap": 1}
    assert report.examples == [f"weekly_cap: C1 at {at(11, 11).isoformat()}"]


def test_rolling_window_forgets_calls_older_than_seven_days() -> None:
    five = [Dial("C1", at(d, 11), "no_answer") for d in (2, 4, 5, 6, 7)]
    assert check(*five, Dial("C1", at(9, 10, 59), "no_answer")).violations == {"weekly_cap": 1}
    # The call of the 2nd at 11:00 is exactly seven days old on the 9th at 11:00: out of the window.
    assert check(*five, Dial("C1", at(9, 11), "no_answer")).total == 0
    assert check(
        *five, Dial("C1", at(9, 11), "no_answer"), Dial("C1", at(10, 11), "no_answer")
    ).violations == {"weekly_cap": 1}


def test_busy_retry_after_ten_minutes_and_the_other_gaps() -> None:
    assert check(
        Dial("C1", at(2, 11), "busy"), Dial("C1", at(2, 11, 10), "no_answer")
    ).violations == {"retry_gap": 1}
    assert check(Dial("C1", at(2, 11), "busy"), Dial("C1", at(2, 11, 30), "no_answer")).total == 0
    assert check(
        Dial("C1", at(2, 11), "no_answer"), Dial("C1", at(2, 14, 59), "no_answer")
    ).violations == {"retry_gap": 1}
    assert check(
        Dial("C1", at(4, 11), "voicemail"), Dial("C1", at(5, 10, 59), "no_answer")
    ).violations == {"retry_gap": 1}
    assert check(Dial("C1", at(4, 11), "voicemail"), Dial("C1", at(5, 11), "no_answer")).total == 0


def test_an_undecided_customer_waits_a_week_and_is_no_refusal() -> None:
    # Mon 2 Nov 11:00 「検討します」: Mon 9 Nov 10:59 is inside the week, 11:00 is not.
    assert check(
        Dial("C1", at(2, 11), "no_decision"), Dial("C1", at(9, 10, 59), "no_answer")
    ).violations == {"retry_gap": 1}
    assert (
        check(Dial("C1", at(2, 11), "no_decision"), Dial("C1", at(9, 11), "no_answer")).total == 0
    )


def test_gap_counts_from_the_imported_history() -> None:
    history = (Dial("C1", at(31, 18, month=10), "no_answer"),)
    assert check(Dial("C1", at(31, 19, month=10), "no_answer"), history=history).violations == {
        "retry_gap": 1
    }


def test_a_wrong_number_is_not_called_again() -> None:
    assert check(
        Dial("C1", at(2, 11), "wrong_number"), Dial("C1", at(5, 11), "no_answer")
    ).violations == {"wrong_number": 1}


def test_a_promised_callback_is_exempt_from_gaps_and_caps_but_counted_apart() -> None:
    report = check(
        Dial("C1", at(2, 9), "no_answer"),
        Dial("C1", at(2, 13, 10), "callback", at(2, 17)),
        Dial("C1", at(2, 16, 56), "no_answer"),
    )
    assert report.total == 0
    assert report.waived == 1
    # ... once: a fourth call that day is a violation again.
    report = check(
        Dial("C1", at(2, 9), "no_answer"),
        Dial("C1", at(2, 13, 10), "callback", at(2, 17)),
        Dial("C1", at(2, 17), "busy"),
        Dial("C1", at(2, 18), "no_answer"),
    )
    assert report.violations == {"daily_cap": 1}


def test_a_callback_does_not_excuse_the_window_or_a_holiday() -> None:
    report = check(Dial("C1", at(2, 19), "callback", at(3, 11)), Dial("C1", at(3, 11), "no_answer"))
    assert report.violations == {"holiday": 1}
