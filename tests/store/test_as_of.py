"""`--at` in the past means the past: rows recorded after an instant change nothing seen at it.

Tuesday 24 November 2026, 12:00 Tokyo is the instant T.  Nine customers, scored at T.
Then, after T (Wednesday morning unless said otherwise), the database receives:

  A01  an order (imported)
  A02  a callback promised for Thursday
  A03  a refusal (not_interested)
  A04  a complaint
  A05  a do-not-call request (customer and number entries)
  A06  a win-back with a ¥12,800 order
  A07  a first order ever (a prospect at T)
  A08  a second order on T's own day, 15:00 (its first, 09:00, is before T)

and A09, left alone otherwise, is claimed by op02.  Classification, the customers list, every
`customers show`, the queue (its order, every score's parts, P(answer) included, and the
leases it honours) and `queue --explain` at T must be what they were before those rows.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from workbench.config import Settings
from workbench.services.call_queue import queue_at
from workbench.services.claim import claim
from workbench.services.customers import attack_list, classify_all, show_customer
from workbench.services.dispose import Disposition, dispose
from workbench.services.explain import explain
from workbench.services.importer import import_file
from workbench.services.scoring import rescore

JST = ZoneInfo("Asia/Tokyo")
T = datetime(2026, 11, 24, 12, 0, tzinfo=JST)
LATER = datetime(2026, 11, 26, 12, 0, tzinfo=JST)
IDS = [f"A0{n}" for n in range(1, 10)]


def wed(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 25, hour, minute, tzinfo=JST)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


CUSTOMER_HEADER = ["customer_id", "name", "kind", "phone", "do_not_call"]
TRANSACTION_HEADER = ["customer_id", "ordered_at", "amount", "category"]


def _customers(flagged: str | None = None) -> list[list[str]]:
    return [
        [cid, f"顧客 {cid}", "b2c", f"090-4000-00{n:02d}", "1" if cid == flagged else "0"]
        for n, cid in enumerate(IDS, 1)
    ]


def _view(engine: Engine, settings: Settings, at: datetime) -> dict[str, object]:
    """Everything the customer commands and `--explain` show at `at`."""
    return {
        "classify": [dataclasses.astuple(s) for s in classify_all(engine, settings, at)],
        "dormant": [s.external_id for s in attack_list(engine, settings, at, state="dormant")],
        "show": {cid: _detail(engine, settings, cid, at) for cid in IDS},
        "explain": explain(engine, settings, at).as_json(),
        "explain_op02": explain(engine, settings, at, operator="op02").as_json(),
        "queue": _queue(engine, settings, at, None),
        "queue_op01": _queue(engine, settings, at, "op01"),
    }


def _queue(engine: Engine, settings: Settings, at: datetime, operator: str | None) -> object:
    entries = queue_at(engine, settings, at, operator, 20)
    return [(e.external_id, e.parts.as_json(), e.callback_due) for e in entries]


def _detail(engine: Engine, settings: Settings, cid: str, at: datetime) -> object:
    d = show_customer(engine, settings, cid, at)
    return (
        dataclasses.astuple(d.summary),
        d.customer,
        d.phones,
        d.purchases,
        d.contacts,
        d.do_not_call,
    )


@pytest.fixture
def scored(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    before = [
        [cid, "2026-03-01T10:00+09:00", str(5000 + 1000 * n), "food"]
        for n, cid in enumerate(IDS, 1)
        if cid not in ("A07", "A08")
    ]
    before += [
        ["A01", "2026-01-15T10:00+09:00", "7000", "stationery"],
        ["A08", "2026-11-24T09:00+09:00", "4000", "food"],
    ]
    assert (
        import_file(
            engine,
            "customers",
            _write(tmp_path / "c.csv", CUSTOMER_HEADER, _customers()),
            settings,
            now=T,
        ).rejected
        == 0
    )
    assert (
        import_file(
            engine,
            "transactions",
            _write(tmp_path / "t.csv", TRANSACTION_HEADER, before),
            settings,
            now=T,
        ).rejected
        == 0
    )
    rescore(engine, settings, T)
    return engine


def _add_later_rows(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    later = [
        ["A01", "2026-11-25T09:00+09:00", "3000", "stationery"],
        ["A07", "2026-11-25T09:30+09:00", "6000", "food"],
        ["A08", "2026-11-24T15:00+09:00", "2500", "food"],
    ]
    assert (
        import_file(
            engine,
            "transactions",
            _write(tmp_path / "t2.csv", TRANSACTION_HEADER, later),
            settings,
            now=wed(9),
        ).inserted
        == 3
    )

    def call(cid: str, outcome: str, at: datetime, **extra: object) -> None:
        dispose(
            engine,
            settings,
            Disposition(customer_id=cid, outcome=outcome, at=at, operator="op01", **extra),
        )  # type: ignore[arg-type]

    call("A02", "callback", wed(10), callback_at=datetime(2026, 11, 26, 11, 0, tzinfo=JST))
    call("A03", "not_interested", wed(10, 5))
    call("A04", "complaint", wed(10, 10))
    call("A05", "do_not_call", wed(10, 15))
    call("A06", "reactivated", wed(10, 20), amount=12800)
    leased = claim(engine, settings, "op02", wed(10, 30))
    assert leased is not None and leased.external_id == "A09"


def test_rows_recorded_after_at_are_invisible_at_at(
    scored: Engine, settings: Settings, tmp_path: Path
) -> None:
    seen = _view(scored, settings, T)
    assert seen["explain"]["in_callable_states"] == 7 and seen["explain"]["held_back"] == {}  # type: ignore[index]
    _add_later_rows(scored, settings, tmp_path)

    assert _view(scored, settings, T) == seen

    # The later rows are there: at a later instant they show.
    states = {s.external_id: s.state for s in classify_all(scored, settings, LATER)}
    assert (states["A01"], states["A04"], states["A05"], states["A06"], states["A07"]) == (
        "active", "churned", "churned", "active", "active",
    )  # fmt: skip
    a08 = show_customer(scored, settings, "A08", LATER).summary
    assert (a08.n_orders, a08.n_days, a08.first_day_amount) == (2, 1, 6500)
    at_t = show_customer(scored, settings, "A08", T).summary
    assert (at_t.n_orders, at_t.n_days, at_t.first_day_amount, at_t.monetary) == (1, 1, 4000, 4000)
    held = explain(scored, settings, wed(10, 35)).held_back
    assert held["refused"] == 1 and held["do_not_call"] == 1 and held["leased"] == 1


def test_a_rescore_at_the_earlier_instant_gives_the_same_view(
    scored: Engine, settings: Settings, tmp_path: Path
) -> None:
    seen = _view(scored, settings, T)
    _add_later_rows(scored, settings, tmp_path)
    rescore(scored, settings, T)
    again = _view(scored, settings, T)
    assert again["classify"] == seen["classify"]
    assert again["show"] == seen["show"]
    assert again["explain"] == seen["explain"]


def test_a_do_not_call_flag_from_a_customers_file_counts_at_every_instant(
    scored: Engine, settings: Settings, tmp_path: Path
) -> None:
    """The flag carries no date (like the call opt-out): suppression does not wait for the import's clock."""
    flagged = _write(tmp_path / "c2.csv", CUSTOMER_HEADER, _customers(flagged="A01"))
    assert import_file(scored, "customers", flagged, settings, now=LATER).rejected == 0
    assert {s.external_id: s.state for s in classify_all(scored, settings, T)}["A01"] == "churned"
    assert show_customer(scored, settings, "A01", T).summary.state == "churned"
    assert [d["source"] for d in show_customer(scored, settings, "A01", T).do_not_call] == [
        "import"
    ]
    assert explain(scored, settings, T).held_back["do_not_call"] == 1
