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
from workbench.importing.csvfile import CsvSource, make_row
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
    for line, fields in batch:
        row = make_row(header, line, fields)
        if row.problem:
            bad.append(Reject(line, "*", row.problem, row.values))
            continue
        try:
            good.append((line, tuple(parse(row.values))))
        except RowError as exc:
            bad.append(Reject(line, exc.column, exc.reason, row.values))
    return good, bad


RECORD_TYPES = {
    "customers": records.CustomerRecord,
    "transactions": records.TransactionRecord,
    "contacts": records.ContactRecord,
}


def _typed(job: ParseJob, parsed: Parsed) -> Parsed:
    make = RECORD_TYPES[job.kind]._make
    return [(line, make(fields)) for line, fields in parsed[0]], parsed[1]


def validated(source: CsvSource, job: ParseJob, batch_size: int, workers: int = 2) -> Iterator[Parsed]:
    """Yield (records with their line, rejects) per batch, in file order."""
    if workers < 1 or source.size < PARALLEL_FROM_BYTES:
        for batch in source.batches(batch_size):
            yield _typed(job, parse_batch(job, source.header, batch))
        return
    context = multiprocessing.get_context("spawn")  # fork is unsafe beside the UI's threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[Parsed]] = deque()
        try:
            for batch in source.batches(batch_size):
                pending.append(pool.submit(parse_batch, job, source.header, batch))
                if len(pending) >= IN_FLIGHT:
                    yield _typed(job, pending.popleft().result())
            while pending:
                yield _typed(job, pending.popleft().result())
        finally:
            for future in pending:
                future.cancel()
