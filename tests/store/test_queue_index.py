"""The claim's candidate page is read through the queue's partial index, on both backends.

Ordered by the score alone, a page walked past every active customer (the highest scores,
never in the win-back queue): 6,400 table rows for 24 candidates on a million customers.
A partial index is used only when the query repeats its condition, so the check is on the
plan of the very statement `read_queue` sends.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event

from workbench.services.queue import read_queue
from workbench.store.engine import make_engine

AT = datetime(2026, 11, 4, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _candidate_statement(engine, settings) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if (
            "FROM queue_scores" in statement
            and "ORDER BY queue_scores.base_score DESC" in statement
        ):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.connect() as conn:
            read_queue(conn, settings, AT, "op1", 5, random.Random(1))
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert sent, "read_queue sent no candidate page"
    return sent[0]


def test_the_candidate_page_uses_the_partial_index(db_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    statement, parameters = _candidate_statement(engine, settings)
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        else:
            # An empty table is cheapest to scan: forbid that, so only an index the planner
            # may use for this query (its condition proven by the query's) can serve it.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
        plan = " ".join(str(row) for row in cursor.fetchall())
        cursor.close()
    engine.dispose()
    assert "ix_queue_scores_candidates" in plan, plan
