"""`queue --explain`: every customer in a callable state is counted under the first rule
that holds them back, on both backends, against a fixture counted by hand.

Tuesday 24 November 2026, Tokyo.  The scoring run is at 07:00; the day's calls are
recorded through `dispose` (and one claim), and the explanation is asked for at 14:00:

  E01  do_not_call   asked not to be called at 10:00 (a disposition after the scoring run)
  E02  do_not_call   its number is on the do-not-call list (a number-only entry)
  E03  refused       said not_interested in May (imported history)
  E04  retry_gap     no_answer at 13:00: callable again at 17:00
  E05  daily_cap     busy at 09:00 and busy at 09:30: callable again Wednesday 09:00
  E06  leased        claimed by op02 at 13:55 (lease until 14:10)
  E07–E10 callable

plus one active customer, one prospect and one churned (do-not-call flag in the
import) who are not in a callable state and so are not counted at all.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert

from workbench.config import Settings
from workbench.services.claim import claim
from workbench.services.dispose import Disposition, dispose
from workbench.services.explain import explain
from workbench.services.importer import import_file
from workbench.services.scoring import rescore
from workbench.store.models import DoNotCall

JST = ZoneInfo("Asia/Tokyo")


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


SCORED_AT = jst(24, 7)
AT = jst(24, 14)
DORMANT = [f"E{i:02d}" for i in range(1, 11)]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _customers() -> list[list[str]]:
    rows = [
        [cid, f"顧客 {cid}", "b2c", f"090-2000-00{n:02d}", "0"]
        for n, cid in enumerate(DORMANT, start=1)
    ]
    rows += [
        ["ACT", "顧客 ACT", "b2c", "090-2000-0091", "0"],
        ["PRO", "顧客 PRO", "b2c", "090-2000-0092", "0"],
        ["CHU", "顧客 CHU", "b2c", "090-2000-0093", "1"],
    ]
    return rows


def _transactions() -> list[list[str]]:
    # E06 is by far the most valuable, so the first claim of the afternoon takes it.
    rows = [
        [cid, "2026-02-01T12:00+09:00", "500000" if cid == "E06" else "10000"] for cid in DORMANT
    ]
    rows += [["ACT", "2026-11-01T12:00+09:00", "8000"], ["CHU", "2026-02-01T12:00+09:00", "8000"]]
    return rows


@pytest.fixture
def day(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    files = {
        "customers": _write(
            tmp_path / "customers.csv",
            ["customer_id", "name", "kind", "phone", "do_not_call"],
            _customers(),
        ),
        "transactions": _write(
            tmp_path / "transactions.csv", ["customer_id", "ordered_at", "amount"], _transactions()
        ),
        "contacts": _write(
            tmp_path / "contacts.csv",
            ["customer_id", "at", "channel", "outcome", "operator"],
            [["E03", "2026-05-12T11:00+09:00", "call", "not_interested", "op09"]],
        ),
    }
    for kind, path in files.items():
        assert import_file(engine, kind, path, settings, now=SCORED_AT).rejected == 0  # type: ignore[arg-type]
    with engine.begin() as conn:
        # A number on the do-not-call list, whoever it belongs to (no customer attached).
        conn.execute(
            insert(DoNotCall).values(
                e164="+819020000002", customer_id=None, source="registry", created_at=SCORED_AT
            )
        )
    rescore(engine, settings, SCORED_AT)

    def call(cid: str, outcome: str, at: datetime) -> None:
        dispose(
            engine, settings, Disposition(customer_id=cid, outcome=outcome, at=at, operator="op01")
        )

    call("E05", "busy", jst(24, 9))
    call("E05", "busy", jst(24, 9, 30))
    call("E01", "do_not_call", jst(24, 10))
    call("E04", "no_answer", jst(24, 13))
    leased = claim(engine, settings, "op02", jst(24, 13, 55))
    assert leased is not None and leased.external_id == "E06"
    return engine


def test_counts_per_rule_at_two_in_the_afternoon(day: Engine, settings: Settings) -> None:
    result = explain(day, settings, AT)
    assert dict(result.held_back) == {
        "do_not_call": 2,
        "refused": 1,
        "retry_gap": 1,
        "daily_cap": 1,
        "leased": 1,
    }
    assert result.callable_now == 4
    assert result.in_callable_states == 10
    assert result.by_state == {"dormant": 10, "active": 1, "prospect": 1, "churned": 1}
    # E04's retry gap ends first: 13:00 + 4 h.
    assert result.next_callable_at == jst(24, 17)
    data = result.as_json()
    assert data["callable_now"] == 4
    assert data["held_back"] == {
        "do_not_call": 2,
        "refused": 1,
        "retry_gap": 1,
        "daily_cap": 1,
        "leased": 1,
    }
    assert datetime.fromisoformat(str(data["next_callable_at"])) == jst(24, 17)
    assert datetime.fromisoformat(str(data["at"])) == AT


def test_the_lease_holder_sees_the_leased_customer_as_callable(
    day: Engine, settings: Settings
) -> None:
    result = explain(day, settings, AT, operator="op02")
    assert "leased" not in result.held_back
    assert result.callable_now == 5
    other = explain(day, settings, AT, operator="op03")
    assert other.held_back["leased"] == 1 and other.callable_now == 4


def test_counts_agree_with_the_queue(day: Engine, settings: Settings) -> None:
    from workbench.services.queue import read_queue

    with day.connect() as conn:
        entries = read_queue(conn, settings, AT, None, 50)
    assert sorted(e.external_id for e in entries) == ["E07", "E08", "E09", "E10"]


def test_after_the_gap_and_the_lease(day: Engine, settings: Settings) -> None:
    # 17:00: E04's gap is over and E06's lease (until 14:10) has expired.
    result = explain(day, settings, jst(24, 17))
    assert dict(result.held_back) == {"do_not_call": 2, "refused": 1, "daily_cap": 1}
    assert result.callable_now == 6
    assert result.next_callable_at == jst(25, 9)  # E05: Wednesday's first window minute


def test_outside_the_window_everyone_waits_for_the_morning(day: Engine, settings: Settings) -> None:
    result = explain(day, settings, jst(24, 20, 30))
    # The window check comes before the gap and the cap: all seven are outside_window.
    assert dict(result.held_back) == {"do_not_call": 2, "refused": 1, "outside_window": 7}
    assert result.callable_now == 0
    assert result.next_callable_at == jst(25, 9)


def test_saturday_evening_waits_for_monday(day: Engine, settings: Settings) -> None:
    # Saturday 28th after 20:00; Sunday has no window, so Monday 30th 09:00.
    result = explain(day, settings, jst(28, 20, 0))
    assert result.held_back["outside_window"] == 7
    assert result.next_callable_at == jst(30, 9)


def test_churned_customers_count_only_when_they_may_be_called(
    day: Engine, settings: Settings
) -> None:
    churned = dataclasses.replace(
        settings, calling=dataclasses.replace(settings.calling, include_churned=True)
    )
    result = explain(day, churned, AT)
    # CHU joins the callable states, held back by its do-not-call flag.
    assert result.in_callable_states == 11
    assert result.held_back["do_not_call"] == 3
    assert result.callable_now == 4


def test_nothing_to_call_has_no_next_instant(day: Engine, settings: Settings) -> None:
    for cid in ("E07", "E08", "E09", "E10", "E04", "E05", "E06"):
        dispose(
            day,
            settings,
            Disposition(
                customer_id=cid,
                outcome="not_interested",
                at=jst(25, 10) + timedelta(minutes=1),
                operator="op01",
            ),
        )
    result = explain(day, settings, jst(25, 11))
    assert result.callable_now == 0
    assert result.held_back["refused"] == 8
    assert result.next_callable_at is None
