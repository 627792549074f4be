"""Planner statistics after bulk writes, on PostgreSQL.

PostgreSQL plans every query from table statistics that autovacuum refreshes some time
after a change, and never where it is turned off.  A table an import has just filled, or
that a scoring run has just rewritten, is then planned as the empty table it was: the
queue's reads become sequential scans (on 100,000 customers a claim took 132 ms at the
median, 31 ms after `ANALYZE`).  So the writers of bulk changes refresh the statistics of
what they wrote, at once.  SQLite keeps no statistics unless asked and plans well without
them, so nothing is done there.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

IMPORTED_TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("customers", "phones", "do_not_call"),
    "transactions": ("transactions", "customer_metrics"),
    "contacts": ("contact_attempts", "do_not_call", "customers"),
}
SCORED_TABLES = ("queue_scores", "model_state")


def refresh_statistics(engine: Engine, tables: Sequence[str]) -> None:
    """`ANALYZE` the named tables on PostgreSQL (in their own transaction, after the write's commit)."""
    if engine.dialect.name != "postgresql" or not tables:
        return
    preparer = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "ANALYZE " + ", ".join(preparer.quote(t) for t in dict.fromkeys(tables))
        )
