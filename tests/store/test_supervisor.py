"""The supervisor's funnel, heatmap, trend and reasons on SQLite and PostgreSQL, against figures
counted by hand from a small fixture of attempts (in Asia/Tokyo, the configured zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from workbench.services.supervisor import (
    Funnel,
    Period,
    contact_heatmap,
    funnel_by,
    overview,
    reason_counts,
    reason_notes,
    top_reasons,
    weekly_trend,
)
from workbench.store.models import ContactAttempt, Customer, CustomerMetrics, QueueScore

TOKYO = ZoneInfo("Asia/Tokyo")
# Two local weeks: Monday 2 March to Monday 16 March 2026 (exclusive).
PERIOD = Period.of(date(2026, 3, 2), date(2026, 3, 16), TOKYO)


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TOKYO)


# (customer, channel, direction, operator, at, outcome, reason, amount, note)
ATTEMPTS = [
    ("C1", "call", "outbound", "op01", jst(2, 10, 15), "no_answer", None, None, None),
    ("C1", "call", "outbound", "op01", jst(2, 10, 40), "callback", "price", None, "高い"),
    ("C2", "call", "outbound", "op02", jst(2, 10, 50), "not_interested", "price", None, "予算がない"),
    ("C2", "call", "outbound", "op02", jst(3, 14, 0), "busy", None, None, None),
    ("C3", "call", "outbound", "op01", jst(3, 14, 30), "reactivated", "quality_dissatisfaction", 5000, "改善を評価"),
    ("C1", "call", "outbound", "op02", jst(9, 9, 5), "reactivated", "price", 12000, ""),
    ("C3", "call", "outbound", None, jst(11, 19, 0), "voicemail", None, None, None),
    # Monday 08:30 in Tokyo is Sunday 23:30 UTC: inside the local period, outside a UTC one.
    ("C2", "call", "outbound", "op01", jst(2, 8, 30), "no_answer", None, None, None),
    # Outside the period: Sunday 1 March 23:30, and Monday 16 March 00:10 (still 15 March in UTC).
    ("C1", "call", "outbound", "op01", jst(1, 23, 30), "reactivated", "price", 99999, "前"),
    ("C1", "call", "outbound", "op01", jst(16, 0, 10), "reactivated", "price", 99999, "後"),
    # Not dials: an email event and an inbound call.
    ("C1", "email", "outbound", None, jst(4, 12, 0), "reactivated", None, 77777, None),
    ("C2", "call", "inbound", "op02", jst(5, 11, 0), "complaint", None, None, None),
    # Reasons not heard in a conversation: on an email event, on an inquiry (not a conversation).
    ("C1", "email", "outbound", None, jst(4, 12, 30), "replied", "price", None, "メールで"),
    ("C2", "call", "inbound", "op02", jst(5, 11, 30), "inquiry", "price", None, "問い合わせ"),
    # A blank note is no note, full-width spaces and tabs too (as the report strips them).
    ("C2", "call", "outbound", "op02", jst(10, 15, 0), "not_interested", "moved", None, " \u3000\t"),
]  # fmt: skip
# customer → (kind, main category, lifecycle state); C3 was never scored nor bought.
CUSTOMERS = {"C1": ("b2c", "beverages", "dormant"), "C2": ("b2b", "stationery", "at_risk"),
             "C3": ("b2c", None, None)}  # fmt: skip


def _seed(engine) -> None:  # type: ignore[no-untyped-def]
    scored = datetime(2026, 3, 1, tzinfo=UTC)
    with engine.begin() as conn:
        ids = {}
        for ext, (kind, category, state) in CUSTOMERS.items():
            cid = conn.execute(
                insert(Customer.__table__)
                .values(external_id=ext, name=ext, kind=kind)
                .returning(Customer.__table__.c.id)
            ).scalar_one()
            ids[ext] = cid
            if category:
                conn.execute(
                    insert(CustomerMetrics.__table__).values(
                        customer_id=cid, main_category=category
                    )
                )
            if state:
                conn.execute(insert(QueueScore.__table__).values(
                    customer_id=cid, base_score=1.0, state=state, segment="mid", value=1.0,
                    p_alive=0.5, expected_orders=1.0, p_come_back=0.1, season=1.0, reason="price",
                    reason_source="heard", scored_at=scored,
                ))  # fmt: skip
        conn.execute(insert(ContactAttempt.__table__), [
            {"customer_id": ids[c], "channel": ch, "direction": d, "operator": op, "at": at,
             "outcome": outcome, "reason": reason, "amount": amount, "note": note}
            for c, ch, d, op, at, outcome, reason, amount, note in ATTEMPTS
        ])  # fmt: skip


def test_funnel_by_operator_kind_and_state(engine):
    _seed(engine)
    by_operator = {r.key: r.funnel for r in funnel_by(engine, "operator", PERIOD)}
    assert by_operator == {
        "op01": Funnel(dials=4, conversations=2, winbacks=1, revenue=5000),
        "op02": Funnel(dials=4, conversations=3, winbacks=1, revenue=12000),
        "unknown": Funnel(dials=1, conversations=0, winbacks=0, revenue=0),
    }
    assert list(by_operator) == ["op01", "op02", "unknown"]  # most dials first, ties by id
    assert by_operator["op01"].answer_rate == 0.5
    assert by_operator["op02"].win_rate == pytest.approx(1 / 3)
    assert by_operator["unknown"].win_rate is None

    assert {r.key: r.funnel for r in funnel_by(engine, "kind", PERIOD)} == {
        "b2c": Funnel(5, 3, 2, 17000),
        "b2b": Funnel(4, 2, 0, 0),
    }
    states = funnel_by(engine, "state", PERIOD)
    assert [(r.key, r.funnel) for r in states] == [
        ("at_risk", Funnel(4, 2, 0, 0)),
        ("dormant", Funnel(3, 2, 1, 12000)),
        ("unknown", Funnel(2, 1, 1, 5000)),
    ]
    with pytest.raises(ValueError, match="segment"):
        funnel_by(engine, "weekday", PERIOD)


def test_heatmap_in_local_weekday_and_hour(engine):
    _seed(engine)
    heat = contact_heatmap(engine, PERIOD)
    nonzero = {
        (d, h): (heat.dials[d][h], heat.conversations[d][h])
        for d in range(7)
        for h in range(24)
        if heat.dials[d][h]
    }
    assert nonzero == {
        (0, 8): (1, 0),  # Monday 08:30 JST (Sunday in UTC)
        (0, 9): (1, 1),
        (0, 10): (3, 2),
        (1, 14): (2, 1),
        (1, 15): (1, 1),
        (2, 19): (1, 0),
    }
    assert heat.rate(0, 10) == pytest.approx(2 / 3)
    assert heat.rate(6, 12) is None


def test_weekly_trend_covers_every_local_week(engine):
    _seed(engine)
    trend = weekly_trend(engine, PERIOD)
    assert [(p.week, p.dials, p.conversations, p.winbacks, p.revenue) for p in trend] == [
        (date(2026, 3, 2), 6, 3, 1, 5000),
        (date(2026, 3, 9), 3, 2, 1, 12000),
    ]
    # A longer period lists its empty weeks too.
    longer = Period.of(date(2026, 2, 23), date(2026, 3, 23), TOKYO)
    assert [p.dials for p in weekly_trend(engine, longer)] == [1, 6, 3, 1]


def test_reasons_counts_trend_tops_and_notes(engine):
    _seed(engine)
    counts = reason_counts(engine, PERIOD)
    assert [(r.reason, r.heard, r.customers, r.weekly) for r in counts] == [
        ("price", 3, 2, (2, 1)),
        ("moved", 1, 1, (0, 1)),
        ("quality_dissatisfaction", 1, 1, (1, 0)),
    ]
    assert top_reasons(engine, PERIOD, "kind") == {
        "b2b": [("moved", 1), ("price", 1)],
        "b2c": [("price", 2), ("quality_dissatisfaction", 1)],
    }
    assert top_reasons(engine, PERIOD, "kind", limit=1)["b2c"] == [("price", 2)]
    assert top_reasons(engine, PERIOD, "category") == {
        "beverages": [("price", 2)],
        "stationery": [("moved", 1), ("price", 1)],
        "unknown": [("quality_dissatisfaction", 1)],
    }
    notes = reason_notes(engine, "price", PERIOD)
    # Newest first; the empty note of 9 March, the notes outside the period and those not heard
    # in a conversation (the email's, the inquiry's) are left out.
    assert [(n.customer_id, n.at, n.operator, n.note) for n in notes] == [
        ("C2", jst(2, 10, 50), "op02", "予算がない"),
        ("C1", jst(2, 10, 40), "op01", "高い"),
    ]
    assert reason_notes(engine, "price", PERIOD, limit=1)[0].note == "予算がない"
    assert reason_notes(engine, "moved", PERIOD) == []


def test_overview_reads_it_all_at_once(engine):
    _seed(engine)
    seen = overview(engine, PERIOD)
    assert seen.total == Funnel(9, 5, 2, 17000)
    assert [r.key for r in seen.by_segment["operator"]] == ["op01", "op02", "unknown"]
    assert sum(map(sum, seen.heatmap.dials)) == 9
    assert [p.dials for p in seen.trend] == [6, 3]
    assert seen.reasons.counts[0].reason == "price"


KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+5:30: a UTC hour straddles two local hours


def test_a_half_hour_zone_puts_each_call_in_its_own_local_hour_and_week(engine):
    """Sunday 8 March 2026 23:40 IST is 18:10 UTC, Monday 9 March 00:10 IST is 18:40 UTC: the
    same UTC hour, two local days and weeks; 10:20 and 10:50 UTC are 15:50 and 16:20 IST."""
    from workbench.services.report_data import report_data

    def ist(day: int, hour: int, minute: int) -> datetime:
        return datetime(2026, 3, day, hour, minute, tzinfo=KOLKATA)

    with engine.begin() as conn:
        cid = conn.execute(
            insert(Customer.__table__).values(external_id="K1", name="K1", kind="b2c")
            .returning(Customer.__table__.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(insert(ContactAttempt.__table__), [
            {"customer_id": cid, "channel": "call", "direction": "outbound", "operator": "op01",
             "at": at, "outcome": outcome, "amount": amount}
            for at, outcome, amount in [
                (ist(8, 23, 40), "no_answer", None), (ist(9, 0, 10), "reactivated", 3000),
                (ist(10, 15, 50), "no_answer", None), (ist(10, 16, 20), "callback", None),
                (ist(10, 16, 25), "busy", None),  # the same UTC quarter-hour as 16:20
            ]
        ])  # fmt: skip
    period = Period.of(date(2026, 3, 2), date(2026, 3, 16), KOLKATA)
    heat = contact_heatmap(engine, period)
    assert (heat.dials[6][23], heat.dials[0][0]) == (1, 1)
    assert (heat.dials[1][15], heat.dials[1][16], heat.conversations[1][16]) == (1, 2, 1)
    trend = weekly_trend(engine, period)
    assert [(p.week, p.dials, p.winbacks, p.revenue) for p in trend] == [
        (date(2026, 3, 2), 1, 0, 0),
        (date(2026, 3, 9), 4, 1, 3000),
    ]
    weeks = report_data(engine, zone=KOLKATA, now=datetime(2026, 3, 20, tzinfo=UTC)).weeks
    assert [(w.start, w.funnel.dials, w.funnel.reactivations) for w in weeks] == [
        (date(2026, 3, 2), 1, 0),
        (date(2026, 3, 9), 4, 1),
    ]
