"""PostgreSQL: an import and a scoring run leave the planner statistics of what they wrote.

Without them, a table filled a moment ago is planned as the empty table it was (autovacuum
analyzes later, or never where it is off) and every queue read scans it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from workbench.services.importer import import_file
from workbench.services.scoring import rescore
from workbench.store.table_stats import IMPORTED_TABLES, SCORED_TABLES

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def _analyzed(engine: Engine) -> dict[str, int]:
    """Table → rows as the planner knows them, for the tables `ANALYZE` (not autovacuum) has seen."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.relname, c.reltuples FROM pg_stat_user_tables s "
                "JOIN pg_class c ON c.oid = s.relid "
                "WHERE s.schemaname = current_schema() AND s.last_analyze IS NOT NULL"
            )
        ).all()
    return {name: int(tuples) for name, tuples in rows}


def _write(path: Path, text_: str) -> Path:
    path.write_text(text_, encoding="utf-8")
    return path


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite keeps no statistics
def test_imports_and_a_rescore_analyze_what_they_wrote(
    engine: Engine,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    people = "customer_id,name,kind,phone\n" + "".join(
        f"K{i:03d},顧客{i},b2c,090-4000-{i:04d}\n" for i in range(40)
    )
    orders = "customer_id,ordered_at,amount,category\n" + "".join(
        f"K{i:03d},2025-0{1 + i % 9}-15T10:00+09:00,{1000 + i},food\n" for i in range(40)
    )
    calls = "customer_id,at,channel,outcome\n" + "".join(
        f"K{i:03d},2025-10-0{1 + i % 9}T11:00+09:00,call,no_answer\n" for i in range(40)
    )
    assert _analyzed(engine) == {}

    import_file(engine, "customers", _write(tmp_path / "c.csv", people), settings, now=NOW)
    assert set(IMPORTED_TABLES["customers"]) <= set(_analyzed(engine))
    assert _analyzed(engine)["customers"] == 40
    import_file(engine, "transactions", _write(tmp_path / "t.csv", orders), settings, now=NOW)
    assert _analyzed(engine)["transactions"] == 40
    import_file(engine, "contacts", _write(tmp_path / "h.csv", calls), settings, now=NOW)
    assert _analyzed(engine)["contact_attempts"] == 40

    rescore(engine, settings, NOW)
    analyzed = _analyzed(engine)
    assert set(SCORED_TABLES) <= set(analyzed)
    assert analyzed["queue_scores"] == 40
