"""`workbench import`: one file, one transaction, every rejected row accounted for.

The whole file is written in a single transaction, so a crash, a kill or a
file that turns out malformed halfway leaves the database as it was; since
every write is keyed (external id, row fingerprint), re-running is safe.
"""

from __future__ import annotations

import csv
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from sqlalchemy import Connection, Engine

from workbench.config import Settings
from workbench.importing import records, writer
from workbench.importing.csvfile import CsvSource, ImportFileError, load_mapping
from workbench.importing.pipeline import Batch, ParseJob, Reject, validated
from workbench.messages import say, ui_language
from workbench.services import freshness
from workbench.services.season_counts import refresh_month_counts
from workbench.store import bulk
from workbench.store.table_stats import IMPORTED_TABLES, refresh_statistics

ImportKind = Literal["customers", "transactions", "contacts"]
BATCH = 5000
# Page cache for one import (KiB, allocated as used).  Pages spilled to the WAL mid-transaction
# are written again when touched again; 1 GiB loads 10M purchases in 96 s against 117 s with
# 512 MiB, and keeps the import under 2 GB resident (docs/benchmarks.md).
IMPORT_CACHE_KIB = 1 << 20
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
        self._fh: TextIO | None = None
        self._writer: Any = None

    def add(self, reject: Reject) -> None:
        if self._writer is None:
            # With a BOM, so Excel (the usual way to open it) reads the Japanese as UTF-8.
            self._fh = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(["file", "line", "column", "reason", "row"])
        raw = ",".join(f"{k}={v}" for k, v in reject.values.items())
        self._writer.writerow([str(self.source), reject.line, reject.column, reject.reason, raw])
        self.count += 1
        self.by_column[reject.column] = self.by_column.get(reject.column, 0) + 1

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
    workers: int = 2,
) -> ImportSummary:
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    mapping = load_mapping(mapping_path) if mapping_path else None
    columns, required = _columns(kind)
    if mapping is not None:
        unknown = sorted(set(mapping.values) - set(columns) - set(required))
        if unknown:
            raise ImportFileError(
                "import.mapping_not_column", path=mapping_path, column=unknown[0], kind=kind,
                known=", ".join(columns),
            )  # fmt: skip
    source = CsvSource(
        path, required, columns, encoding=encoding, mapping=mapping.columns if mapping else None
    )
    summary = ImportSummary(kind=kind, path=str(path), encoding=source.encoding)
    rejects = _Rejects(rejects_path or default_rejects_path(path), path)
    values = tuple((c, tuple(t.items())) for c, t in mapping.values.items()) if mapping else ()
    job = ParseJob(kind, settings.region, settings.timezone, str(path), source.encoding, values,
                   ui_language())  # fmt: skip
    ok = False
    gc_thresholds = gc.get_threshold()
    # Millions of short-lived row objects make the default collector run constantly.
    gc.set_threshold(200_000, 50, 100)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # A bulk import in one transaction spills pages to the WAL without a big cache.
                conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
            ids = None if kind == "customers" else writer.customer_ids(conn)
            batches = _reporting(
                validated(source, job, BATCH, workers, ids), source, summary, rejects, progress
            )
            if kind == "customers":
                _apply(summary, _import_customers(conn, batches, rejects, now))
            else:
                _apply(summary, _import_keyed(conn, kind, batches, now, settings.timezone))
            if summary.inserted or summary.updated:
                freshness.invalidate(conn)
        ok = True
        if summary.inserted or summary.updated:
            refresh_statistics(engine, IMPORTED_TABLES[kind])
    finally:
        gc.set_threshold(*gc_thresholds)
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
    raise ImportFileError("import.unknown_kind", kind=repr(kind))


def _reporting(batches: Iterator[Batch], source: CsvSource, summary: ImportSummary, rejects: _Rejects,
               progress: Progress | None) -> Iterator[Batch]:  # fmt: skip
    """Count rows, write rejects and report progress as validated batches pass by."""
    for batch in batches:
        summary.rows += len(batch.good) + len(batch.bad)
        for reject in batch.bad:
            rejects.add(reject)
        if progress:
            progress(source.bytes_read, source.size)
        yield batch
    if progress:
        progress(source.size, source.size)


def _import_customers(
    conn: Connection, batches: Iterator[Batch], rejects: _Rejects, now: datetime
) -> writer.WriteCounts:
    counts = writer.WriteCounts()
    first_line: dict[str, int] = {}
    known = writer.customer_ids(conn)
    for batch in batches:
        fresh = []
        for line, record in batch.good:
            seen = first_line.setdefault(record.external_id, line)
            if seen != line:
                reason = say(
                    "row.duplicate_customer", customer=repr(record.external_id), first=seen
                )
                rejects.add(Reject(line, "customer_id", reason, batch.values(line)))
                continue
            fresh.append(record)
        counts.add(writer.write_customers(conn, fresh, now, known))
    return counts


def _import_keyed(
    conn: Connection, kind: str, batches: Iterator[Batch], now: datetime, zone: str
) -> writer.WriteCounts:
    """Transactions and contacts, already keyed by customer id (unknown customers were rejected)."""
    counts = writer.WriteCounts()
    touched: set[int] = set()
    bulk_load = kind == "transactions" and bulk.start_bulk_load(conn)
    for batch in batches:
        if kind == "contacts":
            counts.add(writer.write_contacts(conn, [entry for _, entry in batch.good], now))
            continue
        written = writer.write_transactions(conn, batch.good, bulk_load)
        if written.inserted:
            touched.update(row[0] for row in batch.good)
        counts.add(written)
    if bulk_load:
        repeats = bulk.finish_bulk_load(conn)
        counts.inserted -= repeats
        counts.unchanged += repeats
    if touched:
        writer.refresh_metrics(conn, None if len(touched) > 20000 else touched, zone)
        # The season indices' month counts, so the next rescore counts none of these again.
        refresh_month_counts(conn)
    return counts


def _apply(summary: ImportSummary, counts: writer.WriteCounts) -> None:
    summary.inserted, summary.updated, summary.unchanged = (
        counts.inserted,
        counts.updated,
        counts.unchanged,
    )
