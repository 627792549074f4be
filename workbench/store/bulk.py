"""Bulk inserts of plain tuples: straight through the driver on SQLite, through SQLAlchemy elsewhere.

SQLAlchemy's per-row parameter processing costs more than SQLite's own insert
once rows come by the million; values must then already be in their stored
form, which `stored_time` gives for timestamps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Table, insert


def stored_time(conn: Connection) -> Callable[[datetime | None], object]:
    """How an aware datetime goes into `bulk_insert`: SQLAlchemy's SQLite text (UTC), or as it is."""
    if conn.dialect.name != "sqlite":
        return lambda value: value
    return lambda value: None if value is None else value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    """Insert rows given as tuples in `columns` order, inside the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(columns, row)) for row in rows])
        return
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
