"""`workbench import`: one file, one transaction, every rejected row accounted for.

The whole file is written in a single transaction, so a crash, a kill or a
file that turns out malformed halfway leaves the database as it was; since
every write is keyed (external id, row fingerprint), re-running is safe.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from workbench.config import Settings
from workbench.importing import records, writer
from workbench.importing.csvfile import CsvRow, CsvSource, ImportFileError, load_mapping
from workbench.importing.records import RowError

ImportKind = Literal["customers", "transactions", "contacts"]
BATCH = 5000
Progress = Callable[[int, int], None]


@dataclass
class ImportSummary:
    kind: str
    path: str
    encoding: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_path: str | None = None
    seconds: float = 0.0
    reject_columns: dict[str, int] = field(default_factory=dict)


class _Rejects:
    """Writes rejected rows as they come: file, line, column, reason, then the row itself."""

    def __init__(self, path: Path, source: Path) -> None:
        self.path = path
        self.source = source
        self.count = 0
        self.by_column: dict[str, int] = {}
        self._fh = None
        self._writer: csv.writer | None = None  # type: ignore[valid-type]

    def add(self, row: CsvRow, column: str, reason: str) -> None:
        if self._writer is None:
            self._fh = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(["file", "line", "column", "reason", "row"])
        raw = ",".join(f"{k}={v}" for k, v in row.values.items())
        self._writer.writerow([str(self.source), row.line, column, reason, raw])
        self.count += 1
        self.by_column[column] = self.by_column.get(column, 0) + 1

    def close(self, keep: bool) -> None:
        if self._fh is not None:
            self._fh.close()
            if not keep:
                self.path.unlink(missing_ok=True)


def default_rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def import_file(
    engine: Engine,
    kind: ImportKind,
    path: Path,
    settings: Settings,
    encoding: str | None = None,
    mapping_path: Path | None = None,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    mapping = load_mapping(mapping_path) if mapping_path else None
    columns, required = _columns(kind)
    source = CsvSource(path, required, columns, encoding=encoding, mapping=mapping)
    summary = ImportSummary(kind=kind, path=str(path), encoding=source.encoding)
    rejects = _Rejects(rejects_path or default_rejects_path(path), path)
    zone = ZoneInfo(settings.timezone)
    ok = False
    try:
        with engine.begin() as conn:
            step = {"customers": _import_customers, "transactions": _import_transactions, "contacts": _import_contacts}[kind]
            step(conn, source, rejects, summary, settings, zone, now, progress)
        ok = True
    finally:
        rejects.close(keep=ok)
    summary.rejected = rejects.count
    summary.reject_columns = rejects.by_column
    summary.rejects_path = str(rejects.path) if rejects.count else None
    summary.seconds = time.perf_counter() - started
    return summary


def _columns(kind: ImportKind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if kind == "customers":
        return records.CUSTOMER_COLUMNS, records.CUSTOMER_REQUIRED
    if kind == "transactions":
        return records.TRANSACTION_COLUMNS, records.TRANSACTION_REQUIRED
    if kind == "contacts":
        return records.CONTACT_COLUMNS, records.CONTACT_REQUIRED
    raise ImportFileError(f"unknown import kind {kind!r}: customers, transactions or contacts")


def _validated(source: CsvSource, rejects: _Rejects, summary: ImportSummary, parse, progress: Progress | None) -> Iterator[list]:  # type: ignore[no-untyped-def]
    batch: list = []
    for row in source.rows():
        summary.rows += 1
        if row.problem:
            rejects.add(row, "*", row.problem)
            continue
        try:
            batch.append(parse(row))
        except RowError as exc:
            rejects.add(row, exc.column, exc.reason)
            continue
        if len(batch) >= BATCH:
            yield batch
            batch = []
            if progress:
                progress(source.bytes_read, source.size)
    if batch:
        yield batch
    if progress:
        progress(source.size, source.size)


def _import_customers(conn: Connection, source: CsvSource, rejects: _Rejects, summary: ImportSummary,
                      settings: Settings, zone: tzinfo, now: datetime, progress: Progress | None) -> None:  # fmt: skip
    counts = writer.WriteCounts()
    first_line: dict[str, int] = {}

    def parse(row: CsvRow) -> records.CustomerRecord:
        record = records.customer(row.values, settings.region, zone)
        seen = first_line.setdefault(record.external_id, row.line)
        if seen != row.line:
            raise RowError("customer_id", f"duplicate customer_id {record.external_id!r} (first at line {seen})")
        return record

    for batch in _validated(source, rejects, summary, parse, progress):
        counts.add(writer.write_customers(conn, batch, now))
    _apply(summary, counts)


def _keyed(rejects: _Rejects, ids: dict[str, int], parse):  # type: ignore[no-untyped-def]
    """Parse a row and attach the stored customer's id, or reject it as unknown."""

    def run(row: CsvRow):  # type: ignore[no-untyped-def]
        record = parse(row)
        cid = ids.get(record.external_id)
        if cid is None:
            raise RowError("customer_id", f"unknown customer {record.external_id!r}: import customers first")
        return cid, record

    return run


def _import_transactions(conn: Connection, source: CsvSource, rejects: _Rejects, summary: ImportSummary,
                         settings: Settings, zone: tzinfo, now: datetime, progress: Progress | None) -> None:  # fmt: skip
    ids = writer.customer_ids(conn)
    counts = writer.WriteCounts()
    touched: set[int] = set()
    parse = _keyed(rejects, ids, lambda row: records.transaction(row.values, zone))
    for batch in _validated(source, rejects, summary, parse, progress):
        written = writer.write_transactions(conn, batch)
        if written.inserted:
            touched.update(cid for cid, _ in batch)
        counts.add(written)
    if touched:
        writer.refresh_metrics(conn, None if len(touched) > 20000 else touched)
    _apply(summary, counts)


def _import_contacts(conn: Connection, source: CsvSource, rejects: _Rejects, summary: ImportSummary,
                     settings: Settings, zone: tzinfo, now: datetime, progress: Progress | None) -> None:  # fmt: skip
    ids = writer.customer_ids(conn)
    counts = writer.WriteCounts()
    parse = _keyed(rejects, ids, lambda row: records.contact(row.values, zone))
    for batch in _validated(source, rejects, summary, parse, progress):
        counts.add(writer.write_contacts(conn, batch, now))
    _apply(summary, counts)


def _apply(summary: ImportSummary, counts: writer.WriteCounts) -> None:
    summary.inserted, summary.updated, summary.unchanged = counts.inserted, counts.updated, counts.unchanged
