"""CLI start-up benchmark: wall time of `workbench --help`, `queue --limit 20 --json` and `dispose`.

    python scripts/bench_cli.py                                  # builds /tmp/bench_cli/cli.db (100,000 customers)
    python scripts/bench_cli.py --db sqlite:////tmp/bench_cli/cli.db --runs 10

Outside scripts drive the workbench hundreds of times a day, so what counts is the
whole process: interpreter start, imports, settings, opening the database, the work
and the exit.  Each command runs as its own subprocess `--runs` times; the table gives
the median and p90 wall time.  The database is built with `workbench demo` and scored
with `workbench rescore --at AT` (not timed), so the queue reads fresh scores and does
not rescore; every `dispose` records a `no_answer` for a different customer taken
from the queue at the same instant (a call the calling rules allow without a lease).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchlib import machine  # type: ignore[import-not-found]

# A Wednesday morning in Tokyo, inside the calling window, a few weeks after the demo history ends.
AT = "2026-11-04T11:00:00+09:00"
DEMO_TODAY = "2026-11-01"
DEFAULT_DB = "sqlite:////tmp/bench_cli/cli.db"


SOURCE: str | None = None  # --source: run the workbench of another checkout (e.g. a baseline)


def workbench() -> list[str]:
    """The installed console script beside this interpreter, else the module entry point."""
    script = Path(sys.executable).with_name("workbench")
    if script.exists() and SOURCE is None:
        return [str(script)]
    return [sys.executable, "-c", "from workbench.cli import main; main()"]


def run(args: list[str], env: dict[str, str]) -> tuple[float, str, float]:
    """Wall seconds, standard output and CPU seconds (user + system) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # From the other checkout's folder: `python -c` puts the working directory first on the path.
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False, cwd=SOURCE)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, done.stdout, cpu


def customer_count(db: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM customers")).scalar_one())
    except Exception:
        return 0
    finally:
        engine.dispose()


def prepare(db: str, customers: int, env: dict[str, str], rescore: bool) -> int:
    """Build the demo database when it holds no customers, then score it at AT."""
    if db.startswith("sqlite:///"):
        Path(db.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    held = customer_count(db)
    if held == 0:
        print(f"building {customers:,} demo customers in {db} …", flush=True)
        seconds, _, _ = run([*workbench(), "--db", db, "demo", "--customers", str(customers),
                          "--seed", "1", "--today", DEMO_TODAY], env)  # fmt: skip
        print(f"  demo data in {seconds:.0f}s", flush=True)
        held = customer_count(db)
    if rescore:
        seconds, out, _ = run([*workbench(), "--db", db, "rescore", "--at", AT], env)
        print(f"  rescore in {seconds:.0f}s: {out.strip().splitlines()[0]}", flush=True)
    return held


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=DEFAULT_DB, help="database URL (built when empty)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pycache", default="/tmp/bench_cli/pycache", help="bytecode cache")
    parser.add_argument("--source", default=None, help="checkout whose workbench to run")
    parser.add_argument(
        "--no-rescore", action="store_true", help="keep the stored scores (fresh at AT)"
    )
    args = parser.parse_args()
    # An installed workbench keeps its bytecode: compile once (into a cache of our own, not the
    # source tree), as a user's installation does, even where PYTHONDONTWRITEBYTECODE is set.
    env = {**os.environ, "WORKBENCH_CONFIG": os.devnull, "PYTHONPYCACHEPREFIX": args.pycache}
    env.pop("WORKBENCH_DB", None)
    env["WORKBENCH_KPI_CONTROL_SHARE"] = "0"  # the queue as it is timed, everyone in it, no uplift
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.source:
        global SOURCE
        SOURCE = env["PYTHONPATH"] = str(Path(args.source).resolve())
    held = prepare(args.db, args.customers, env, rescore=not args.no_rescore)
    base = [*workbench(), "--db", args.db]

    # The customers to dispose of: callable at AT, one per run, none disposed twice.
    per_mode = args.runs + 1
    _, out, _ = run(
        [*base, "queue", "--at", AT, "--limit", str(max(20, 2 * per_mode)), "--json"], env
    )
    ids = [json.loads(line)["customer_id"] for line in out.splitlines() if line.strip()]
    if len(ids) < 2 * per_mode:
        raise SystemExit(f"only {len(ids)} callable customers at {AT}: cannot dispose {args.runs}")

    load_before = os.getloadavg()
    tables = {}
    for offset, mode in enumerate(("off", "auto")):
        mode_env = {**env, "WORKBENCH_SERVER": mode}
        mine = ids[offset * per_mode : (offset + 1) * per_mode]
        commands = {
            "workbench --help": lambda i: [*workbench(), "--help"],
            "workbench queue --limit 20 --json": lambda i: [*base, "queue", "--at", AT, "--limit", "20", "--json"],
            "workbench dispose ID --outcome no_answer": lambda i, mine=mine: [
                *base, "dispose", mine[i], "--outcome", "no_answer", "--at", AT, "--operator", "op01"],
        }  # fmt: skip
        tables[mode] = measure(commands, mode_env, args.runs)
    load_after = os.getloadavg()

    when = datetime.now(UTC)
    print()
    print(f"## CLI start-up ({when:%Y-%m-%d %H:%M} UTC, {machine()}, {platform.system()})")
    print()
    print(
        f"Command: `python scripts/bench_cli.py --db {args.db} --runs {args.runs}"
        f"{' --source ' + args.source if args.source else ''}`; "
        f"{held:,} customers scored at {AT} (fresh), SQLite; each command a new process, "
        f"{args.runs} runs; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"({os.cpu_count()} cores)."
    )
    for mode, (times, cpu) in tables.items():
        print()
        print(MODE_TITLES[mode])
        print()
        print("| command | median (s) | p90 (s) | min (s) | CPU median (s) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for label, values in times.items():
            print(
                f"| `{label}` | {statistics.median(values):.3f} | {percentile(values, 0.9):.3f} "
                f"| {min(values):.3f} | {statistics.median(cpu[label]):.3f} |"
            )


MODE_TITLES = {
    "off": "In-process (`WORKBENCH_SERVER=off`): every run imports everything itself.",
    "auto": "Through the command server (the default): the first run starts it (not timed);"
    " the CPU column is the client process only.",
}


def measure(
    commands: dict[str, Callable[[int], list[str]]], env: dict[str, str], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for label, make in commands.items():
        run(make(runs), env)  # warm-up (bytecode, file cache; starts the server), not counted
        if env["WORKBENCH_SERVER"] != "off":
            wait_for_server(env)
        measured = [run(make(i), env) for i in range(runs)]
        times[label] = [wall for wall, _, _ in measured]
        cpu[label] = [seconds for _, _, seconds in measured]
        print(f"[{env['WORKBENCH_SERVER']}] {label}: median {statistics.median(times[label]):.3f}s",
              flush=True)  # fmt: skip
    return times, cpu


def wait_for_server(env: dict[str, str], timeout: float = 90.0) -> None:
    """Until the command server for this code answers on its socket."""
    probe = "from workbench.cli.served import code_key, socket_path; print(socket_path(code_key()))"
    path = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                          check=True, cwd=SOURCE).stdout.strip()  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(path)
                return
            except OSError:
                time.sleep(0.2)
    raise SystemExit(f"the command server did not come up on {path} within {timeout:.0f}s")


if __name__ == "__main__":
    main()
