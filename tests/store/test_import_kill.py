"""SIGKILL in the middle of `workbench import transactions`: the database must hold none of the
file or all of it, never part, and running the import again must complete it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from workbench.services.importer import import_file
from workbench.store.engine import make_engine
from workbench.store.models import CustomerMetrics, Purchase

N_CUSTOMERS = 2_000
N_TRANSACTIONS = 100_000
KILL_AFTER_WRITING_STARTED = 0.3  # seconds; the whole import takes several times longer

purchases = Purchase.__table__
metrics = CustomerMetrics.__table__


def _files(tmp_path: Path) -> tuple[Path, Path]:
    customers = tmp_path / "customers.csv"
    with customers.open("w", encoding="utf-8") as fh:
        fh.write("customer_id,name,kind,phone\n")
        for i in range(N_CUSTOMERS):
            fh.write(f"K{i:05d},顧客{i},b2c,090-1{i // 10000:03d}-{i % 10000:04d}\n")
    transactions = tmp_path / "transactions.csv"
    with transactions.open("w", encoding="utf-8") as fh:
        fh.write("customer_id,ordered_at,amount,category,transaction_id\n")
        for j in range(N_TRANSACTIONS):
            fh.write(f"K{j % N_CUSTOMERS:05d},2024-{j % 12 + 1:02d}-{j % 28 + 1:02d} 10:{j % 60:02d},"
                     f"{(j % 97) * 100 + 500},cat{j % 5},T{j:07d}\n")  # fmt: skip
    return customers, transactions


def _command(url: str, *args: str) -> list[str]:
    return [sys.executable, "-c", "from workbench.cli import main; main()", "--db", url, *args]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}


def _sqlite_writing(url: str) -> bool:
    """True while another connection holds the write lock (the import has started writing)."""
    probe = sqlite3.connect(make_url(url).database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def _pg_backends(engine: Engine, app: str, writing_only: bool) -> int:
    clause = " AND backend_xid IS NOT NULL" if writing_only else ""
    with engine.connect() as conn:
        return conn.execute(
            text(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = :app{clause}"),
            {"app": app},
        ).scalar_one()


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(purchases)).scalar_one(),
            conn.execute(select(func.count()).select_from(metrics)).scalar_one(),
        )


def test_kill_mid_import_leaves_none_or_all_and_rerun_completes(db_url, engine, settings, tmp_path):
    customers, transactions = _files(tmp_path)
    assert import_file(engine, "customers", customers, settings).inserted == N_CUSTOMERS
    sqlite = engine.dialect.name == "sqlite"
    app = f"killtest_{uuid.uuid4().hex[:8]}"
    url = db_url if sqlite else f"{db_url}&application_name={app}"

    proc = subprocess.Popen(
        _command(url, "import", "transactions", str(transactions), "--no-progress"),
        cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (
            _sqlite_writing(db_url) if sqlite else _pg_backends(engine, app, writing_only=True)
        ):
            assert proc.poll() is None, (
                f"the import ended before it was seen writing: {proc.communicate()}"
            )
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
        time.sleep(KILL_AFTER_WRITING_STARTED)
        assert proc.poll() is None, "the import finished before the kill: make the file bigger"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        # The killed command's own helper processes (if any) share its session: end them too.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate(timeout=30)

    if sqlite:
        check = sqlite3.connect(make_url(db_url).database)
        try:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            # A first load drops the indexes inside its transaction: the kill must bring them back.
            indexes = {row[1] for row in check.execute("PRAGMA index_list(transactions)")}
            assert {"ux_transactions_fingerprint", "ix_transactions_customer_ordered"} <= indexes
        finally:
            check.close()
    else:
        # The server ends the dead client's session (and its transaction) by itself.
        deadline = time.monotonic() + 30
        while _pg_backends(engine, app, writing_only=False):
            assert time.monotonic() < deadline, "the killed import's session never ended"
            time.sleep(0.05)

    fresh = make_engine(db_url)
    try:
        n_transactions, n_metrics = _counts(fresh)
    finally:
        fresh.dispose()
    assert n_transactions in (0, N_TRANSACTIONS), (
        f"partial import after kill: {n_transactions} rows"
    )
    assert n_metrics == (0 if n_transactions == 0 else N_CUSTOMERS)

    rerun = subprocess.run(
        _command(db_url, "import", "transactions", str(transactions), "--no-progress", "--json"),
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert (summary["rows"], summary["rejected"]) == (N_TRANSACTIONS, 0)
    assert summary["inserted"] + summary["unchanged"] == N_TRANSACTIONS
    assert _counts(engine)[0] == N_TRANSACTIONS
