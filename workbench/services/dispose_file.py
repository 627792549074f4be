"""A batch file of dispositions (`workbench dispose --file`): all rows or none.

The file is a contacts CSV, read and checked like a contacts import.  A row that cannot
be read stops the batch before anything is written; then every row goes through the one
disposition path (`services.dispose.apply`) in a single transaction, and a row the rules
refuse rolls all of them back.  Every problem names the file, the line and the field:
`<file>:<line>: <field>: <problem>`, the same shape as the importer's rejects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from workbench.config import Settings
from workbench.importing import records
from workbench.importing.csvfile import CsvSource
from workbench.importing.records import RowError
from workbench.messages import say
from workbench.services.dispose import Disposition, DispositionError, DispositionResult, apply
from workbench.services.talk_choice import note_outcome
from workbench.store.engine import writer_turn

# A person fixes a file from the first problems; the count says how many more there are.
SHOWN_PROBLEMS = 50
SHOWN_LINES = 10


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str  # a column of the file, or "*" when the row as a whole is malformed
    problem: str


class DisposeFileError(ValueError):
    """Nothing was recorded: some rows of the file cannot be read or applied."""

    def __init__(self, path: Path, problems: list[RowProblem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(_message(path, problems))

    def lines(self) -> list[str]:
        """Every problem as `<file>:<line>: <field>: <problem>`."""
        return [f"{self.path}:{p.line}: {p.field}: {p.problem}" for p in self.problems]


def read_batch(
    settings: Settings, path: Path, source: str = "batch"
) -> list[tuple[int, Disposition]]:
    """The file's rows as (line, Disposition); any unreadable row raises `DisposeFileError`.

    A file that cannot be read at all (missing, wrong encoding, no header, missing
    required columns) raises the importer's `ImportFileError`, which names the file too.
    """
    zone = ZoneInfo(settings.timezone)
    reader = CsvSource(path, records.CONTACT_REQUIRED, records.CONTACT_COLUMNS)
    batch: list[tuple[int, Disposition]] = []
    problems: list[RowProblem] = []
    for row in reader.rows():
        if row.problem:
            problems.append(RowProblem(row.line, "*", row.problem))
            continue
        try:
            r = records.contact(row.values, zone)
        except RowError as exc:
            problems.append(RowProblem(row.line, exc.column, exc.reason))
            continue
        batch.append((row.line, Disposition(
            customer_id=r.external_id, outcome=r.outcome, at=r.at, operator=r.operator, script=r.script,
            reason=r.reason, amount=r.amount, callback_at=r.callback_at, note=r.note, channel=r.channel,
            direction=r.direction, source=source,
        )))  # fmt: skip
    if problems:
        raise DisposeFileError(path, problems)
    return batch


def dispose_file(
    engine: Engine, settings: Settings, path: Path, source: str = "batch"
) -> list[DispositionResult]:
    """Apply every row of `path` in one transaction, or none: the results in file order."""
    batch = read_batch(settings, path, source)
    results: list[DispositionResult] = []
    problems: list[RowProblem] = []
    with writer_turn(engine), engine.begin() as conn:
        for line, disposition in batch:
            try:
                results.append(apply(conn, settings, disposition))
            except DispositionError as exc:
                problems.append(RowProblem(line, exc.field, exc.text))
        if problems:
            raise DisposeFileError(path, problems)  # leaving the block rolls every row back
    for r in results:
        note_outcome(str(engine.url), r.script_id, r.script_version, r.outcome)
    return results


def _message(path: Path, problems: list[RowProblem]) -> str:
    lines = sorted({p.line for p in problems})
    which = ", ".join(str(n) for n in lines[:SHOWN_LINES]) + (
        ", …" if len(lines) > SHOWN_LINES else ""
    )
    head = say("dispose.file_head_many" if len(lines) > 1 else "dispose.file_head_one",
               path=path, lines=which)  # fmt: skip
    shown = [f"{path}:{p.line}: {p.field}: {p.problem}" for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(say("dispose.more", count=len(problems) - SHOWN_PROBLEMS))
    return "\n".join([head, *shown])
