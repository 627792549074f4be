"""Shared by the TUI tests: the seeded demo database, the fixed clock, and waiting for the UI.

The demo database holds 300 demo customers as of 2026-11-25, scored at NOW, plus two
callbacks promised to op01 that morning: one overdue at NOW and one due, so the queue
shows both highlights.  Workers run in threads, so tests poll instead of sleeping blind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from textual.pilot import Pilot

from workbench.config import Settings, load_settings
from workbench.services.demo import load_demo
from workbench.services.dispose import Disposition, dispose
from workbench.services.freshness import ensure_scored
from workbench.services.queue import read_queue
from workbench.store.database import open_database
from workbench.store.models import ContactAttempt, Customer
from workbench.tui.screens.call import CallScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.widgets.script_panel import ScriptPanel

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=TOKYO)  # a Wednesday, inside the 09–20 window
EVENING = datetime(2026, 11, 25, 21, 30, tzinfo=TOKYO)  # after hours: nobody is callable
SMALL = (80, 24)
LARGE = (160, 48)


def demo_settings(language: str = "ja") -> Settings:
    # No control group (as tests/conftest.py): the screens and snapshots show fixed queues.
    return load_settings(
        path=None, env={"WORKBENCH_LANGUAGE": language, "WORKBENCH_KPI_CONTROL_SHARE": "0"}
    )


def seed_callbacks(engine: Engine, settings: Settings) -> None:
    """Two B2C customers asked op01 to call back: at 10:15 (overdue at 10:30) and 10:33 (due)."""
    morning = datetime(2026, 11, 25, 9, 10, tzinfo=TOKYO)
    with engine.connect() as conn:
        entries = [e for e in read_queue(conn, settings, morning, "op01", 40) if e.kind == "b2c"]
    for entry, due in zip(
        entries[:2], (NOW - timedelta(minutes=15), NOW + timedelta(minutes=3)), strict=True
    ):
        dispose(engine, settings, Disposition(
            customer_id=entry.external_id, outcome="callback", at=morning, operator="op01",
            script=entry.script.script_id if entry.script else None, callback_at=due,
            note="夕方以降なら話せるとのこと", source="ui",
        ))  # fmt: skip


def build_demo_db(path: Path) -> Path:
    settings = demo_settings()
    engine = open_database(f"sqlite:///{path}")
    load_demo(
        engine, settings, customers=300, seed=7, today=date(2026, 11, 25), announce=lambda _m: None
    )
    ensure_scored(engine, settings, NOW)
    seed_callbacks(engine, settings)
    engine.dispose()
    return path


async def wait_for(
    pilot: Pilot[object], predicate: Callable[[], object], timeout: float = 15.0
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; screen is {pilot.app.screen!r}")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[object]) -> None:
    """Until no worker runs (workers may start more workers when they finish)."""
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return


def queue_ready(app: object) -> Callable[[], bool]:
    def ready() -> bool:
        screen = app.screen  # type: ignore[attr-defined]
        return (
            isinstance(screen, QueueScreen)
            and not screen.busy
            and not any(
                w.is_running
                for w in app.workers  # type: ignore[attr-defined]
            )
        )

    return ready


def call_ready(app: object, not_this: object = None) -> Callable[[], bool]:
    def ready() -> bool:
        screen = app.screen  # type: ignore[attr-defined]
        return (
            isinstance(screen, CallScreen)
            and screen is not not_this
            and screen.data is not None
            and screen.is_mounted
            # The script is drawn after the card (CallScreen.ready): wait for it too.
            and any(panel.loaded for panel in screen.query(ScriptPanel))
        )

    return ready


def ui_attempts(engine: Engine, since: datetime) -> list[dict[str, object]]:
    """Attempts the UI recorded from `since` on, oldest first, with the customer's external id."""
    attempts, customers = ContactAttempt.__table__, Customer.__table__
    stmt = (
        select(customers.c.external_id, attempts)
        .join(customers, customers.c.id == attempts.c.customer_id)
        .where(attempts.c.source == "ui", attempts.c.at >= since)
        .order_by(attempts.c.id)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


async def start_call(pilot: Pilot[object], app: object) -> object:
    """From the queue screen: claim the next customer and wait for their call view."""
    await wait_for(pilot, queue_ready(app))
    await pilot.press("n")
    await wait_for(pilot, call_ready(app))
    return app.screen  # type: ignore[attr-defined]
