"""Validation of CSV batches, in worker processes for large files.

Parsing phone numbers and dates costs more than writing the rows, so on a
large file two processes validate while the main process writes; results come
back in file order, and at most a few batches are in flight to bound memory.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from workbench.importing import records
from workbench.importing.csvfile import CsvSource
from workbench.importing.records import RowError

PARALLEL_FROM_BYTES = 8 << 20
IN_FLIGHT = 4


@dataclass(frozen=True, slots=True)
class Reject:
    line: int
    column: str
    reason: str
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class ParseJob:
    kind: str
    region: str
    zone: str


# Workers send plain tuples (cheap to pickle); the main process rebuilds the records.
Parsed = tuple[list[tuple[int, Any]], list[Reject]]


@dataclass
class Batch:
    """Validated records with their lines, the rejects, and the raw rows for later rejects."""

    good: list[tuple[int, Any]]
    bad: list[Reject]
    header: list[str]
    raw: list[tuple[int, list[str]]]

    _by_line: dict[int, list[str]] | None = None

    def values(self, line: int) -> dict[str, str]:
        if self._by_line is None:
            self._by_line = dict(self.raw)
        return dict(zip(self.header, self._by_line.get(line, [])))


def _parser(job: ParseJob) -> Callable[[dict[str, str]], object]:
    zone = ZoneInfo(job.zone)
    if job.kind == "customers":
        return lambda values: records.customer(values, job.region, zone)
    if job.kind == "transactions":
        return lambda values: records.transaction(values, zone)
    return lambda values: records.contact(values, zone)


def parse_batch(job: ParseJob, header: list[str], batch: list[tuple[int, list[str]]]) -> Parsed:
    gc.set_threshold(200_000, 50, 100)
    parse = _parser(job)
    good: list[tuple[int, object]] = []
    bad: list[Reject] = []
    width = len(header)
    for line, fields in batch:
        values = dict(zip(header, fields))
        if len(fields) != width:
            bad.append(Reject(line, "*", f"row has {len(fields)} fields, the header has {width}", values))
            continue
        try:
            good.append((line, tuple(parse(values))))
        except RowError as exc:
            bad.append(Reject(line, exc.column, exc.reason, values))
    return good, bad


RECORD_TYPES = {
    "customers": records.CustomerRecord,
    "transactions": records.TransactionRecord,
    "contacts": records.ContactRecord,
}


def _typed(job: ParseJob, parsed: Parsed, header: list[str], raw: list[tuple[int, list[str]]]) -> Batch:
    if job.kind == "transactions":
        # Ten million of these: the bulk writer takes the tuples as they come.
        return Batch(parsed[0], parsed[1], header, raw)
    make = RECORD_TYPES[job.kind]._make
    return Batch([(line, make(fields)) for line, fields in parsed[0]], parsed[1], header, raw)


def validated(source: CsvSource, job: ParseJob, batch_size: int, workers: int = 2) -> Iterator[Batch]:
    """Yield (records with their line, rejects) per batch, in file order."""
    if workers < 1 or source.size < PARALLEL_FROM_BYTES:
        for batch in source.batches(batch_size):
            yield _typed(job, parse_batch(job, source.header, batch), source.header, batch)
        return
    context = multiprocessing.get_context("spawn")  # fork is unsafe beside the UI's threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[tuple[Future[Parsed], list[tuple[int, list[str]]]]] = deque()
        try:
            for batch in source.batches(batch_size):
                pending.append((pool.submit(parse_batch, job, source.header, batch), batch))
                if len(pending) >= IN_FLIGHT:
                    future, raw = pending.popleft()
                    yield _typed(job, future.result(), source.header, raw)
            while pending:
                future, raw = pending.popleft()
                yield _typed(job, future.result(), source.header, raw)
        finally:
            for future, _ in pending:
                future.cancel()
