"""Query results as numpy columns, for the scoring run's million-row reads.

SQLAlchemy's row objects cost microseconds each, and even the driver's own row tuples
dominate a read of a million customers or three million attempts; `fetch` brings each
column as one array instead: int64 arrays and lists of text.  Timestamps travel as integer microseconds since the Unix
epoch (`epoch_micros`), so differences of instants are exact, as `datetime` subtraction is.
"""

from __future__ import annotations

import itertools
import json
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


def instant_column(conn: Connection, column: str, null: int) -> tuple[str, str]:
    """The SQL and `fetch` kind reading the UTC timestamp `column` as microseconds since the epoch.

    On SQLite the stored text itself ("u": numpy parses a million in a fraction of what SQLite's
    date functions take, exactly, with NULL as NaT, int64's minimum); elsewhere `epoch_micros`.
    """
    if conn.dialect.name == "sqlite":
        if null != NAT:
            raise ValueError("a SQLite timestamp column reads NULL as NaT (int64's minimum)")
        return column, "u"
    return epoch_micros(conn, column, null), "i"


NAT = int(np.iinfo(np.int64).min)  # numpy's NaT as an integer: what "u" gives for NULL


def _instants(text: str, count: int) -> np.ndarray:
    values = json.loads(text)
    if len(values) != count:
        raise ValueError(f"expected {count} timestamps, parsed {len(values)}")
    return np.array(["NaT" if v is None else v for v in values], dtype="datetime64[us]").view(
        np.int64
    )


def epoch_seconds(conn: Connection, column: str) -> str:
    """SQL for the timestamp `column` as integer seconds since the epoch (the fraction dropped on SQLite,
    rounded on PostgreSQL, as the answer model has always read them)."""
    if conn.dialect.name != "sqlite":
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    # unixepoch() (SQLite 3.38) gives strftime('%s')'s whole seconds at a third of the cost.
    return (
        f"unixepoch({column})"
        if sqlite3.sqlite_version_info >= (3, 38)
        else f"CAST(strftime('%s', {column}) AS INTEGER)"
    )


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


def fetch(conn: Connection, sql: str, params: Mapping[str, Any] | None = None, kinds: str = "i",
          *, by_first: bool = False) -> list[Any]:  # fmt: skip
    """The columns of `sql`, one per letter of `kinds`: "i" an int64 array (no NULLs), "t" a list of text,
    "u" SQLite's stored timestamps as int64 microseconds (see `instant_column`).

    On SQLite the rows come back as one JSON array per column from a single aggregate pass
    (the C library writes them; Python parses four bytes a value instead of building a row
    tuple each), so the columns stay aligned with each other, though in no particular row
    order: `by_first` sorts them by the first column.  Elsewhere the driver's rows are split.
    """
    if conn.dialect.name == "sqlite":
        names = [f"c{k}" for k in range(len(kinds))]
        arrays = ", ".join(f"json_group_array({name})" for name in names)
        count, *texts = _driver_rows(
            conn,
            f"WITH q({', '.join(names)}) AS ({sql}) SELECT count(*), {arrays} FROM q",
            params or {},
        )[0]
        out: list[Any] = [
            _ints(text, count)
            if kind == "i"
            else _instants(text, count)
            if kind == "u"
            else json.loads(text)
            for kind, text in zip(kinds, texts, strict=True)
        ]
    else:
        rows = _driver_rows(conn, sql, params or {})
        split = list(zip(*rows, strict=True)) if rows else [()] * len(kinds)
        out = [
            np.array(col, dtype=np.int64) if kind in "iu" else list(col)
            for kind, col in zip(kinds, split, strict=True)
        ]
    if by_first and len(out[0]):
        order = np.argsort(out[0], kind="stable")
        if np.any(order != np.arange(len(order))):
            out = [
                col[order] if isinstance(col, np.ndarray) else [col[i] for i in order.tolist()]
                for col in out
            ]
    return out


def _ints(text: str, count: int) -> np.ndarray:
    values = (
        np.fromstring(text[1:-1], dtype=np.int64, sep=",") if count else np.zeros(0, dtype=np.int64)
    )
    if len(values) != count:
        raise ValueError(
            f"expected {count} integers, parsed {len(values)} (a NULL in an integer column?)"
        )
    return values


def int_columns(
    conn: Connection, sql: str, params: Mapping[str, Any] | None = None, width: int = 1
) -> np.ndarray:
    """The rows of `sql` (`width` non-NULL integer columns) as an int64 matrix, in no particular order."""
    return (
        np.stack(fetch(conn, sql, params, "i" * width), axis=1)
        if width
        else np.zeros((0, 0), dtype=np.int64)
    )


def int_matrix(rows: Iterable[Iterable[Any]], width: int) -> np.ndarray:
    """Rows of integers (driver tuples or SQLAlchemy rows) as an int64 matrix of `width` columns."""
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64)
    return flat.reshape(-1, width)


def rows(
    conn: Connection, sql: str, params: Mapping[str, Any] | None = None
) -> Sequence[tuple[Any, ...]]:
    """Driver tuples of a small result, in the query's order."""
    return _driver_rows(conn, sql, params or {})
