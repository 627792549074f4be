"""Query results as numpy columns, for the scoring run's million-row reads.

SQLAlchemy's row objects cost microseconds each; a million customers or three million
attempts come straight from the driver instead: integer columns into one int64 matrix,
text columns as plain lists.  Timestamps travel as integer microseconds since the Unix
epoch (`epoch_micros`), so differences of instants are exact, as `datetime` subtraction is.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection

from workbench.store.bulk import stored_time

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_micros(conn: Connection, column: str, null: int) -> str:
    """SQL for the stored UTC timestamp `column` as integer microseconds since the epoch; NULL → `null`.

    SQLite keeps SQLAlchemy's text form, 'YYYY-MM-DD HH:MM:SS.ffffff' (always six digits,
    as `bulk.stored_time` writes it too): whole seconds by strftime, the fraction as text.
    """
    if conn.dialect.name == "sqlite":
        # SQLite's date functions round to milliseconds: the whole seconds come from the text before the point.
        micros = f"({epoch_seconds(conn, f'substr({column}, 1, 19)')} * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"
    else:
        micros = f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"
    return f"COALESCE({micros}, {int(null)})"


def epoch_seconds(conn: Connection, column: str) -> str:
    """SQL for the timestamp `column` as integer seconds since the epoch (the fraction dropped on SQLite,
    rounded on PostgreSQL, as the answer model has always read them)."""
    if conn.dialect.name != "sqlite":
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    # unixepoch() (SQLite 3.38) gives strftime('%s')'s whole seconds at a third of the cost.
    return f"unixepoch({column})" if sqlite3.sqlite_version_info >= (3, 38) else f"CAST(strftime('%s', {column}) AS INTEGER)"


def datetime_of(micros: int, null: int) -> datetime | None:
    """The aware UTC instant of `micros` (None for `null`)."""
    return None if micros == null else EPOCH + timedelta(microseconds=int(micros))


def _driver_rows(conn: Connection, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of `sql` (named `:param` placeholders) as plain driver tuples, inside `conn`'s transaction."""
    time = stored_time(conn)
    values = {k: time(v) if isinstance(v, datetime) else v for k, v in params.items()}
    if conn.dialect.name != "sqlite":
        for name in sorted(values, key=len, reverse=True):
            sql = sql.replace(f":{name}", f"%({name})s")
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, values)
        return cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        cursor.close()


def int_columns(conn: Connection, sql: str, params: Mapping[str, Any] | None = None, width: int | None = None) -> np.ndarray:
    """The rows of `sql` as an int64 matrix (rows × columns); every value must be a non-NULL integer.

    `width` is the number of columns, needed when there may be no rows.
    """
    rows = _driver_rows(conn, sql, params or {})
    if not rows:
        return np.zeros((0, width or 0), dtype=np.int64)
    n = len(rows[0])
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=n * len(rows))
    return flat.reshape(len(rows), n)


def int_matrix(rows: Iterable[Iterable[Any]], width: int) -> np.ndarray:
    """Rows of integers (driver tuples or SQLAlchemy rows) as an int64 matrix of `width` columns."""
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64)
    return flat.reshape(-1, width)


def text_column(conn: Connection, sql: str, params: Mapping[str, Any] | None = None) -> list[str | None]:
    """The single column of `sql` as a list."""
    return [row[0] for row in _driver_rows(conn, sql, params or {})]


def rows(conn: Connection, sql: str, params: Mapping[str, Any] | None = None) -> Sequence[tuple[Any, ...]]:
    """Driver tuples of a small result (signals, groups)."""
    return _driver_rows(conn, sql, params or {})
