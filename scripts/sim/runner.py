"""Preparing a world's database and running one strategy on a fresh copy of it."""

from __future__ import annotations

import csv
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import holidays

from workbench.config import Settings, load_settings
from workbench.domain.codes import CALL_OUTCOMES
from workbench.services.dispose import Disposition, DispositionError, dispose
from workbench.services.freshness import ensure_scored
from workbench.services.importer import import_file
from workbench.services.talk_choice import library_for
from workbench.store.database import open_database

from .audit import Dial, zones_for
from .email_audit import EmailAuditReport, audit_email
from .email_world import load_email_truths
from .generate import generate_world, load_truth
from .mail_loop import MailLog, MailLoop
from .response import Luck, ScriptInfo, respond
from .strategies import make
from .world import TOKYO, WORLDS, Scale, Truth

# A conversation with no yes, no refusal and no time to call back: 「検討します」.
NOTHING_CODE = "no_decision"
assert NOTHING_CODE in CALL_OUTCOMES

# No control group: the runs measure the order of calls against baselines calling everyone.
NO_CONTROL = {"WORKBENCH_KPI_CONTROL_SHARE": "0"}


@dataclass(frozen=True)
class DialLog:
    customer_id: str
    at: datetime
    operator: str
    outcome: str  # as recorded in the product
    world_outcome: str
    script: str | None
    expected: float  # true P(answer) × P(win-back)
    value: int  # the true value of a win-back order
    amount: int
    callback_at: datetime | None
    rejected: str | None = None


@dataclass
class RunResult:
    world: str
    seed: int
    strategy: str
    dials: list[DialLog] = field(default_factory=list)
    idle: int = 0
    seconds: float = 0.0
    slots: int = 0
    end: datetime | None = None
    mail: MailLog | None = None  # the email step, for email_then_call
    email_audit: EmailAuditReport | None = None


@dataclass(frozen=True)
class Prepared:
    world: str
    seed: int
    workdir: Path
    base_db: Path
    truth: Path
    contacts: Path
    customers: Path
    rejected: int
    email_truth: Path


def prepare(world: str, seed: int, scale: Scale, workdir: Path) -> Prepared:
    """Generate the world's CSV files and import them with the product's import, once per seed."""
    settings = load_settings(path=None, env=NO_CONTROL)
    out = workdir / f"{world}-{seed}"
    files, _ = generate_world(WORLDS[world], scale.customers, seed, scale.start, out)
    base_db = out / "base.db"
    engine = open_database(f"sqlite:///{base_db}")
    rejected = 0
    for kind in ("customers", "transactions", "contacts"):
        summary = import_file(
            engine, kind, getattr(files, kind), settings, rejects_path=out / f"{kind}.rejects.csv"
        )  # type: ignore[arg-type]
        rejected += summary.rejected
    # Every strategy's first queue read would score the same data at the same instant: do it once.
    ensure_scored(engine, settings, schedule(scale)[0][0][0])
    engine.dispose()
    return Prepared(
        world,
        seed,
        out,
        base_db,
        files.truth,
        files.contacts,
        files.customers,
        rejected,
        files.email_truth,
    )


def schedule(scale: Scale) -> list[list[tuple[datetime, str]]]:
    """Dial slots per working day (Mon–Sat, not JP holidays), each with its operator."""
    closed = holidays.country_holidays("JP", years=range(scale.start.year, scale.start.year + 2))
    days: list[list[tuple[datetime, str]]] = []
    day = scale.start
    while len(days) < scale.days:
        if day.weekday() != 6 and day not in closed:
            slots = []
            for hour in range(scale.open_hour, scale.close_hour):
                for j in range(scale.dials_per_hour):
                    at = datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO) + timedelta(
                        seconds=j * 3600 / scale.dials_per_hour
                    )
                    slots.append((at, f"op{j % scale.operators + 1:02d}"))
            days.append(slots)
        day += timedelta(days=1)
    return days


def script_infos(settings: Settings) -> list[ScriptInfo]:
    return [ScriptInfo(s.id, tuple(s.reasons), s.kind) for s in library_for(settings).active()]


def run_strategy(prepared: Prepared, strategy: str, scale: Scale) -> RunResult:
    truths = load_truth(prepared.truth)
    target = prepared.workdir / f"{strategy}.db"
    shutil.copy(prepared.base_db, target)
    days = schedule(scale)
    mail: MailLoop | None = None
    config: Path | None = None
    if strategy == "email_then_call":
        folder = prepared.workdir / strategy
        folder.mkdir(exist_ok=True)
        end = days[-1][-1][0] + timedelta(hours=1)
        mail = MailLoop(folder, target, load_email_truths(prepared.email_truth), prepared.seed, end)
        config = mail.start()
    try:
        result = _run(prepared, strategy, days, truths, target, config, mail)
    finally:
        if mail is not None:
            mail.stop()
    if mail is not None:
        result.mail = mail.log
        result.email_audit = audit_email(
            mail.server.host.attempts, mail.log.message_ids, prepared.customers,
            mail.log.unsubscribed_at,
        )  # fmt: skip
    return result


def _run(prepared: Prepared, strategy: str, days: list[list[tuple[datetime, str]]],
         truths: dict[str, Truth], target: Path, config: Path | None, mail: MailLoop | None) -> RunResult:  # fmt: skip
    settings = load_settings(path=config, env=NO_CONTROL)
    engine = open_database(f"sqlite:///{target}")
    scripts = script_infos(settings)
    spec = WORLDS[prepared.world]
    player = make(
        strategy, engine, settings, scripts, truths, prepared.seed, mail=mail, world=prepared.world
    )
    luck = Luck(prepared.seed)
    result = RunResult(prepared.world, prepared.seed, strategy)
    promised: dict[str, datetime] = {}
    started = time.perf_counter()
    for slots in days:
        player.start_day(slots[0][0])
        for at, operator in slots:
            result.slots += 1
            pick = player.pick(at, operator, promised)
            if pick is None:
                result.idle += 1
                continue
            truth = player.truth_at(pick.external_id, at)
            response = respond(
                truth,
                at,
                pick.script,
                luck.next(truth.index),
                promised.pop(pick.external_id, None),
                spec.refusal_rate,
            )
            outcome = NOTHING_CODE if response.outcome == "nothing" else response.outcome
            rejected = None
            try:
                dispose(engine, settings, Disposition(
                    customer_id=pick.external_id, outcome=outcome, at=at, operator=operator,
                    script=pick.script.id if pick.script else None, reason=response.heard_reason,
                    amount=response.amount, callback_at=response.callback_at, source="batch",
                ))  # fmt: skip
            except DispositionError as exc:
                rejected = str(exc)
            if response.callback_at is not None:
                promised[pick.external_id] = response.callback_at
            player.note(
                pick.external_id, operator, outcome, response.heard_reason, response.callback_at
            )
            result.dials.append(DialLog(
                pick.external_id, at, operator, outcome, response.outcome, pick.script.id if pick.script else None,
                response.p_win, truth.value, response.amount or 0, response.callback_at, rejected,
            ))  # fmt: skip
    result.end = days[-1][-1][0]
    result.seconds = time.perf_counter() - started
    engine.dispose()
    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return result


def audit_inputs(prepared: Prepared) -> tuple[list[Dial], dict[str, tuple[str, ...]], set[str]]:
    """The imported call history, each customer's zones and do-not-call flags, read from our own files."""
    history = []
    with prepared.contacts.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["channel"] == "call" and (row["direction"] or "outbound") == "outbound":
                cb = datetime.fromisoformat(row["callback_at"]) if row["callback_at"] else None
                history.append(
                    Dial(row["customer_id"], datetime.fromisoformat(row["at"]), row["outcome"], cb)
                )
    zones, flagged = {}, set()
    with prepared.customers.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            zones[row["customer_id"]] = zones_for(row["phone"])
            if row["do_not_call"] == "1":
                flagged.add(row["customer_id"])
    return history, zones, flagged
