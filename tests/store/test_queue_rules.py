"""The calling rules as the queue, the claim and the disposition apply them, on both backends.

A small hand-made customer base is imported from CSV and scored once; every test
then reads the queue (or claims, or disposes) at instants chosen so that exactly
one rule decides the answer.  The rules themselves are unit-tested in
tests/unit/test_calling_rules.py; here the question is whether the services load
the right facts from the database and apply them.

Calendar used throughout (Japan, November 2026):
  Mon 23  勤労感謝の日 (public holiday)
  Tue 24  ordinary weekday: the main test day
  Wed 25  ordinary weekday
New York is UTC-5 in November (EST), Tokyo UTC+9: NY 09:00 is Tokyo 23:00.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, update

from workbench.config import Settings
from workbench.services.claim import claim
from workbench.services.dispose import Disposition, DispositionError, dispose, dispose_many
from workbench.services.explain import explain
from workbench.services.importer import import_file
from workbench.services.queue import QueueEntry, read_queue
from workbench.services.scoring import rescore
from workbench.store.models import (
    Callback,
    ContactAttempt,
    Customer,
    DoNotCall,
    Lease,
    Phone,
    QueueScore,
)

JST = ZoneInfo("Asia/Tokyo")
NYC = ZoneInfo("America/New_York")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


def nyc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=NYC)


SCORED_AT = jst(23, 7)  # the morning scoring run, before anything below happens

# customer_id, kind, phone, do_not_call flag, orders [(ordered_at, amount)]
DORMANT_ORDERS = [("2025-12-01T12:00+09:00", 30000), ("2026-03-01T12:00+09:00", 30000)]
CUSTOMERS: list[tuple[str, str, str, str, list[tuple[str, int]]]] = [
    # Callable dormant / at-risk customers (the D03 callback customer is the cheapest).
    ("D01", "b2c", "090-1000-0001", "0", DORMANT_ORDERS),
    ("D02", "b2c", "090-1000-0002", "0", [("2026-02-10T12:00+09:00", 40000)]),
    ("D03", "b2c", "090-1000-0003", "0", [("2026-02-10T12:00+09:00", 1000)]),
    ("AR1", "b2c", "090-1000-0004", "0", [("2026-07-20T12:00+09:00", 25000)]),  # 127 days: at risk
    # Not in a callable state.
    (
        "ACT",
        "b2c",
        "090-1000-0005",
        "0",
        [("2026-08-01T12:00+09:00", 9000), ("2026-11-10T12:00+09:00", 9000)],
    ),
    ("PRO", "b2c", "090-1000-0006", "0", []),
    (
        "CHU",
        "b2c",
        "090-1000-0007",
        "0",
        [("2026-01-10T12:00+09:00", 20000)],
    ),  # complaint afterwards
    # Blocked for good, whatever their state.
    ("DNC", "b2c", "090-1000-0008", "1", [("2026-01-10T12:00+09:00", 90000)]),  # do-not-call flag
    (
        "REF",
        "b2c",
        "090-1000-0009",
        "0",
        [("2026-01-10T12:00+09:00", 90000)],
    ),  # said not_interested
    (
        "DNO",
        "b2c",
        "090-1000-0010",
        "0",
        [("2026-01-10T12:00+09:00", 90000)],
    ),  # do_not_call outcome
    ("OPT", "b2c", "090-1000-0011", "0", [("2026-01-10T12:00+09:00", 90000)]),  # call opt-out
    (
        "WRN",
        "b2c",
        "090-1000-0012",
        "0",
        [("2026-01-10T12:00+09:00", 90000)],
    ),  # only number was wrong
    # Dormant, in New York.
    ("NYC", "b2c", "+1 212-736-5000", "0", [("2026-01-10T12:00+09:00", 15000)]),
]
HISTORY = [
    # customer_id, at, channel, direction, outcome, operator
    ("CHU", "2026-02-01T11:00+09:00", "call", "inbound", "complaint", "op09"),
    ("REF", "2026-05-01T11:00+09:00", "call", "outbound", "not_interested", "op09"),
    ("DNO", "2026-05-01T11:00+09:00", "call", "outbound", "do_not_call", "op09"),
    ("WRN", "2026-06-01T11:00+09:00", "call", "outbound", "wrong_number", "op09"),
]
CALLABLE_JP = {"D01", "D02", "D03", "AR1"}
NEVER = {"DNC", "REF", "DNO", "OPT", "WRN"}


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def load_base(engine: Engine, settings: Settings, folder: Path) -> None:
    """Import the hand-made base through the CSV importer, set the opt-out, score it."""
    customers = _write(
        folder / "customers.csv",
        ["customer_id", "name", "kind", "phone", "do_not_call"],
        [[cid, f"顧客 {cid}", kind, phone, dnc] for cid, kind, phone, dnc, _ in CUSTOMERS],
    )
    transactions = _write(
        folder / "transactions.csv",
        ["customer_id", "ordered_at", "amount", "category"],
        [
            [cid, at, str(amount), "food"]
            for cid, _, _, _, orders in CUSTOMERS
            for at, amount in orders
        ],
    )
    contacts = _write(
        folder / "contacts.csv",
        ["customer_id", "at", "channel", "direction", "outcome", "operator"],
        [list(row) for row in HISTORY],
    )
    for kind, path in (
        ("customers", customers),
        ("transactions", transactions),
        ("contacts", contacts),
    ):
        summary = import_file(engine, kind, path, settings, now=SCORED_AT)  # type: ignore[arg-type]
        assert summary.rejected == 0, (kind, summary)
    with engine.begin() as conn:
        # There is no CSV column for the call opt-out; it is set on the customer record.
        conn.execute(
            update(Customer).where(Customer.external_id == "OPT").values(call_opt_out=True)
        )
    rescore(engine, settings, SCORED_AT)


@pytest.fixture
def base(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    load_base(engine, settings, tmp_path)
    return engine


def queue(
    engine: Engine, settings: Settings, at: datetime, operator: str | None = None, limit: int = 50
) -> list[QueueEntry]:
    with engine.connect() as conn:
        return read_queue(conn, settings, at, operator, limit)


def ids(entries: list[QueueEntry]) -> list[str]:
    return [e.external_id for e in entries]


def call(
    engine: Engine,
    settings: Settings,
    customer: str,
    outcome: str,
    at: datetime,
    operator: str = "op01",
    **kw,
) -> None:  # type: ignore[no-untyped-def]
    dispose(
        engine,
        settings,
        Disposition(customer_id=customer, outcome=outcome, at=at, operator=operator, **kw),
    )


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def with_calling(settings: Settings, **changes: object) -> Settings:
    return dataclasses.replace(settings, calling=dataclasses.replace(settings.calling, **changes))


# --- who is offered at all -----------------------------------------------------------------


def test_scoring_run_gives_the_expected_states(base: Engine) -> None:
    with base.connect() as conn:
        rows = conn.execute(
            select(Customer.external_id, QueueScore.state, QueueScore.permanent_block).join(
                QueueScore, QueueScore.customer_id == Customer.id
            )
        ).all()
    states = {cid: state for cid, state, _ in rows}
    blocks = {cid: block for cid, _, block in rows if block}
    assert states == {
        "D01": "dormant", "D02": "dormant", "D03": "dormant", "AR1": "at_risk", "ACT": "active",
        "PRO": "prospect", "CHU": "churned", "DNC": "churned", "REF": "dormant", "DNO": "churned",
        "OPT": "churned", "WRN": "dormant", "NYC": "dormant",
    }  # fmt: skip
    assert blocks == {
        "DNC": "do_not_call",
        "REF": "refused",
        "DNO": "do_not_call",
        "OPT": "opted_out",
    }


def test_only_dormant_and_at_risk_customers_are_offered(base: Engine, settings: Settings) -> None:
    # Tuesday 10:30 in Tokyo (Monday 20:30 in New York: outside the NY window).
    entries = queue(base, settings, jst(24, 10, 30))
    assert set(ids(entries)) == CALLABLE_JP
    assert {e.state for e in entries} == {"dormant", "at_risk"}


def test_churned_customers_are_offered_only_with_include_churned(
    base: Engine, settings: Settings
) -> None:
    churned = with_calling(settings, include_churned=True)
    entries = queue(base, churned, jst(24, 10, 30))
    # The complaint customer comes back; churned customers who asked not to be called do not.
    assert set(ids(entries)) == CALLABLE_JP | {"CHU"}
    assert next(e for e in entries if e.external_id == "CHU").state == "churned"
    assert "CHU" not in ids(queue(base, settings, jst(24, 10, 30)))


@pytest.mark.parametrize("include_churned", [False, True])
def test_blocked_customers_are_never_offered_nor_claimed(
    base: Engine, settings: Settings, include_churned: bool
) -> None:
    s = with_calling(settings, include_churned=include_churned)
    for at in (jst(24, 9), jst(24, 12), jst(24, 19, 59), jst(25, 10)):
        assert not NEVER & set(ids(queue(base, s, at))), at
    claimed = []
    for n in range(8):
        entry = claim(base, s, f"op{n:02d}", jst(24, 11))
        if entry is None:
            break
        claimed.append(entry.external_id)
    assert set(claimed) == CALLABLE_JP | ({"CHU"} if include_churned else set())
    assert len(claimed) == len(set(claimed))


def test_refusal_and_do_not_call_dispositions_block_for_good(
    base: Engine, settings: Settings
) -> None:
    call(base, settings, "D01", "not_interested", jst(24, 10))
    call(base, settings, "D02", "do_not_call", jst(24, 10, 5), note="二度と電話しないで")
    for at in (jst(24, 15), jst(25, 10), jst(28, 10), datetime(2027, 3, 1, 10, tzinfo=JST)):
        offered = set(ids(queue(base, settings, at)))
        assert not {"D01", "D02"} & offered, at
    with base.connect() as conn:
        d02 = conn.execute(select(Customer.id).where(Customer.external_id == "D02")).scalar_one()
        entries = set(conn.execute(select(DoNotCall.customer_id, DoNotCall.e164)).all())
    assert (d02, None) in entries and (d02, "+819010000002") in entries
    # The next scoring run keeps them out too.
    rescore(base, settings, jst(25, 7))
    assert not {"D01", "D02"} & set(ids(queue(base, settings, jst(25, 10))))


def test_an_undecided_customer_comes_back_after_the_gap_and_is_no_refusal(
    base: Engine, settings: Settings
) -> None:
    said = jst(24, 10)  # Tuesday: 「検討します」
    call(base, settings, "D01", "no_decision", said, reason="price")
    week = timedelta(days=7)
    for at in (jst(24, 15), jst(27, 10), said + week - timedelta(minutes=1)):
        assert "D01" not in ids(queue(base, settings, at)), at
    assert "D01" in ids(queue(base, settings, said + week))
    # The scoring run's block hint agrees: out until the week is over, no permanent block.
    rescore(base, settings, jst(25, 7))
    assert "D01" not in ids(queue(base, settings, jst(30, 10)))
    assert "D01" in ids(queue(base, settings, said + week))
    with base.connect() as conn:
        block = conn.execute(
            select(QueueScore.permanent_block)
            .join(Customer, Customer.id == QueueScore.customer_id)
            .where(Customer.external_id == "D01")
        ).scalar_one()
    assert block is None
    # A team may ask again sooner (or later, up to four weeks), from its next scoring run.
    sooner = with_calling(settings, no_decision_gap_days=3)
    rescore(base, sooner, jst(25, 8))
    assert "D01" in ids(queue(base, sooner, jst(27, 10)))
    assert "D01" not in ids(queue(base, sooner, jst(27, 9, 59)))


def test_a_wrong_number_disposition_retires_the_only_number(
    base: Engine, settings: Settings
) -> None:
    call(base, settings, "D01", "wrong_number", jst(24, 10))
    with base.connect() as conn:
        retired = conn.execute(
            select(Phone.retired_at)
            .join(Customer, Customer.id == Phone.customer_id)
            .where(Customer.external_id == "D01")
        ).scalar_one()
    assert retired == jst(24, 10)
    assert "D01" not in ids(queue(base, settings, jst(25, 10)))
    assert "D01" not in ids(queue(base, settings, jst(30, 10)))


# --- calling hours in the customer's zone ---------------------------------------------------


def test_new_york_customer_is_called_in_new_york_hours(base: Engine, settings: Settings) -> None:
    # Tuesday 24 November in New York.  Tokyo is 14 hours ahead, so at these instants the
    # Japanese customers are either closed (NY morning = Tokyo 23:00) or open (NY evening =
    # Wednesday morning in Tokyo): either way the assertion is about the NY customer.
    assert queue(base, settings, nyc(24, 8, 59)) == []  # Tokyo 22:59: nobody
    at_nine = queue(base, settings, nyc(24, 9, 0))
    assert ids(at_nine) == ["NYC"]  # Tokyo 23:00: only New York is open
    assert "NYC" in ids(queue(base, settings, nyc(24, 19, 59)))  # Tokyo Wed 09:59
    evening = queue(base, settings, nyc(24, 20, 1))  # Tokyo Wed 10:01
    assert "NYC" not in ids(evening)
    assert set(ids(evening)) == CALLABLE_JP
    assert "NYC" not in ids(queue(base, settings, nyc(24, 20, 0)))  # the window is [09:00, 20:00)


def test_json_shape_of_a_queue_entry(base: Engine, settings: Settings) -> None:
    (ny,) = queue(base, settings, nyc(24, 9, 30))
    data = ny.as_json()
    assert {
        "customer_id",
        "score",
        "components",
        "phone",
        "local_time",
        "state",
        "reason",
        "script",
        "channel",
    } <= set(data)
    assert data["customer_id"] == "NYC"
    assert data["phone"] == "+12127365000"
    assert data["local_time"] == "2026-11-24T09:30:00-05:00"
    assert datetime.fromisoformat(str(data["local_time"])).utcoffset() == timedelta(hours=-5)
    assert data["state"] == "dormant"
    assert data["channel"] == "call"
    assert isinstance(data["reason"], str) and data["reason"]
    assert data["script"] is None or isinstance(data["script"], str)
    components = data["components"]
    assert isinstance(components, dict)
    assert {"value", "p_alive", "p_come_back", "base", "score"} <= set(components)
    assert data["score"] == pytest.approx(components["score"], abs=1e-6)
    assert isinstance(data["score"], float) and data["score"] >= 0
    json.dumps(data, ensure_ascii=False)  # serialisable as it stands

    jp = queue(base, settings, jst(24, 10, 30))
    assert jp
    for entry in jp:
        row = entry.as_json()
        assert E164.match(str(row["phone"])) and str(row["phone"]).startswith("+8190")
        assert row["local_time"] == "2026-11-24T10:30:00+09:00"
    assert {e.as_json()["phone"] for e in jp} == {f"+81901000000{n}" for n in (1, 2, 3, 4)}


# --- holidays -------------------------------------------------------------------------------


def test_japanese_public_holiday_offers_nobody_in_japan(base: Engine, settings: Settings) -> None:
    for hour in (9, 10, 13, 19):
        assert queue(base, settings, jst(23, hour)) == [], hour  # 勤労感謝の日, a Monday
        assert claim(base, settings, "op01", jst(23, hour)) is None
    assert set(ids(queue(base, settings, jst(24, 10)))) == CALLABLE_JP  # the day after: open again
    result = explain(base, settings, jst(23, 10))
    assert result.callable_now == 0
    assert result.held_back["holiday"] == len(CALLABLE_JP)


def test_a_call_on_a_holiday_is_refused(base: Engine, settings: Settings) -> None:
    with pytest.raises(DispositionError) as info:
        call(base, settings, "D01", "no_answer", jst(23, 10))
    assert info.value.field == "at"
    assert "holiday" in str(info.value)


# --- pacing: retry gap and daily cap --------------------------------------------------------


def test_retry_gap_after_no_answer(base: Engine, settings: Settings) -> None:
    call(base, settings, "D01", "no_answer", jst(24, 10))
    assert "D01" not in ids(queue(base, settings, jst(24, 10, 1)))
    assert "D01" not in ids(queue(base, settings, jst(24, 13, 59)))
    assert "D01" in ids(queue(base, settings, jst(24, 14, 0)))
    # The other customers were never held back by D01's gap.
    assert {"D02", "D03", "AR1"} <= set(ids(queue(base, settings, jst(24, 13, 59))))
    # A call inside the gap is refused, one at its end is recorded.
    with pytest.raises(DispositionError) as info:
        call(base, settings, "D01", "no_answer", jst(24, 13, 59))
    assert info.value.field == "at" and "retry_gap" in str(info.value)
    call(base, settings, "D01", "no_answer", jst(24, 14, 0))


def test_daily_cap_of_two_attempts(base: Engine, settings: Settings) -> None:
    call(base, settings, "D02", "no_answer", jst(24, 9))
    call(base, settings, "D02", "no_answer", jst(24, 13))
    call(base, settings, "D01", "no_answer", jst(24, 13))  # one attempt only: the control
    offered = ids(queue(base, settings, jst(24, 17, 30)))
    assert "D01" in offered  # its gap is over
    assert "D02" not in offered  # gap over too, but two calls today
    assert "D02" not in ids(queue(base, settings, jst(24, 19, 59)))
    assert "D02" in ids(queue(base, settings, jst(25, 9)))  # a new day
    with pytest.raises(DispositionError) as info:
        call(base, settings, "D02", "no_answer", jst(24, 17, 30))
    assert info.value.field == "at" and "daily_cap" in str(info.value)
    call(base, settings, "D02", "no_answer", jst(25, 9))


# --- callbacks ------------------------------------------------------------------------------


def test_callback_comes_first_for_its_owner_at_the_promised_time(
    base: Engine, settings: Settings
) -> None:
    promised = jst(24, 15)
    call(base, settings, "D03", "callback", jst(24, 10), callback_at=promised)
    # D03 is the cheapest customer: without the callback it would come last.
    plain = queue(base, settings, jst(24, 14, 54), operator="op01")
    assert "D03" not in ids(plain)  # nobody calls before the slot
    assert len(plain) == 3
    for minutes in (-5, 0, 5):
        entries = queue(base, settings, promised + timedelta(minutes=minutes), operator="op01")
        assert entries[0].external_id == "D03", minutes
        assert entries[0].callback_due
        assert datetime.fromisoformat(str(entries[0].as_json()["callback_at"])) == promised
        assert entries[0].score < max(e.score for e in entries[1:])  # first despite its score
    # The owner's claim at the promised time gets the callback.
    entry = claim(base, settings, "op01", promised)
    assert entry is not None and entry.external_id == "D03"


def test_callback_is_withheld_from_other_operators_until_thirty_minutes_overdue(
    base: Engine, settings: Settings
) -> None:
    promised = jst(24, 15)
    call(base, settings, "D03", "callback", jst(24, 10), callback_at=promised)
    # op01 is working (calls at 14:58 and 15:15), so the callback stays theirs for 30 minutes.
    call(base, settings, "D01", "no_answer", jst(24, 14, 58))
    call(base, settings, "D02", "no_answer", jst(24, 15, 15))
    for minutes in (0, 5, 29):
        at = promised + timedelta(minutes=minutes)
        assert "D03" not in ids(queue(base, settings, at, operator="op02")), minutes
        # No operator is the team's view: it shows every due callback.
        assert ids(queue(base, settings, at))[0] == "D03", minutes
    entry = claim(base, settings, "op02", promised + timedelta(minutes=10))
    assert entry is not None and entry.external_id != "D03"
    overdue = queue(base, settings, promised + timedelta(minutes=30), operator="op03")
    assert overdue[0].external_id == "D03"
    # op04 may not record a call on it either while the owner's grace runs.
    with pytest.raises(DispositionError):
        call(base, settings, "D03", "no_answer", promised + timedelta(minutes=20), operator="op04")


def test_callback_call_keeps_the_promise(base: Engine, settings: Settings) -> None:
    promised = jst(24, 15)
    call(base, settings, "D03", "callback", jst(24, 10), callback_at=promised)
    call(base, settings, "D03", "reactivated", promised, amount=12000)
    with base.connect() as conn:
        done = conn.execute(select(Callback.done_at)).scalar_one()
    assert done == promised
    assert "D03" not in ids(queue(base, settings, promised + timedelta(minutes=1), operator="op01"))


def test_a_won_back_customer_is_not_called_again_for_thirty_days(
    base: Engine, settings: Settings
) -> None:
    # The call wins D01 back with no amount: the order reaches the shop system (and the next
    # import) later, so the scoring runs in between still see a dormant customer.
    call(base, settings, "D01", "reactivated", jst(24, 10))
    assert "D01" not in ids(queue(base, settings, jst(24, 15)))
    for day in (1, 3, 9, 23):  # scoring runs on Tue 1, Thu 3, Wed 9, Wed 23 December
        morning = datetime(2026, 12, day, 7, tzinfo=JST)
        rescore(base, settings, morning)
        assert "D01" not in ids(queue(base, settings, morning + timedelta(hours=3))), day
    rescore(base, settings, datetime(2026, 12, 24, 7, tzinfo=JST))
    assert "D01" not in ids(queue(base, settings, datetime(2026, 12, 24, 9, 59, tzinfo=JST)))
    assert "D01" in ids(queue(base, settings, datetime(2026, 12, 24, 10, 0, tzinfo=JST)))


# --- leases ---------------------------------------------------------------------------------


def test_claims_lease_distinct_customers_and_a_held_lease_is_returned(
    base: Engine, settings: Settings
) -> None:
    at = jst(24, 11)
    first = claim(base, settings, "op01", at)
    second = claim(base, settings, "op02", at)
    assert first is not None and second is not None
    assert first.external_id != second.external_id
    again = claim(base, settings, "op01", at + timedelta(minutes=1))
    assert again is not None and again.external_id == first.external_id
    assert first.external_id not in ids(queue(base, settings, at, operator="op02"))
    assert first.external_id in ids(queue(base, settings, at, operator="op01"))
    # A leased customer cannot be disposed by someone else, but by the lease holder.
    with pytest.raises(DispositionError) as info:
        call(
            base,
            settings,
            first.external_id,
            "no_answer",
            at + timedelta(minutes=2),
            operator="op02",
        )
    assert info.value.field == "operator"
    call(base, settings, first.external_id, "no_answer", at + timedelta(minutes=2), operator="op01")
    assert count(base, Lease) == 1  # op01's lease is released, op02's remains
    # After the lease expires (15 min) the customer is free again.
    assert second.external_id in ids(
        queue(base, settings, at + timedelta(minutes=15), operator="op03")
    )


# --- dispositions ---------------------------------------------------------------------------


def test_dispose_refuses_a_call_outside_the_calling_rules(base: Engine, settings: Settings) -> None:
    before = count(base, ContactAttempt)
    cases = [
        ("D01", jst(24, 21), "outside_window"),  # 21:00 in Tokyo, no lease
        ("D01", jst(24, 8, 59), "outside_window"),
        ("D01", datetime(2026, 11, 29, 11, tzinfo=JST), "outside_window"),  # a Sunday
        ("NYC", jst(25, 10, 30), "outside_window"),  # Tuesday 20:30 in New York
        ("DNC", jst(24, 10, 30), "do_not_call"),
        ("REF", jst(24, 10, 30), "refused"),
        ("OPT", jst(24, 10, 30), "opted_out"),
        ("WRN", jst(24, 10, 30), "no_valid_number"),
    ]
    for customer, at, code in cases:
        with pytest.raises(DispositionError) as info:
            call(base, settings, customer, "no_answer", at)
        assert info.value.field == "at", (customer, at)
        assert str(info.value).startswith("at: ") and code in str(info.value), (
            customer,
            str(info.value),
        )
    assert count(base, ContactAttempt) == before


def test_a_call_within_a_lease_taken_inside_the_window_may_end_after_it(
    base: Engine, settings: Settings
) -> None:
    entry = claim(base, settings, "op01", jst(24, 19, 55))
    assert entry is not None
    call(base, settings, entry.external_id, "no_answer", jst(24, 20, 5))
    assert count(base, Lease) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "bogus"}, "outcome"),
        ({"outcome": "sent"}, "outcome"),  # an email event is not a call outcome
        ({"reason": "astrology"}, "reason"),
        ({"outcome": "callback"}, "callback_at"),  # a callback needs its time
        ({"outcome": "callback", "callback_at": jst(24, 10)}, "callback_at"),  # not after the call
        ({"outcome": "callback", "callback_at": jst(24, 9)}, "callback_at"),  # in the past
        (
            {"outcome": "callback", "callback_at": datetime(2026, 11, 24, 15)},
            "callback_at",
        ),  # naive
        ({"callback_at": jst(24, 15)}, "callback_at"),  # only with the outcome callback
        ({"amount": 5000}, "amount"),  # an amount only with reactivated
        ({"outcome": "reactivated", "amount": -1}, "amount"),
        ({"customer_id": "NOBODY"}, "customer_id"),
        ({"at": datetime(2026, 11, 24, 10)}, "at"),  # naive
    ],
)
def test_dispose_validates_codes(
    base: Engine, settings: Settings, changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {
        "customer_id": "D01",
        "outcome": "no_answer",
        "at": jst(24, 10),
        "operator": "op01",
    }
    values.update(changes)
    with pytest.raises(DispositionError) as info:
        dispose(base, settings, Disposition(**values))  # type: ignore[arg-type]
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert count(base, ContactAttempt) == len(HISTORY)
    assert count(base, Callback) == 0


def test_dispose_accepts_valid_codes(base: Engine, settings: Settings) -> None:
    call(
        base,
        settings,
        "D01",
        "reactivated",
        jst(24, 10),
        amount=12800,
        reason="price",
        script="price_return_offer",
    )
    call(base, settings, "D02", "callback", jst(24, 10), callback_at=jst(25, 11))
    with base.connect() as conn:
        rows = {
            r.outcome: r
            for r in conn.execute(select(ContactAttempt).where(ContactAttempt.source == "cli"))
        }
        heard = conn.execute(
            select(QueueScore.reason, QueueScore.reason_source).join(Customer, Customer.id == QueueScore.customer_id)
            .where(Customer.external_id == "D01")
        ).one()  # fmt: skip
    assert rows["reactivated"].amount == 12800 and rows["reactivated"].phone_e164 == "+819010000001"
    assert rows["callback"].callback_at == jst(25, 11)
    assert tuple(heard) == ("price", "heard")
    assert count(base, Callback) == 1


def test_dispose_many_is_all_or_nothing(base: Engine, settings: Settings) -> None:
    before, dnc_before = count(base, ContactAttempt), count(base, DoNotCall)
    good = [
        (2, Disposition("D01", "no_answer", jst(24, 10), operator="op01")),
        (3, Disposition("D02", "do_not_call", jst(24, 10, 5), operator="op01")),
        (
            4,
            Disposition(
                "D03", "callback", jst(24, 10, 10), operator="op01", callback_at=jst(24, 15)
            ),
        ),
    ]
    for bad in (
        (5, Disposition("AR1", "bogus", jst(24, 10, 15), operator="op01")),
        (5, Disposition("AR1", "no_answer", jst(24, 21), operator="op01")),  # outside the window
        (5, Disposition("AR1", "no_answer", jst(24, 10, 15), operator="op01", amount=100)),
    ):
        with pytest.raises(DispositionError) as info:
            dispose_many(base, settings, [*good, bad])
        assert "5 行目" in str(info.value)
        assert "2 行目" not in str(info.value) and "3 行目" not in str(info.value)
        assert count(base, ContactAttempt) == before
        assert count(base, DoNotCall) == dnc_before  # D02's request was not written
        assert count(base, Callback) == 0
    assert set(ids(queue(base, settings, jst(24, 10, 30)))) == CALLABLE_JP

    results = dispose_many(base, settings, good)
    assert [r.outcome for r in results] == ["no_answer", "do_not_call", "callback"]
    assert count(base, ContactAttempt) == before + 3
    assert count(base, Callback) == 1
    assert "D02" not in ids(queue(base, settings, jst(25, 10)))


def test_dispose_many_reports_every_bad_line(base: Engine, settings: Settings) -> None:
    batch = [
        (2, Disposition("D01", "no_answer", jst(24, 10), operator="op01")),
        (3, Disposition("D02", "bogus", jst(24, 10), operator="op01")),
        (4, Disposition("D03", "no_answer", jst(24, 10), operator="op01", reason="astrology")),
    ]
    with pytest.raises(DispositionError) as info:
        dispose_many(base, settings, batch)
    message = str(info.value)
    assert "3 行目: outcome:" in message and "4 行目: reason:" in message
    assert count(base, ContactAttempt) == len(HISTORY)


def test_daily_cap_counts_the_customers_own_local_day(base: Engine, settings: Settings) -> None:
    # New York 09:00 and 13:00 on Tuesday are Tokyo 23:00 Tuesday and 03:00 Wednesday: two
    # Tokyo days, but one New York day, and the cap is counted in the customer's day.
    call(base, settings, "NYC", "no_answer", nyc(24, 9))
    call(base, settings, "NYC", "no_answer", nyc(24, 13))
    assert "NYC" not in ids(queue(base, settings, nyc(24, 17, 30)))
    assert explain(base, settings, nyc(24, 17, 30)).held_back["daily_cap"] == 1
    assert "NYC" in ids(queue(base, settings, nyc(25, 9)))


def test_weekly_cap_counts_the_last_seven_days_across_a_monday(
    base: Engine, settings: Settings
) -> None:
    # Thursday 19 to Saturday 21 November: five busy calls each to D02 and (counted by ISO
    # week, which is how the disposition's hint for the queue is computed too) to D01.
    iso = with_calling(settings, max_per_week_window="iso_week")
    for at in (jst(19, 10), jst(20, 10), jst(20, 11), jst(21, 10), jst(21, 11)):
        call(base, settings, "D02", "busy", at)
        call(base, iso, "D01", "busy", at)
    # Tuesday 24 is a new ISO week, but five calls lie within 7 days until Thursday 10:00.
    assert "D02" not in ids(queue(base, settings, jst(24, 10)))
    assert "D01" not in ids(queue(base, settings, jst(24, 10)))
    assert explain(base, settings, jst(24, 10)).held_back["weekly_cap"] == 2
    with pytest.raises(DispositionError, match="weekly_cap"):
        call(base, settings, "D02", "no_answer", jst(25, 15))
    assert "D02" not in ids(queue(base, settings, jst(26, 9, 59)))
    assert "D02" in ids(queue(base, settings, jst(26, 10)))
    assert "D01" in ids(queue(base, iso, jst(24, 10)))  # a new ISO week: five more allowed


def test_a_callback_outside_the_customers_window_is_refused_with_the_next_allowed_time(
    base: Engine, settings: Settings
) -> None:
    """A promise to call at 21:00 could not be kept (the window closes at 20:00): refused, nothing saved."""
    with pytest.raises(
        DispositionError,
        match=r"callback_at: .*21:00.*時間帯の外.*最も早くかけられるのは 2026-11-25T09:00:00\+09:00",
    ):
        dispose(
            base,
            settings,
            Disposition("D01", "callback", jst(24, 10), operator="op01", callback_at=jst(24, 21)),
        )
    with base.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Callback.__table__)).scalar_one() == 0
    ok = dispose(
        base,
        settings,
        Disposition("D02", "callback", jst(24, 10), operator="op01", callback_at=jst(24, 19)),
    )
    assert ok.warnings == []


# --- reaching callable customers below many blocked ones ------------------------------------


def _bulk_base(
    engine: Engine,
    settings: Settings,
    folder: Path,
    n: int,
    tied: bool,
    called: range,
    hinted: bool,
) -> None:
    """n dormant customers (equal scores when `tied`, else C00000 the lowest); the ones in
    `called` got a no_answer at 09:30 today, so at 10:00 their retry gap holds them back.

    `hinted`: the calls were known to the scoring run (which notes when each called customer
    is next worth looking at); otherwise they arrive after it, as a dialer's export would.
    """
    customers = _write(
        folder / "bulk_customers.csv",
        ["customer_id", "name", "kind", "phone"],
        [
            [f"C{i:05d}", f"顧客 {i}", "b2c", f"090-{3000 + i // 10000:04d}-{i % 10000:04d}"]
            for i in range(n)
        ],
    )
    transactions = _write(
        folder / "bulk_transactions.csv",
        ["customer_id", "ordered_at", "amount"],
        [
            [f"C{i:05d}", "2026-01-10T12:00+09:00", str(5000 if tied else 5000 + 10 * i)]
            for i in range(n)
        ],
    )
    contacts = _write(
        folder / "bulk_contacts.csv",
        ["customer_id", "at", "channel", "outcome", "operator"],
        [[f"C{i:05d}", "2026-11-24T09:30+09:00", "call", "no_answer", "op09"] for i in called],
    )
    for kind, path in (("customers", customers), ("transactions", transactions)):
        assert import_file(engine, kind, path, settings, now=SCORED_AT).rejected == 0  # type: ignore[arg-type]
    if not hinted:
        rescore(engine, settings, SCORED_AT)
    assert import_file(engine, "contacts", contacts, settings, now=SCORED_AT).rejected == 0
    if hinted:
        rescore(engine, settings, jst(24, 9, 45))


@pytest.mark.parametrize("hinted", [True, False], ids=["calls-scored", "calls-after-scoring"])
def test_claim_reaches_callable_customers_below_a_tie_of_blocked_ones(
    engine: Engine, settings: Settings, tmp_path: Path, hinted: bool
) -> None:
    # 60 customers with one equal score; the first 55 (in id order) were called half an hour ago.
    _bulk_base(engine, settings, tmp_path, 60, tied=True, called=range(55), hinted=hinted)
    free = {f"C{i:05d}" for i in range(55, 60)}
    at = jst(24, 10)
    assert explain(engine, settings, at).callable_now == 5
    assert set(ids(queue(engine, settings, at, limit=5))) == free
    entry = claim(engine, settings, "op01", at)
    assert entry is not None and entry.external_id in free


@pytest.mark.parametrize("hinted", [True, False], ids=["calls-scored", "calls-after-scoring"])
def test_claim_reaches_callable_customers_below_thousands_of_blocked_ones(
    engine: Engine, settings: Settings, tmp_path: Path, hinted: bool
) -> None:
    # 3,000 customers with distinct scores; the best 2,500 were called half an hour ago
    # (a morning's work for a team): the 500 left must still be reachable.
    _bulk_base(engine, settings, tmp_path, 3000, tied=False, called=range(500, 3000), hinted=hinted)
    free = {f"C{i:05d}" for i in range(500)}
    at = jst(24, 10)
    assert explain(engine, settings, at).callable_now == 500
    first = queue(engine, settings, at, limit=1)
    assert len(first) == 1 and first[0].external_id in free
    assert set(ids(queue(engine, settings, at, limit=20))) <= free
    entry = claim(engine, settings, "op01", at)
    assert entry is not None and entry.external_id in free
    # At 13:30 the gaps are over and the best customers lead again.
    best = queue(engine, settings, jst(24, 13, 30), limit=1)
    assert best[0].external_id == "C02999"


# --- the scoring run on a regular base ------------------------------------------------------


def test_rescore_of_a_regular_base_writes_finite_scores(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    # 60 dormant customers buying on a very regular pattern: one order each, a third of them
    # with a second order a year before.  The MBG/NBD fit runs off to huge r and alpha (no
    # heterogeneity); the scoring run must still write finite numbers the queue can use.
    customers, transactions = [], []
    for i in range(60):
        customers.append([f"R{i:03d}", f"顧客 {i}", "b2c", f"090-6000-{i:04d}"])
        month = 6 + i % 23
        year, month = 2024 + (month - 1) // 12, (month - 1) % 12 + 1
        transactions.append(
            [
                f"R{i:03d}",
                f"{year}-{month:02d}-{1 + i % 27:02d}T12:00+09:00",
                str(3000 + (i * 37) % 20000),
            ]
        )
        if i % 3 == 0:
            transactions.append(
                [f"R{i:03d}", f"{year - 1}-{month:02d}-15T12:00+09:00", str(2000 + (i * 17) % 9000)]
            )
    files = {
        "customers": _write(
            tmp_path / "c.csv", ["customer_id", "name", "kind", "phone"], customers
        ),
        "transactions": _write(
            tmp_path / "t.csv", ["customer_id", "ordered_at", "amount"], transactions
        ),
    }
    for kind, path in files.items():
        assert import_file(engine, kind, path, settings, now=SCORED_AT).rejected == 0  # type: ignore[arg-type]
    summary = rescore(engine, settings, SCORED_AT)
    assert summary.states == {"dormant": 60}
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                QueueScore.base_score,
                QueueScore.value,
                QueueScore.p_alive,
                QueueScore.expected_orders,
                QueueScore.p_come_back,
            )
        ).all()
    assert len(rows) == 60
    assert all(v is not None and math.isfinite(v) for row in rows for v in row)
    entries = queue(engine, settings, jst(24, 10, 30), limit=5)
    assert len(entries) == 5
    for entry in entries:
        json.dumps(entry.as_json(), allow_nan=False)
