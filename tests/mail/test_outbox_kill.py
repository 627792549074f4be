"""`workbench escalation run` killed with SIGKILL mid-batch loses no email and sends none twice.

The real console command runs as a subprocess against a real SMTP server on loopback; the rate
limit spaces its sends, and the kill lands between two of them (after a message's 'sent' is
committed and before the next one begins).  A run after the dead run's lease has expired
delivers the rest: every due email arrives exactly once, counted by Message-ID.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from servers import SmtpTestServer
from sqlalchemy import Engine, func, select
from test_outbox_send import AT, many, outbox_rows, received_ids

from workbench.store.engine import make_engine
from workbench.store.models import OutboxMessage

COMMAND = [sys.executable, "-c", "from workbench.cli import main; main()"]
RATE = 120  # one send every 0.5 s: the kill has time to land between two
COUNT = 14


def write_config(folder: Path, server: SmtpTestServer) -> Path:
    path = folder / "workbench.toml"
    path.write_text(
        "[smtp]\n"
        f'host = "{server.host}"\nport = {server.port}\n'
        'sender = "info@sample-shoji.example"\n'
        f"rate_per_minute = {RATE}\ntimeout_seconds = 5\n"
        # Every queued email must go: none of these customers may draw the control group.
        "[kpi]\ncontrol_share = 0\n",
        encoding="utf-8",
    )
    return path


def run_command(db_url: str, config: Path, at: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    return subprocess.Popen(
        [
            *COMMAND,
            "--db",
            db_url,
            "--config",
            str(config),
            "escalation",
            "run",
            "--at",
            at,
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def sent_count(engine: Engine) -> int:
    table = OutboxMessage.__table__
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(table.c.status == "sent")).scalar_one())


def test_sigkill_mid_batch_then_a_rerun_delivers_every_email_exactly_once(
    db_url: str, tmp_path: Path, smtp_server: SmtpTestServer
) -> None:
    engine = make_engine(db_url)
    ids = many(engine, COUNT)
    config = write_config(tmp_path, smtp_server)

    process = run_command(db_url, config, AT.isoformat())
    deadline = time.monotonic() + 60
    killed_after = 0
    while time.monotonic() < deadline and process.poll() is None:
        sent = sent_count(engine)
        # Past the third message, and the last 250 already committed: between two sends.
        if sent >= 3 and sent == len(smtp_server.messages):
            os.kill(process.pid, signal.SIGKILL)
            killed_after = sent
            break
        time.sleep(0.01)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    assert 3 <= killed_after < COUNT
    delivered = len(smtp_server.messages)
    assert delivered == sent_count(engine)  # the kill fell between two sends, as intended
    statuses = Counter(row.status for row in outbox_rows(engine).values())
    assert statuses["sending"] >= 1  # the dead run's claimed batch is still leased

    # Within the dead run's lease nothing of its batch is touched; after it, all goes out.
    rerun = run_command(db_url, config, (AT + timedelta(minutes=6)).isoformat())
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["sent"] == COUNT - delivered
    assert (summary["retried"], summary["failed"]) == (0, 0)
    assert received_ids(smtp_server) == Counter(ids)  # each Message-ID exactly once
    assert {row.status for row in outbox_rows(engine).values()} == {"sent"}
    engine.dispose()


def test_a_rerun_within_the_dead_runs_lease_leaves_its_batch_alone(
    db_url: str, tmp_path: Path, smtp_server: SmtpTestServer
) -> None:
    engine = make_engine(db_url)
    ids = many(engine, 3)
    config = write_config(tmp_path, smtp_server)
    first = run_command(db_url, config, AT.isoformat())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and first.poll() is None:
        if sent_count(engine) >= 1 and len(smtp_server.messages) == sent_count(engine):
            os.kill(first.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    first.wait(timeout=30)
    delivered = len(smtp_server.messages)
    assert 1 <= delivered < 3

    soon = run_command(db_url, config, (AT + timedelta(minutes=1)).isoformat())
    out, err = soon.communicate(timeout=60)
    assert soon.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["sent"] == 0
    assert len(smtp_server.messages) == delivered

    late = run_command(db_url, config, (AT + timedelta(minutes=6)).isoformat())
    out, err = late.communicate(timeout=60)
    assert late.returncode == 0, err
    assert received_ids(smtp_server) == Counter(ids)
    engine.dispose()


def test_two_runs_at_once_from_cron_send_nothing_twice(
    db_url: str, tmp_path: Path, smtp_server: SmtpTestServer
) -> None:
    engine = make_engine(db_url)
    ids = many(engine, 30)
    config = write_config(tmp_path, smtp_server)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            f"rate_per_minute = {RATE}", "rate_per_minute = 0"
        ),
        encoding="utf-8",
    )
    runs = [run_command(db_url, config, AT.isoformat()) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    sent = [json.loads(out.strip().splitlines()[-1])["sent"] for out, _ in outputs]
    assert sum(sent) == 30
    assert received_ids(smtp_server) == Counter(ids)
    engine.dispose()
