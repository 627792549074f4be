"""Validation of CSV batches, in worker processes for large files.

Parsing phone numbers and dates costs more than writing the rows, so on a
large file two processes read and validate while the main process writes:
the main process only cuts the file into chunks of whole records (as bytes)
and writes what comes back.  Results come back in file order, and at most a
few chunks are in flight to bound memory.

Transactions and contacts are keyed here too: each record gets the stored id
of its customer, or is rejected when the customer is unknown.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from workbench.importing import records
from workbench.importing.csvfile import Chunk, CsvSource, chunk_rows, oversized
from workbench.importing.records import RowError
from workbench.messages import say, use_language

PARALLEL_FROM_BYTES = 8 << 20
CHUNK_BYTES = 4 << 20
IN_FLIGHT = 4

Ids = Mapping[str, int]


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
    path: str = ""
    encoding: str = "utf-8"
    values: tuple[
        tuple[str, tuple[tuple[str, str], ...]], ...
    ] = ()  # the mapping file's value renames
    language: str = "ja"  # of the rejects' reasons: a spawned worker starts in the default


# Workers send plain tuples (cheap to pickle); the main process rebuilds the records.
# Good entries are (line, record tuple); contacts, keyed, are (line, (customer id, record tuple));
# transactions, keyed, are the rows as written, (customer id, ordered_at, amount, category,
# product, fingerprint): ten million of them cross the process boundary.
Parsed = tuple[list[Any], list[Reject]]


@dataclass
class Batch:
    """Validated records with their lines and the rejects; raw values are recovered on demand."""

    good: list[Any]  # see Parsed
    bad: list[Reject]
    header: list[str]
    raw: list[tuple[int, list[str]]] | None = None
    chunk: Chunk | None = None
    job: ParseJob | None = None

    _by_line: dict[int, list[str]] | None = None

    def values(self, line: int) -> dict[str, str]:
        if self._by_line is None:
            rows = self.raw
            if rows is None and self.chunk is not None and self.job is not None:
                rows = chunk_rows(self.chunk, self.job.encoding, self.job.path)
            self._by_line = dict(rows or [])
        return dict(zip(self.header, self._by_line.get(line, [])))


def _parser(job: ParseJob, header: list[str]) -> Callable[[list[str]], tuple[Any, ...]]:
    """A function from one row's fields to its record tuple; raises RowError."""
    zone = ZoneInfo(job.zone)
    if job.kind == "transactions":
        columns = records.transaction_columns(header)
        return lambda fields: (
            records.plain_transaction(fields, columns, zone)
            or records.transaction(dict(zip(header, fields)), zone)
        )
    if job.kind == "customers":
        return lambda fields: records.customer(dict(zip(header, fields)), job.region, zone)
    return lambda fields: records.contact(dict(zip(header, fields)), zone)


def _renames(job: ParseJob, header: list[str]) -> list[tuple[int, dict[str, str]]]:
    position = {name: i for i, name in enumerate(header)}
    return [(position[column], dict(table)) for column, table in job.values if column in position]


def parse_batch(
    job: ParseJob, header: list[str], batch: list[tuple[int, list[str]]], ids: Ids | None = None
) -> Parsed:
    gc.set_threshold(200_000, 50, 100)
    parse = _parser(job, header)
    good: list[Any] = []
    bad: list[Reject] = []
    width = len(header)
    rows_as_written = ids is not None and job.kind == "transactions"
    shared: dict[str, str] = {}  # one object per distinct category/product: pickled once per batch
    renames = _renames(job, header)
    for line, fields in batch:
        for index, table in renames:
            if index < len(fields) and (ours := table.get(fields[index].strip())) is not None:
                fields[index] = ours
        if (too_long := oversized(header, fields)) is not None:
            bad.append(Reject(line, too_long[0], too_long[1], dict(zip(header, fields))))
            continue
        if len(fields) != width:
            bad.append(
                Reject(
                    line,
                    "*",
                    say("row.field_count", count=len(fields), width=width),
                    dict(zip(header, fields)),
                )
            )
            continue
        try:
            record = tuple(parse(fields))
        except RowError as exc:
            bad.append(Reject(line, exc.column, exc.reason, dict(zip(header, fields))))
            continue
        if ids is None:
            good.append((line, record))
        elif (
            cid := ids.get(record[0])
        ) is not None:  # every keyed record starts with the external id
            if rows_as_written:
                _, ordered_at, amount, category, product, fingerprint = record
                category = category and shared.setdefault(category, category)
                product = product and shared.setdefault(product, product)
                good.append((cid, ordered_at, amount, category, product, fingerprint))
            else:
                good.append((line, (cid, record)))
        else:
            reason = say("row.unknown_customer", customer=repr(record[0]))
            bad.append(Reject(line, "customer_id", reason, dict(zip(header, fields))))
    return good, bad


_worker_ids: Ids | None = None
WORKER_NICENESS = 5


def _packed(ids: Ids | None) -> tuple[str, bytes] | Ids | None:
    """A million ids pickle as two flat objects in milliseconds; a dict takes seconds."""
    if ids is None:
        return None
    keys = "\x00".join(ids.keys())
    if keys.count("\x00") != len(ids) - 1:
        return ids  # an id with a NUL in it: send the dict as it is
    return keys, array("q", ids.values()).tobytes()


def _start_worker(packed: tuple[str, bytes] | Ids | None) -> None:
    global _worker_ids
    # The writing process is the bottleneck: let it have its core.
    os.nice(WORKER_NICENESS)
    if isinstance(packed, tuple):
        keys, values = packed
        _worker_ids = dict(zip(keys.split("\x00"), array("q", values).tolist())) if values else {}
    else:
        _worker_ids = packed


def parse_chunk(job: ParseJob, header: list[str], chunk: Chunk) -> Parsed:
    """Worker side: cut the chunk into rows, then validate (and key) them."""
    use_language(job.language)
    return parse_batch(job, header, chunk_rows(chunk, job.encoding, job.path), _worker_ids)


RECORD_TYPES = {
    "customers": records.CustomerRecord,
    "transactions": records.TransactionRecord,
    "contacts": records.ContactRecord,
}


def _typed(job: ParseJob, parsed: Parsed, keyed: bool) -> list[tuple[int, Any]]:
    if job.kind == "transactions":
        # Ten million of these: the bulk writer takes the tuples as they come.
        return parsed[0]
    make: Callable[[Any], Any] = RECORD_TYPES[job.kind]._make  # type: ignore[attr-defined]  # NamedTuple classes
    if keyed:
        return [(line, (cid, make(fields))) for line, (cid, fields) in parsed[0]]
    return [(line, make(fields)) for line, fields in parsed[0]]


def validated(
    source: CsvSource, job: ParseJob, batch_size: int, workers: int = 2, ids: Ids | None = None
) -> Iterator[Batch]:
    """Yield validated batches in file order; with `ids`, records come keyed by customer id."""
    keyed = ids is not None
    if workers < 1 or source.size < PARALLEL_FROM_BYTES or not source.cuttable:
        for rows in source.batches(batch_size):
            parsed = parse_batch(job, source.header, rows, ids)
            yield Batch(_typed(job, parsed, keyed), parsed[1], source.header, raw=rows)
        return
    chunks = source.chunks(CHUNK_BYTES)
    first = next(chunks, None)  # reads the header
    if first is None:
        return
    yield from _in_workers(job, source.header, chain([first], chunks), workers, ids)


def _in_workers(
    job: ParseJob, header: list[str], chunks: Iterator[Chunk], workers: int, ids: Ids | None
) -> Iterator[Batch]:
    keyed = ids is not None
    pending: deque[tuple[Future[Parsed] | None, Chunk]] = deque()
    context = multiprocessing.get_context("spawn")  # fork is unsafe beside the UI's threads
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(_packed(ids),)
    ) as pool:
        try:
            for chunk in chunks:
                pending.append((None, chunk))
                pending[-1] = (pool.submit(parse_chunk, job, header, chunk), chunk)
                while len(pending) >= IN_FLIGHT:
                    yield _batch(job, pending[0][0].result(), header, pending.popleft()[1], keyed)  # type: ignore[union-attr]
            while pending:
                yield _batch(job, pending[0][0].result(), header, pending.popleft()[1], keyed)  # type: ignore[union-attr]
        except BrokenProcessPool:
            pass  # e.g. the parent's __main__ cannot be imported again (`python -`): go on here
        finally:
            for future, _ in pending:
                if future is not None:
                    future.cancel()
    for chunk in chain([c for _, c in pending], chunks):
        parsed = parse_batch(job, header, chunk_rows(chunk, job.encoding, job.path), ids)
        yield _batch(job, parsed, header, chunk, keyed)


def _batch(job: ParseJob, parsed: Parsed, header: list[str], chunk: Chunk, keyed: bool) -> Batch:
    return Batch(_typed(job, parsed, keyed), parsed[1], header, chunk=chunk, job=job)
