"""Bulk inserts of plain tuples: straight through the driver on SQLite, through SQLAlchemy elsewhere.

SQLAlchemy's per-row parameter processing costs more than SQLite's own insert
once rows come by the million; values must then already be in their stored
form, which `stored_time` gives for timestamps.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Connection, Table, insert


def stored_time(conn: Connection) -> Callable[[datetime | None], object]:
    """How an aware datetime goes into `bulk_insert`: SQLAlchemy's SQLite text (UTC), or as it is."""
    if conn.dialect.name != "sqlite":
        return lambda value: value
    return lambda value: (
        None if value is None else value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
    )


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> None:
    """Insert rows given as tuples in `columns` order, inside the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(columns, row)) for row in rows])
        return
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def replace_all(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[object, ...]],
    constants: Mapping[str, object] | None = None,
) -> None:
    """Replace every row of `table` with `rows` (tuples in `columns` order), inside the caller's transaction.

    `constants` are columns with one value for every row, given once.  A million rows:

    * SQLite: the table's secondary indexes are dropped first and built again at the end
      (sorting once beats a million random index inserts, and a plain DELETE visits every
      row to maintain them), with a larger page cache for the duration.  Other connections
      see the old rows and indexes until the commit (WAL).
    * PostgreSQL: DELETE, then COPY.
    """
    fixed = dict(constants or {})
    names = [*columns, *fixed]
    if conn.dialect.name != "sqlite":
        conn.execute(table.delete())
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            values = tuple(fixed.values())
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *values))
        finally:
            cursor.close()
        return
    indexes = sorted(table.indexes, key=lambda index: str(index.name))
    raw = cast(sqlite3.Connection, conn.connection.driver_connection)  # the pysqlite driver's own
    if not raw.in_transaction:
        raw.execute(
            "BEGIN"
        )  # DDL opens no transaction by itself: the indexes must come back with the rows
    (cache_pages,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size={-BULK_CACHE_KIB}")
    try:
        for index in indexes:
            index.drop(conn)
        conn.execute(table.delete())
        marks = ", ".join(["?"] * len(columns) + [_sqlite_literal(v) for v in fixed.values()])
        cursor = raw.cursor()
        try:
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", rows
            )
        finally:
            cursor.close()
        raw.execute("PRAGMA threads=2")  # the index sorts may use a helper thread
        for index in indexes:
            index.create(conn)
    finally:
        raw.execute(f"PRAGMA cache_size={cache_pages}")
        raw.execute("PRAGMA threads=0")


BULK_CACHE_KIB = 256 * 1024  # SQLite page cache while replacing a table: the whole index fits


def _sqlite_literal(value: object) -> str:
    """A constant for the SQL text: numbers as they are, text quoted, None as NULL."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {value!r}")


_FINGERPRINT_INDEX = "CREATE UNIQUE INDEX ux_transactions_fingerprint ON transactions (fingerprint)"


def start_bulk_load(conn: Connection) -> bool:
    """Before a first load into an empty SQLite table: drop the fingerprint index, to build it at the end.

    Keeping a ten-million-entry unique index on random 64-bit keys up to date
    row by row costs several times more than sorting the keys once.  (The
    customer index stays: export files come in customer order, so it grows at
    its end.)  Inside the import's transaction, so a kill or an error brings
    the index back.
    """
    if (
        conn.dialect.name != "sqlite"
        or conn.exec_driver_sql("SELECT 1 FROM transactions LIMIT 1").first() is not None
    ):
        return False
    # The sqlite3 driver opens its transaction at the first data change, not at DDL: open it
    # now, or the drop below would commit at once and outlive a failed import.
    conn.exec_driver_sql("DELETE FROM transactions WHERE 0")
    if not conn.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        raise RuntimeError("bulk load outside a transaction")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ux_transactions_fingerprint")
    return True


def finish_bulk_load(conn: Connection) -> int:
    """Remove repeated purchases (the first in file order stays), build the index; returns how many went."""
    conn.exec_driver_sql("PRAGMA threads=2")  # the index sort may use a helper thread
    removed = 0
    if not _try_ddl(conn, _FINGERPRINT_INDEX):
        removed = conn.exec_driver_sql(
            "DELETE FROM transactions WHERE id IN (SELECT id FROM (SELECT id, "
            "ROW_NUMBER() OVER (PARTITION BY fingerprint ORDER BY id) AS n FROM transactions) WHERE n > 1)"
        ).rowcount
        conn.exec_driver_sql(_FINGERPRINT_INDEX)
    conn.exec_driver_sql("PRAGMA threads=0")
    return max(removed, 0)


def _try_ddl(conn: Connection, ddl: str) -> bool:
    """Run DDL that may fail on the data (a unique index over repeats); the transaction goes on either way."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(ddl)
    except sqlite3.IntegrityError:
        return False
    finally:
        cursor.close()
    return True
