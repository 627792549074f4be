"""UI benchmark: launch → interactive queue, and disposition submit → the next customer's card.

    python scripts/bench_ui.py --db sqlite:////tmp/bench/bench.db --record docs/benchmarks.md
    python scripts/bench_ui.py --db sqlite:////tmp/ui_bench/ui100k.db --customers 100000 \\
        --attempts 300000 --record docs/benchmarks.md

The first line is the 1,000,000-customer run on the database `bench_import.py` and
`bench_queue.py` build (`--workdir /tmp/bench`).  With --customers N (and no customers yet)
it generates and imports a demo set first; --attempts tops contact history up to that many
rows, like `bench_queue.py`.  The scores are brought up to date at --at before anything is
timed (that scoring run is printed, it is not a launch figure; on a million customers whose
scores were never marked fresh it takes a few minutes, once).  The database gets one
no-answer attempt per measured disposition.

Launch: `workbench --db URL ui --operator OP` is started as a real process in a
pseudo-terminal of 80×24 with WORKBENCH_NOW fixed, and timed from just before the process
starts to the first terminal output that shows the first queue entry's customer id (the
line under the table; it is drawn in the same refresh as the rows, with the table focused).
This includes Python's start-up and every import of the console command.  The OS file cache
is warm: one unmeasured launch comes first.  Two cases:

- fresh: the scores were computed at --at;
- stale: the same database one day later (the scores are from another day): the queue is
  shown from the stored scores and refreshed in the background.  The process is quit
  (`q`) as soon as the queue shows, before that refresh commits, so the database is left
  as it was; how long quitting takes is printed too (it must not wait for the refresh).

Disposition: `WorkbenchApp` in this process, headless (`App.run_test`, 80×24), driven with
Pilot like the operator does: `n` claims, then per iteration `d` `1` (no answer) and Enter;
timed from the Enter key to the first frame that shows the next call view with its customer
card (the frame is composed as for a terminal; headless, it is not written out).  The path
covers the disposition's transaction, the next claim, loading the customer's card and
drawing it.  Each iteration records a real no-answer attempt for a different customer
(operator `--operator`).  Before each `d` the operator spends --think seconds on the card,
as a real one would (reading, dialling); the app collects garbage in such pauses.  The
database calls on the way (`dispose`, `claim`, `load_call_view`: the card's data) are
timed too, to tell what grows with the database from what the screen costs.

How much CPU other processes took meanwhile is printed and recorded: the figures are only
comparable on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import functools
import importlib
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_queue import AT, seed, top_up_attempts  # type: ignore[import-not-found]
from benchlib import machine  # type: ignore[import-not-found]
from sqlalchemy import Engine, func
from sqlalchemy import select as sql_select

from workbench.config import Settings, load_settings
from workbench.services.demo import ensure_operators
from workbench.services.freshness import ensure_scored, score_status
from workbench.store.database import open_database
from workbench.store.models import ContactAttempt, Customer, Lease

SIZE = (80, 24)
WORKBENCH = Path(sys.executable).with_name("workbench")
CUSTOMER_ID = re.compile(rb"C\d{7}")  # the demo generator's customer ids


# -- launch -------------------------------------------------------------------------
def launch_once(db: str, operator: str, at: datetime, timeout: float) -> tuple[float, float, float]:
    """Seconds to the first output, to the queue shown, and for quitting afterwards."""
    master, slave = os.openpty()
    cols, rows = SIZE
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "WORKBENCH_NOW": at.isoformat()}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(WORKBENCH), "--db", db, "ui", "--operator", operator],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    first = shown = None
    seen = b""
    try:
        while shown is None:
            left = timeout - (time.perf_counter() - started)
            if left <= 0 or proc.poll() is not None:
                raise RuntimeError(f"no queue on screen after {timeout:.0f}s: {_tail(seen)}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end closed, the process ended
                proc.wait(timeout=10)
                raise RuntimeError(
                    f"workbench exited with {proc.returncode} before the queue: {_tail(seen)}"
                ) from None
            first = first or time.perf_counter()
            seen = (seen + chunk)[-200_000:]
            if CUSTOMER_ID.search(seen):
                shown = time.perf_counter()
        os.write(master, b"q")
        quit_started = time.perf_counter()
        _drain_until_exit(proc, master, 30.0)
        quit_s = time.perf_counter() - quit_started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # our own child, by its id
            proc.wait()
        os.close(master)
    assert first is not None
    return first - started, shown - started, quit_s


def _drain_until_exit(proc: subprocess.Popen[bytes], master: int, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while proc.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    proc.wait(timeout=max(0.1, deadline - time.perf_counter()))


def _tail(seen: bytes) -> str:
    text = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b" ", seen[-2000:]).decode("utf-8", "replace")
    return " ".join(text.split())[-400:]


# -- disposition → next card ----------------------------------------------------------
PARTS = {
    "dispose": "disposition",
    "claim": "queue",
    "load_call_view": "queue",
}  # function → screen module


async def dispositions(engine: Engine, settings: Settings, operator: str, at: datetime, n: int,
                       think: float = 1.0) -> tuple[list[float], dict[str, list[float]]]:  # fmt: skip
    """Seconds from Enter to the next card, and how long the database calls on that path took."""
    from textual.widgets import DataTable

    from workbench.tui.app import WorkbenchApp
    from workbench.tui.dialer import ClipboardDialer
    from workbench.tui.screens.call import CallScreen
    from workbench.tui.screens.disposition import DispositionScreen
    from workbench.tui.widgets.outcome_picker import OutcomePicker

    parts: dict[str, list[float]] = {name: [] for name in PARTS}
    for name, screen in PARTS.items():
        module = importlib.import_module(f"workbench.tui.screens.{screen}")
        setattr(module, name, _timed(getattr(module, name), parts[name]))

    app = WorkbenchApp(engine, settings, operator, now=at, dialer=ClipboardDialer())
    drawn: dict[int, float] = {}  # call view → when its first frame with the card was ready
    display = app._display

    def timed_display(screen: object, renderable: object) -> None:
        display(screen, renderable)  # type: ignore[arg-type]
        if renderable is not None and isinstance(screen, CallScreen) and id(screen) not in drawn:
            cards = screen.query("#card")
            if cards and cards.first().region.area:
                drawn[id(screen)] = time.perf_counter()

    app._display = timed_display  # type: ignore[method-assign]
    times: list[float] = []

    async def until(predicate, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"timed out; screen is {app.screen!r}")
            await asyncio.sleep(0.001)

    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: isinstance(app.focused, DataTable))
        await pilot.press("n")
        await until(lambda: isinstance(app.screen, CallScreen) and id(app.screen) in drawn)
        for _ in range(n):
            call = app.screen
            await asyncio.sleep(think)  # the operator reads the card and dials
            await pilot.press("d", "1")
            await until(
                lambda: (
                    isinstance(app.screen, DispositionScreen)
                    and app.screen.query_one(OutcomePicker).value == "no_answer"
                )
            )
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press("enter")
            await until(
                lambda call=call: (
                    app.screen is not call
                    and (
                        (isinstance(app.screen, CallScreen) and id(app.screen) in drawn)
                        or not isinstance(app.screen, (CallScreen, DispositionScreen))
                    )
                )
            )
            if not isinstance(app.screen, CallScreen):
                break  # nobody left to call
            times.append(drawn[id(app.screen)] - started)
        if isinstance(app.screen, CallScreen):
            app.screen.release_now()
    for name, screen in PARTS.items():
        module = importlib.import_module(f"workbench.tui.screens.{screen}")
        setattr(module, name, getattr(module, name).__wrapped__)
    return times, {name: values[-len(times) :] for name, values in parts.items()}


def _timed(function, into: list[float]):  # type: ignore[no-untyped-def]
    @functools.wraps(function)
    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - started)

    return timed


def busy_seconds() -> float:
    """CPU seconds all processes have used since boot (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    idle = int(fields[3]) + int(fields[4])
    return (sum(int(f) for f in fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# -- figures --------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        n_customers = conn.execute(sql_select(func.count()).select_from(Customer)).scalar_one()
        n_attempts = conn.execute(sql_select(func.count()).select_from(ContactAttempt)).scalar_one()
        transactions = ContactAttempt.metadata.tables["transactions"]
        n_tx = conn.execute(sql_select(func.count()).select_from(transactions)).scalar_one()
    return n_customers, n_tx, n_attempts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", required=True, help="database URL, e.g. sqlite:////tmp/bench/bench.db"
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=0,
        help="generate and import this many first (empty database)",
    )
    parser.add_argument(
        "--attempts", type=int, default=0, help="top contact history up to this many rows"
    )
    parser.add_argument(
        "--at", default=AT.isoformat(), help="the fixed clock (default: a Wednesday morning)"
    )
    parser.add_argument("--operator", default="op01")
    parser.add_argument("--launches", type=int, default=5, help="measured launches per case")
    parser.add_argument("--dispositions", type=int, default=30)
    parser.add_argument("--think", type=float, default=1.0, help="seconds on each card before `d`")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a launch may take")
    parser.add_argument(
        "--record", type=Path, default=None, help="append the figures to this Markdown file"
    )
    args = parser.parse_args()
    at = datetime.fromisoformat(args.at)
    settings = load_settings(path=None, env={})
    engine = open_database(args.db, migrate=True)
    if args.customers and counts(engine)[0] == 0:
        seed(engine, args.customers)
    added = top_up_attempts(engine, args.attempts) if args.attempts else 0
    ensure_operators(engine)
    n_customers, n_tx, n_attempts = counts(engine)
    print(
        f"{n_customers:,} customers, {n_tx:,} transactions, {n_attempts:,} attempts ({added:,} synthetic)",
        flush=True,
    )
    if not WORKBENCH.exists():
        sys.exit(
            f"{WORKBENCH} not found: run this with the Python of the environment workbench is installed in"
        )
    started = time.perf_counter()
    if ensure_scored(engine, settings, at) is not None:
        print(
            f"scored at {at.isoformat()} first: {time.perf_counter() - started:.1f}s (not a launch figure)",
            flush=True,
        )
    with engine.begin() as conn:
        conn.execute(Lease.__table__.delete().where(Lease.__table__.c.operator == args.operator))

    timed_from, busy_from, own_from = time.perf_counter(), busy_seconds(), own_seconds()
    launches: dict[str, list[tuple[float, float, float]]] = {}
    for case, when in (("fresh", at), ("stale", at + timedelta(days=1))):
        warm = launch_once(args.db, args.operator, when, args.timeout)
        print(
            f"launch ({case} scores), unmeasured warm-up: queue shown at {warm[1]:.2f}s", flush=True
        )
        runs = [
            launch_once(args.db, args.operator, when, args.timeout) for _ in range(args.launches)
        ]
        launches[case] = runs
        shown = [r[1] for r in runs]
        print(f"launch ({case} scores): first output median {statistics.median(r[0] for r in runs):.2f}s, "
              f"queue shown median {statistics.median(shown):.2f}s, max {max(shown):.2f}s; "
              f"quit took at most {max(r[2] for r in runs):.2f}s", flush=True)  # fmt: skip
    if not score_status(engine, at).fresh:
        sys.exit(
            "the stale launches changed the scores: a background refresh committed before quitting"
        )

    times, parts = asyncio.run(
        dispositions(engine, settings, args.operator, at, args.dispositions, args.think)
    )
    ms = [t * 1000 for t in times]
    p50, p95, worst = percentile(ms, 0.5), percentile(ms, 0.95), max(ms)
    part_p50 = ", ".join(
        f"`{name}` {percentile(v, 0.5) * 1000:.0f} ms" for name, v in parts.items()
    )
    print(f"disposition → next card: n={len(ms)} p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms "
          f"(database calls on the way, p50: {part_p50})", flush=True)  # fmt: skip
    elapsed = time.perf_counter() - timed_from
    others = max(0.0, (busy_seconds() - busy_from) - (own_seconds() - own_from)) / elapsed
    print(f"other processes used {others:.2f} of {os.cpu_count()} cores meanwhile", flush=True)

    if args.record:
        size = f"{n_customers:,}"
        generated = f" (the {args.customers:,}-customer demo set)" if args.customers else ""
        extra = f" --customers {args.customers}" if args.customers else ""
        extra += f" --attempts {args.attempts}" if args.attempts else ""
        lines = [
            f"\n## Operator UI, {size} customers{generated} ({datetime.now(UTC):%Y-%m-%d}, {machine()}, "
            f"{engine.dialect.name})\n",
            f"Command: `python scripts/bench_ui.py --db {args.db.split('@')[-1]}{extra} --launches {args.launches} "
            f"--dispositions {args.dispositions} --think {args.think:g}`; {size} customers, {n_tx:,} transactions, "
            f"{n_attempts:,} contact attempts; clock fixed at {at.isoformat()}; terminal 80×24; other processes "
            f"used {others:.2f} of the {os.cpu_count()} cores meanwhile.  Goals: launch → interactive queue under "
            f"1.5 s on 1,000,000 customers, disposition → next card under 200 ms.\n",
        ]
        for case, runs in launches.items():
            shown = [r[1] for r in runs]
            what = ("scores fresh" if case == "fresh" else
                    "scores from the day before: shown at once, refreshed in the background")  # fmt: skip
            lines.append(
                f"- Launch → interactive queue ({what}; `workbench ui` as a process in a pty, imports included), "
                f"{len(runs)} runs: median {statistics.median(shown):.2f} s, max {max(shown):.2f} s "
                f"(first output after {statistics.median(r[0] for r in runs):.2f} s)."
            )
        quit_s = max(r[2] for r in launches["stale"])
        lines.append(f"- Quitting while the background refresh runs: at most {quit_s:.2f} s.")
        lines.append(
            f"- Disposition submit → next customer's card drawn (Pilot, headless, no answer), {len(ms)} calls: "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms.  The database calls on that path, each in "
            f"its worker thread, p50: {part_p50}.\n"
        )
        with args.record.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
