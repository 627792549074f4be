"""Rescoring is single-flight: twenty operators claiming right after an import get no
error, twenty different customers, and the database is rescored once.

The end-to-end test starts real `workbench claim` processes at once on SQLite (a file)
and PostgreSQL: first on a database that was never scored (everyone waits for the one
run), then the next day right after another import, with yesterday's scores stored (one
process rescores while the others claim from the stale scores).  The unit tests drive
`ensure_scored` from threads, each with the lock its backend uses across processes.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, text

from workbench.config import Settings
from workbench.services import freshness
from workbench.services.demo import load_demo
from workbench.services.freshness import (
    RESCORE_LOCK,
    ensure_scored,
    invalidate,
    rescore_now,
    rescore_runs,
    score_status,
)  # fmt: skip
from workbench.services.importer import import_file
from workbench.services.operators import register_operator
from workbench.store.engine import make_engine
from workbench.store.locks import LockTimeout, is_locked, named_lock
from workbench.store.models import QueueScore

TOKYO = ZoneInfo("Asia/Tokyo")
DAY1 = datetime(2026, 11, 25, 10, 30, tzinfo=TOKYO)  # a Wednesday, inside the calling window
DAY2 = datetime(
    2026, 11, 26, 10, 30, tzinfo=TOKYO
)  # the next morning: yesterday's scores are stale
CLAIMERS = 20
# Enough callable customers that twenty claims at once never run the queue dry.
DEMO_CUSTOMERS = 1200
TIMINGS: dict[str, float] = {}


def workbench(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The `workbench` console entry point in a new process, as an operator's terminal runs it."""
    return subprocess.Popen(
        [sys.executable, "-c", "from workbench.cli import main; main()", "--db", db_url, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
    )  # fmt: skip


def run(db_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    out, err = workbench(db_url, *args, env=env).communicate(timeout=600)
    assert not err.strip() or "Traceback" not in err, err
    return out


def claim_at_once(
    db_url: str, at: datetime, prefix: str
) -> tuple[float, list[tuple[int, str, str]]]:
    """Start twenty `claim` processes together; (wall seconds, [(exit code, stdout, stderr)])."""
    started = time.perf_counter()
    procs = [
        workbench(
            db_url, "claim", "--operator", f"{prefix}{n:02d}", "--at", at.isoformat(), "--json"
        )
        for n in range(1, CLAIMERS + 1)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        results.append((proc.returncode, out, err))
    return time.perf_counter() - started, results


def leased(results: list[tuple[int, str, str]]) -> list[str]:
    failures = [
        f"exit {code}: {err.strip()[-300:]}" for code, _, err in results if code != 0 or err.strip()
    ]
    assert failures == [], f"{len(failures)} of {CLAIMERS} claims failed, first: {failures[:2]}"
    return [json.loads(out)["customer_id"] for _, out, _ in results]


def new_customer_file(folder: Path) -> Path:
    path = folder / "more_customers.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["customer_id", "name", "kind", "phone"])
        out.writerow(["N0000001", "新規 花子", "b2c", "090-1234-5678"])
    return path


@pytest.mark.slow  # a demo import and forty workbench processes: a minute or more
def test_twenty_claims_right_after_an_import_rescore_once(
    db_url: str, settings: Settings, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    load_demo(
        engine,
        settings,
        customers=DEMO_CUSTOMERS,
        seed=7,
        today=DAY1.date(),
        announce=lambda _m: None,
    )
    # The demo registers eight operators; claims from any other id are refused, so the team's
    # other claimers are registered as a team lead would.
    for prefix in ("op", "day2-op"):
        for n in range(1, CLAIMERS + 1):
            register_operator(engine, f"{prefix}{n:02d}")
    assert not score_status(engine, DAY1).stored

    # Never scored: one process rescores, nineteen wait for it, nobody rescores again.
    TIMINGS["no scores"], results = claim_at_once(db_url, DAY1, "op")
    customers = leased(results)
    assert len(customers) == CLAIMERS
    assert [c for c, n in Counter(customers).items() if n > 1] == []
    assert rescore_runs(engine) == 1
    assert score_status(engine, DAY1).fresh

    # The next morning, right after another import: yesterday's scores serve while one
    # process rescores; the others claim from them, and the run happens once.
    summary = import_file(engine, "customers", new_customer_file(tmp_path), settings)
    assert summary.inserted == 1
    status = score_status(engine, DAY2)
    assert status.stored and not status.fresh
    TIMINGS["stale scores"], results = claim_at_once(db_url, DAY2, "day2-op")
    customers = leased(results)
    assert len(customers) == CLAIMERS
    assert [c for c, n in Counter(customers).items() if n > 1] == []
    assert rescore_runs(engine) == 2
    assert score_status(engine, DAY2).fresh
    print(
        f"\n[{engine.dialect.name}] 20 claims: "
        + ", ".join(f"{k} {v:.1f}s" for k, v in TIMINGS.items())
    )
    engine.dispose()


@pytest.fixture
def demo_engine(engine: Engine, settings: Settings) -> Engine:
    """A small demo base, never scored."""
    load_demo(engine, settings, customers=120, seed=3, today=DAY1.date(), announce=lambda _m: None)
    return engine


def test_a_waiter_does_not_rescore_what_was_just_scored(
    demo_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first caller's run is held until the second has seen the scores stale (and, with
    nothing stored, gone to wait on the lock); the second then finds them fresh."""
    real_rescore, real_status = freshness.rescore, freshness.score_status
    first_running, second_checked = threading.Event(), threading.Event()
    runs: list[str] = []

    def rescore(engine, settings, at, refit=False):  # type: ignore[no-untyped-def]
        runs.append(threading.current_thread().name)
        first_running.set()
        assert second_checked.wait(60), "the second caller never looked at the scores"
        return real_rescore(engine, settings, at, refit=refit)

    def score_status(engine, at):  # type: ignore[no-untyped-def]
        status = real_status(engine, at)
        if threading.current_thread().name == "second" and not second_checked.is_set():
            assert not status.fresh and not status.stored
            second_checked.set()
        return status

    monkeypatch.setattr(freshness, "rescore", rescore)
    monkeypatch.setattr(freshness, "score_status", score_status)
    results: dict[str, object] = {}

    def call(name: str) -> None:
        results[name] = ensure_scored(demo_engine, settings, DAY1, timeout=120)

    first = threading.Thread(target=call, args=("first",), name="first")
    first.start()
    assert first_running.wait(60)
    second = threading.Thread(target=call, args=("second",), name="second")
    second.start()
    first.join(120)
    second.join(120)
    assert runs == ["first"]
    assert results["first"] is not None and results["second"] is None
    assert rescore_runs(demo_engine) == 1
    assert real_status(demo_engine, DAY1).fresh


def test_stale_scores_serve_while_another_process_rescores(
    demo_engine: Engine, settings: Settings
) -> None:
    ensure_scored(demo_engine, settings, DAY1)
    assert rescore_runs(demo_engine) == 1
    with named_lock(demo_engine, RESCORE_LOCK, timeout=5):  # another process is rescoring
        assert ensure_scored(demo_engine, settings, DAY2) is None  # at once, on the stored scores
        assert not score_status(demo_engine, DAY2).fresh
    assert rescore_runs(demo_engine) == 1
    assert ensure_scored(demo_engine, settings, DAY2) is not None
    assert rescore_runs(demo_engine) == 2


def test_waiting_without_scores_ends_with_a_clear_error(
    demo_engine: Engine, settings: Settings
) -> None:
    with named_lock(demo_engine, RESCORE_LOCK, timeout=5):
        with pytest.raises(
            LockTimeout, match=r"waited 0\.2 s for the scoring run in another workbench process"
        ):
            ensure_scored(demo_engine, settings, DAY1, timeout=0.2)
    assert rescore_runs(demo_engine) == 0


def test_scores_read_during_an_import_are_not_fresh(
    demo_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import that commits while a run reads the data leaves the scores stale."""
    real_rescore = freshness.rescore

    def rescore_then_import(engine, settings, at, refit=False):  # type: ignore[no-untyped-def]
        summary = real_rescore(engine, settings, at, refit=refit)
        with engine.begin() as conn:
            invalidate(conn)  # as the importer does, in its own transaction
        return summary

    monkeypatch.setattr(freshness, "rescore", rescore_then_import)
    assert ensure_scored(demo_engine, settings, DAY1) is not None
    assert not score_status(demo_engine, DAY1).fresh
    assert rescore_runs(demo_engine) == 1


def test_a_killed_rescorer_frees_the_lock(db_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\n"
            "from workbench.store.engine import make_engine\n"
            "from workbench.store.locks import named_lock\n"
            f"with named_lock(make_engine(sys.argv[1]), {RESCORE_LOCK!r}, timeout=5):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n"
        ), db_url],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        engine = make_engine(db_url)
        assert is_locked(engine, RESCORE_LOCK)
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
        with named_lock(engine, RESCORE_LOCK, timeout=30) as held:
            assert held
        engine.dispose()
    finally:
        holder.kill()
        holder.wait()


def test_rescore_command_marks_the_scores_fresh(db_url: str, settings: Settings) -> None:
    engine = make_engine(db_url)
    load_demo(engine, settings, customers=120, seed=3, today=DAY1.date(), announce=lambda _m: None)
    out = run(db_url, "rescore", env={"WORKBENCH_NOW": DAY1.isoformat()})
    assert "名を" in out and "秒で採点しました" in out.splitlines()[0]
    assert rescore_runs(engine) == 1
    assert score_status(engine, DAY1).fresh  # WORKBENCH_NOW was the instant
    run(db_url, "queue", "--at", DAY1.isoformat(), "--json")
    assert rescore_runs(engine) == 1  # the queue found them fresh
    run(db_url, "rescore", "--at", DAY2.isoformat())  # --at wins over WORKBENCH_NOW
    assert rescore_runs(engine) == 2
    assert score_status(engine, DAY2).fresh
    engine.dispose()


def test_rescore_now_waits_for_a_run_in_progress(demo_engine: Engine, settings: Settings) -> None:
    with named_lock(demo_engine, RESCORE_LOCK, timeout=5):
        with pytest.raises(LockTimeout):
            rescore_now(demo_engine, settings, DAY1, timeout=0.1)
    assert rescore_runs(demo_engine) == 0
    rescore_now(demo_engine, settings, DAY1)
    rescore_now(demo_engine, settings, DAY1)  # asked for explicitly: runs even when fresh
    assert rescore_runs(demo_engine) == 2
    assert score_status(demo_engine, DAY1).fresh


def test_an_in_memory_database_locks_within_the_process() -> None:
    engine, other = make_engine("sqlite://"), make_engine("sqlite://")
    with named_lock(engine, RESCORE_LOCK, timeout=1) as held:
        assert held and is_locked(engine, RESCORE_LOCK)
        assert not is_locked(other, RESCORE_LOCK)  # another in-memory database
        with pytest.raises(LockTimeout):
            with named_lock(engine, RESCORE_LOCK, timeout=0.05):
                pass
    assert not is_locked(engine, RESCORE_LOCK)


@pytest.mark.parametrize(
    "db_url", ["postgresql"], indirect=True
)  # SQLite claims wait for the write lock
def test_a_claim_during_a_rescores_write_waits_for_it_on_postgresql(
    demo_engine: Engine, settings: Settings, db_url: str
) -> None:
    """PostgreSQL: a run's transaction holds the old score rows locked, so a claim that
    skips locked rows finds nothing; `workbench claim` waits for the run and claims after."""
    assert demo_engine.dialect.name == "postgresql"
    ensure_scored(demo_engine, settings, DAY1)
    with named_lock(demo_engine, RESCORE_LOCK, timeout=5), demo_engine.connect() as writer:
        writer.execute(delete(QueueScore))  # the run's write, not yet committed
        proc = workbench(db_url, "claim", "--operator", "op01", "--at", DAY1.isoformat(), "--json")
        deadline = time.monotonic() + 300
        while not advisory_lock_waiters(demo_engine):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the claim never waited for the run"
            time.sleep(0.05)
        writer.rollback()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert json.loads(out)["customer_id"]


def advisory_lock_waiters(engine: Engine) -> int:
    with engine.connect() as conn:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return int(conn.execute(text(query)).scalar_one())
