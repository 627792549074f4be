"""Callbacks on time, on both backends: made by the operator who promised them while that
operator is working, otherwise by the team at once (or after `calling.callback_handover_minutes`).

Tuesday 24 November 2026, Tokyo (an ordinary weekday; the scoring run is at 07:00).  Seven
dormant customers C01–C07.  A callback is promised at 10:00 by op01 for 15:00 (C01) and, in
some tests, by op03 for 15:10 (C02).  op01 is "working" while holding a lease or within
`calling.session_idle_minutes` (30) of a claim or a recorded call; nothing after the instant
asked about counts.  Other operators' calls go to C05–C07, so C01 and C02 keep their callbacks.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert, select

from workbench.config import Settings
from workbench.services.claim import claim
from workbench.services.dispose import Disposition, DispositionError, dispose
from workbench.services.explain import explain
from workbench.services.importer import import_file
from workbench.services.queue import QueueEntry, read_queue
from workbench.services.scoring import rescore
from workbench.store.models import Customer, DoNotCall, Lease

JST = ZoneInfo("Asia/Tokyo")
CUSTOMERS = [f"C{i:02d}" for i in range(1, 8)]


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


SCORED_AT = jst(24, 7)
DUE = jst(24, 15)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def base(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    customers = _write(
        tmp_path / "customers.csv",
        ["customer_id", "name", "kind", "phone"],
        [[cid, f"顧客 {cid}", "b2c", f"090-3000-00{n:02d}"] for n, cid in enumerate(CUSTOMERS, 1)],
    )
    # C01 and C02 are the least valuable: without their callbacks they would come last.
    orders = _write(
        tmp_path / "transactions.csv",
        ["customer_id", "ordered_at", "amount"],
        [
            [cid, "2026-02-01T12:00+09:00", "1000" if cid in ("C01", "C02") else "40000"]
            for cid in CUSTOMERS
        ],
    )
    for kind, path in (("customers", customers), ("transactions", orders)):
        assert import_file(engine, kind, path, settings, now=SCORED_AT).rejected == 0  # type: ignore[arg-type]
    rescore(engine, settings, SCORED_AT)
    promise(engine, settings, "C01", "op01", DUE)
    return engine


def promise(engine: Engine, settings: Settings, cid: str, operator: str, due: datetime,
            at: datetime | None = None) -> None:  # fmt: skip
    call(engine, settings, cid, "callback", at or jst(24, 10), operator, callback_at=due)


def call(engine: Engine, settings: Settings, cid: str, outcome: str, at: datetime, operator: str,
         **kw: object) -> None:  # fmt: skip
    dispose(
        engine,
        settings,
        Disposition(customer_id=cid, outcome=outcome, at=at, operator=operator, **kw),
    )  # type: ignore[arg-type]


def queue(
    engine: Engine, settings: Settings, at: datetime, operator: str | None
) -> list[QueueEntry]:
    with engine.connect() as conn:
        return read_queue(conn, settings, at, operator, 20)


def ids(entries: list[QueueEntry]) -> list[str]:
    return [e.external_id for e in entries]


def with_calling(settings: Settings, **changes: object) -> Settings:
    return dataclasses.replace(settings, calling=dataclasses.replace(settings.calling, **changes))


def test_a_working_owner_has_the_callback_and_others_get_it_after_the_grace(
    base: Engine, settings: Settings
) -> None:
    # op01 keeps working through the afternoon: calls at 14:50, 15:10 and 15:20.
    call(base, settings, "C05", "no_answer", jst(24, 14, 50), "op01")
    owner = queue(base, settings, jst(24, 14, 55), "op01")
    assert ids(owner)[0] == "C01" and owner[0].callback_due  # the ±5 min slot has opened
    assert "C01" not in ids(queue(base, settings, DUE, "op02"))
    call(base, settings, "C06", "no_answer", jst(24, 15, 10), "op01")
    call(base, settings, "C07", "no_answer", jst(24, 15, 20), "op01")
    assert "C01" not in ids(queue(base, settings, jst(24, 15, 29), "op02"))
    with pytest.raises(DispositionError, match="callback_other_owner"):
        call(base, settings, "C01", "no_answer", jst(24, 15, 25), "op02")
    overdue = queue(base, settings, jst(24, 15, 30), "op02")
    assert ids(overdue)[0] == "C01" and overdue[0].callback_overdue
    held = explain(base, settings, jst(24, 15, 29), operator="op02").held_back
    assert held["callback_other_owner"] == 1


def test_an_owner_without_a_session_hands_the_callback_to_the_team_at_its_time(
    base: Engine, settings: Settings
) -> None:
    # op01 promised at 10:00 and has done nothing since: no open session at 15:00.
    assert "C01" not in ids(queue(base, settings, jst(24, 14, 59), "op02"))
    first = queue(base, settings, DUE, "op02")
    assert ids(first)[0] == "C01" and first[0].callback_due
    # First despite its value (the stored part of the score: C01's answered call at 10:00 makes it
    # likelier to answer than C02, the other ¥1,000 customer, so the full score may tie-break above it).
    assert all(e.parts.base >= first[0].parts.base for e in first[1:])
    entry = claim(base, settings, "op02", DUE)
    assert entry is not None and entry.external_id == "C01"


def test_a_hand_over_delay_waits_for_an_absent_owner(base: Engine, settings: Settings) -> None:
    delayed = with_calling(settings, callback_handover_minutes=10)
    assert "C01" not in ids(queue(base, delayed, jst(24, 15, 9), "op02"))
    assert ids(queue(base, delayed, jst(24, 15, 10), "op02"))[0] == "C01"


def test_a_claim_opens_a_session_and_a_lease_keeps_it_open(
    base: Engine, settings: Settings
) -> None:
    # op01 claims at 14:40 (before the callback's slot, so another customer): working until 15:10.
    taken = claim(base, settings, "op01", jst(24, 14, 40))
    assert taken is not None and taken.external_id != "C01"
    assert "C01" not in ids(queue(base, settings, jst(24, 15, 9), "op02"))
    assert ids(queue(base, settings, jst(24, 15, 10), "op02"))[0] == "C01"
    # With a 5-minute idle time the lease (15 min from 14:40) is what keeps op01 working.
    short = with_calling(settings, session_idle_minutes=5)
    assert "C01" not in ids(
        queue(
            base,
            short,
            jst(
                24,
                14,
                54,
            ),
            "op02",
        )
    )
    assert ids(queue(base, short, jst(24, 14, 55), "op01"))[0] == "C01"
    assert ids(queue(base, short, DUE, "op02"))[0] == "C01"  # the lease ended 14:55


def test_the_teams_view_lists_every_due_callback_earliest_first(
    base: Engine, settings: Settings
) -> None:
    promise(base, settings, "C02", "op03", jst(24, 15, 10))
    call(base, settings, "C05", "no_answer", jst(24, 15), "op01")  # op01 and op03 both working
    call(base, settings, "C06", "no_answer", jst(24, 15, 5), "op03")
    team = queue(base, settings, jst(24, 15, 10), None)
    assert ids(team)[:2] == ["C01", "C02"]
    assert [e.callback_due for e in team[:2]] == [True, True]
    assert [e.as_json()["callback_due"] for e in team[2:]] == [False] * (len(team) - 2)
    assert [e.callback_owner for e in team[:2]] == ["op01", "op03"]
    own = ids(queue(base, settings, jst(24, 15, 10), "op03"))
    assert own[0] == "C02" and "C01" not in own  # op01's, and op01 is working
    assert explain(base, settings, jst(24, 15, 10)).held_back["callback_other_owner"] == 0


def test_a_past_instant_ignores_later_activity(base: Engine, settings: Settings) -> None:
    call(base, settings, "C05", "no_answer", jst(24, 15, 20), "op01")
    with base.begin() as conn:  # op01 leases C06 at 15:25, as a claim would
        conn.execute(insert(Lease).values(customer_id=customer_pk(conn, "C06"), operator="op01",
                                          claimed_at=jst(24, 15, 25), expires_at=jst(24, 15, 40)))  # fmt: skip
    # Asked about 15:05, op01 had no open session then: the callback was the team's.
    assert ids(queue(base, settings, jst(24, 15, 5), "op02"))[0] == "C01"
    # Asked about 15:21, op01 was working (the 15:20 call); at 15:51 the lease (to 15:40) and
    # the idle time after the 15:25 claim have run out, but the grace ended at 15:30 anyway.
    assert "C01" not in ids(queue(base, settings, jst(24, 15, 21), "op02"))
    short = with_calling(settings, session_idle_minutes=1, callback_handover_minutes=5)
    assert "C01" not in ids(queue(base, short, jst(24, 15, 26), "op02"))  # the lease counts
    assert ids(queue(base, short, jst(24, 15, 22), "op02"))[0] == "C01"  # the claim not yet
    # A callback made later is still pending at an earlier instant.
    call(base, settings, "C01", "no_answer", jst(24, 15, 30), "op01")
    assert ids(queue(base, settings, jst(24, 15, 6), "op02"))[0] == "C01"
    assert "C01" not in ids(queue(base, settings, jst(24, 15, 31), "op01"))
    assert "C01" not in ids(queue(base, settings, jst(24, 15, 31), None))


def test_a_callback_promised_later_is_unknown_before_its_promise(
    base: Engine, settings: Settings
) -> None:
    # Promised at 15:20 for 15:22: its slot opens 15:17, before the promise was made.
    promise(base, settings, "C02", "op03", jst(24, 15, 22), at=jst(24, 15, 20))
    before = queue(base, settings, jst(24, 15, 18), None)
    assert [e.external_id for e in before if e.callback_due] == ["C01"]
    after = queue(base, settings, jst(24, 15, 21), None)
    assert [e.external_id for e in after if e.callback_due] == ["C01", "C02"] == ids(after)[:2]


def customer_pk(conn, external_id: str) -> int:  # type: ignore[no-untyped-def]
    return conn.execute(select(Customer.id).where(Customer.external_id == external_id)).scalar_one()


def test_a_callback_obeys_the_calling_rules(base: Engine, settings: Settings) -> None:
    promise(base, settings, "C02", "op03", jst(24, 19, 58))
    promise(base, settings, "C03", "op03", jst(24, 16))
    with base.begin() as conn:  # C03's number goes on the do-not-call list after the promise
        conn.execute(insert(DoNotCall).values(e164="+819030000003", customer_id=None, source="registry",
                                              created_at=jst(24, 12)))  # fmt: skip
    assert "C03" not in ids(queue(base, settings, jst(24, 16), None))
    assert "C02" in ids(queue(base, settings, jst(24, 19, 58), None))
    assert queue(base, settings, jst(24, 20), None) == []  # the window closes at 20:00
    # Overdue callbacks stay at the top until made: Wednesday morning, C01 then C02.
    morning = queue(base, settings, jst(25, 9), "op02")
    assert ids(morning)[:2] == ["C01", "C02"] and all(e.callback_overdue for e in morning[:2])
    call(base, settings, "C01", "no_answer", jst(25, 9), "op02")
    assert ids(queue(base, settings, jst(25, 9, 1), "op02"))[0] == "C02"
