"""Columnar reads and the table replacement the scoring run uses, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, inspect, select

from workbench.domain.lifecycle import NO_TIME, micros
from workbench.store.bulk import replace_all, stored_time
from workbench.store.columns import epoch_micros, fetch, instant_column, int_columns
from workbench.store.models import ContactAttempt, Customer, QueueScore

customers = Customer.__table__
attempts = ContactAttempt.__table__
scores = QueueScore.__table__
AT = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)
INSTANTS = [
    datetime(
        2026, 3, 1, 1, 0, 0, 999_999, tzinfo=UTC
    ),  # SQLite's date functions would round this up a second
    datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, 0, 1, tzinfo=UTC),
]


def _customers(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(customers),
            [{"external_id": f"C{i}", "name": f"顧客 {i}", "kind": "b2c"} for i in range(1, n + 1)],
        )


def test_timestamps_come_back_as_exact_microseconds(engine: Engine) -> None:
    _customers(engine, 1)
    with engine.begin() as conn:
        conn.execute(
            insert(attempts),
            [
                {"customer_id": 1, "channel": "call", "at": at, "outcome": "no_answer"}
                for at in INSTANTS
            ],
        )
        conn.execute(
            insert(attempts),
            [
                {
                    "customer_id": 1,
                    "channel": "call",
                    "at": AT,
                    "outcome": "busy",
                    "callback_at": None,
                }
            ],
        )
    with engine.connect() as conn:
        ids, at_us, callback_us = fetch(conn, f"""
            SELECT id, {epoch_micros(conn, 'at', NO_TIME)}, {epoch_micros(conn, 'callback_at', NO_TIME)}
            FROM contact_attempts WHERE at <= :at""", {"at": AT}, kinds="iii", by_first=True)  # fmt: skip
    assert ids.tolist() == [1, 2, 3, 4, 5]
    assert at_us.tolist() == [micros(at) for at in [*INSTANTS, AT]]
    assert set(callback_us.tolist()) == {NO_TIME}
    with engine.connect() as conn:
        # The stored text parsed by numpy (SQLite) gives the same exact microseconds, NULL as NO_TIME.
        (at_sql, at_kind), (cb_sql, cb_kind) = (
            instant_column(conn, c, NO_TIME) for c in ("at", "callback_at")
        )
        ids, at_us, callback_us = fetch(conn, f"""
            SELECT id, {at_sql}, {cb_sql} FROM contact_attempts WHERE at <= :at""", {"at": AT},
            kinds=f"i{at_kind}{cb_kind}", by_first=True)  # fmt: skip
    assert at_kind == ("u" if engine.dialect.name == "sqlite" else "i")
    assert at_us.tolist() == [micros(at) for at in [*INSTANTS, AT]]
    assert set(callback_us.tolist()) == {NO_TIME}


def test_columns_stay_aligned_whatever_the_row_order(engine: Engine) -> None:
    _customers(engine, 5)
    with engine.begin() as conn:
        conn.execute(
            customers.update()
            .where(customers.c.id == 4)
            .values(company="株式会社 'テスト', \"引用\"", kind="b2b")
        )
    with engine.connect() as conn:
        ids, names, companies, b2b = fetch(conn, """
            SELECT id, name, company, CASE WHEN kind = 'b2b' THEN 1 ELSE 0 END FROM customers
            WHERE id >= :low ORDER BY id DESC""", {"low": 2}, kinds="itti", by_first=True)  # fmt: skip
        assert ids.tolist() == [2, 3, 4, 5] and names == ["顧客 2", "顧客 3", "顧客 4", "顧客 5"]
        assert companies == [None, None, "株式会社 'テスト', \"引用\"", None] and b2b.tolist() == [
            0,
            0,
            1,
            0,
        ]
        assert int_columns(
            conn, "SELECT id FROM customers WHERE id > :top", {"top": 9}, width=1
        ).shape == (0, 1)
        with pytest.raises(Exception):  # noqa: B017 (a NULL cannot be an integer)
            fetch(conn, "SELECT company FROM customers", kinds="i")


def _rows(start: float) -> list[tuple[object, ...]]:
    return [(cid, start + cid, "dormant", "b2c", 1.0, 0.5, 1.0, 0.1, 0.0, False, "unknown", "guessed", None,
             None, 1.0, 0.0, None) for cid in (1, 2, 3)]  # fmt: skip


COLUMNS = (
    "customer_id", "base_score", "state", "segment", "value", "p_alive", "expected_orders", "p_come_back",
    "season", "deadline", "reason", "reason_source", "permanent_block", "winback_key", "expected_spend",
    "reason_confidence", "blocked_until",
)  # fmt: skip


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(scores.c.customer_id, scores.c.base_score, scores.c.scored_at,
                                                     scores.c.horizon_weeks).order_by(scores.c.customer_id))]  # fmt: skip


def test_replace_all_swaps_every_row_and_keeps_the_indexes(engine: Engine) -> None:
    _customers(engine, 3)
    before = {ix["name"] for ix in inspect(engine).get_indexes("queue_scores")}
    for start, horizon in ((10.0, 52.0), (20.0, 26.0)):
        with engine.begin() as conn:
            replace_all(
                conn,
                scores,
                COLUMNS,
                iter(_rows(start)),
                {"scored_at": stored_time(conn)(AT), "horizon_weeks": horizon},
            )
    assert _stored(engine) == [(cid, 20.0 + cid, AT, 26.0) for cid in (1, 2, 3)]
    assert (
        {ix["name"] for ix in inspect(engine).get_indexes("queue_scores")}
        == before
        >= {"ix_queue_scores_candidates"}
    )


def test_a_failed_replacement_leaves_rows_and_indexes_as_they_were(engine: Engine) -> None:
    _customers(engine, 3)
    with engine.begin() as conn:
        replace_all(
            conn,
            scores,
            COLUMNS,
            iter(_rows(10.0)),
            {"scored_at": stored_time(conn)(AT), "horizon_weeks": 52.0},
        )
    broken = [*_rows(30.0), _rows(30.0)[0]]  # customer 1 twice: the primary key refuses it
    with pytest.raises(Exception), engine.begin() as conn:  # noqa: B017 (the driver's own integrity error)
        replace_all(
            conn,
            scores,
            COLUMNS,
            iter(broken),
            {"scored_at": stored_time(conn)(AT + timedelta(days=1)), "horizon_weeks": 52.0},
        )
    assert _stored(engine) == [(cid, 10.0 + cid, AT, 52.0) for cid in (1, 2, 3)]
    assert "ix_queue_scores_candidates" in {
        ix["name"] for ix in inspect(engine).get_indexes("queue_scores")
    }
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scores)).scalar_one() == 3
