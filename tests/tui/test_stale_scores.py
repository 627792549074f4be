"""Start-up never waits for a full scoring run when scores exist: stale ones are shown at once,
with a notice, and refreshed behind the queue; a database without scores is scored first.

The refresh is held at a gate, so each test sees the queue while the old scores are
still the stored ones, and decides when the new ones arrive.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete
from textual.pilot import Pilot
from tui_helpers import LARGE, NOW, SMALL, call_ready, demo_settings, queue_ready, settle, wait_for

from workbench.services.freshness import invalidate, score_status
from workbench.services.queue import QueueEntry, read_queue
from workbench.store.models import QueueScore
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.session import Session
from workbench.tui.widgets import score_notice
from workbench.tui.widgets.score_notice import ScoreNotice

LATER = NOW + timedelta(days=1)  # Thursday 10:30: the scores from Wednesday are stale


class Gate:
    """Holds the scoring run until `open()`; `stop()` lets a held run end without scoring."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.stopped = False
        self.calls = 0

    def open(self) -> None:
        self.opened.set()

    def stop(self) -> None:
        self.stopped = True
        self.opened.set()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate()
    real = score_notice.refresh_scores

    def refresh(session: Session):  # type: ignore[no-untyped-def]
        held.calls += 1
        assert held.opened.wait(30), "the test never opened the gate"
        return None if held.stopped else real(session)

    monkeypatch.setattr(score_notice, "refresh_scores", refresh)
    yield held
    held.stop()


def ranking(engine: Engine, limit: int = 20) -> list[tuple[int, float]]:
    with engine.connect() as conn:
        entries = read_queue(conn, demo_settings(), LATER, "op01", limit)
    return [key(e) for e in entries]


def key(entry: QueueEntry) -> tuple[int, float]:
    return entry.customer_id, round(entry.score, 6)


def shown(app: object) -> Callable[[], bool]:
    def ready() -> bool:
        screen = app.screen  # type: ignore[attr-defined]
        return isinstance(screen, QueueScreen) and bool(screen.rows)

    return ready


async def stale_queue(pilot: Pilot[object]) -> QueueScreen:
    await wait_for(pilot, shown(pilot.app))
    screen = pilot.app.screen
    assert isinstance(screen, QueueScreen)
    return screen


async def test_stale_scores_show_the_queue_at_once_then_refresh_it(make_app, engine, gate) -> None:
    assert not score_status(engine, LATER).fresh
    old = ranking(engine)
    app = make_app(now=LATER)
    async with app.run_test(size=LARGE) as pilot:
        screen = await stale_queue(pilot)
        notice = screen.query_one(ScoreNotice)
        assert notice.display
        assert "スコア更新中（11/25(水) 10:30 時点の順位を表示中）" in str(notice.render())
        assert [key(r.entry) for r in screen.rows] == old  # the stored scores, still unchanged
        assert not score_status(engine, LATER).fresh
        await wait_for(pilot, lambda: gate.calls)  # the refresh's thread has started
        assert gate.calls == 1
        before = screen.rows

        gate.open()
        await wait_for(pilot, lambda: screen.rows is not before and not notice.display)
        await settle(pilot)
        assert score_status(engine, LATER).fresh
        new = ranking(engine)
        assert new != old  # a day later the scores differ, so the reload is visible
        assert [key(r.entry) for r in screen.rows] == new


async def test_calls_go_on_while_scores_refresh(make_app, engine, gate) -> None:
    app = make_app(now=LATER)
    async with app.run_test(size=SMALL) as pilot:
        queue = await stale_queue(pilot)
        await pilot.press("n")  # claiming from stale scores: the rules are checked live
        await wait_for(pilot, call_ready(app))
        call = app.screen
        gate.open()
        notice = queue.query_one(ScoreNotice)
        await wait_for(pilot, lambda: queue.reload_on_return)  # read when the operator is back
        assert app.screen is call and not notice.running
        await pilot.press("d", "1", "ctrl+s")  # save and pause: back to the queue
        await wait_for(pilot, queue_ready(app))
        assert not notice.display
        assert [key(r.entry) for r in queue.rows] == ranking(engine)


async def test_quitting_does_not_wait_for_the_refresh(make_app, gate) -> None:
    app = make_app(now=LATER)
    async with app.run_test(size=SMALL) as pilot:
        await stale_queue(pilot)
        await wait_for(pilot, lambda: gate.calls == 1)
        await pilot.press("q")
    # The run is still held; no thread but the daemon that runs it may be inside the worker.
    deadline = time.monotonic() + 3
    while waiting_in_worker():
        assert time.monotonic() < deadline, "a worker thread still waits for the scoring run"
        time.sleep(0.05)


def waiting_in_worker() -> bool:
    for frame in sys._current_frames().values():
        stack = []
        while frame is not None:
            stack.append(frame.f_code.co_name)
            frame = frame.f_back
        if "rescore" in stack:
            return True
    return False


async def test_a_database_without_scores_is_scored_before_the_queue(
    make_app, engine, gate, monkeypatch
) -> None:
    with engine.begin() as conn:
        conn.execute(delete(QueueScore))
        invalidate(conn)
    shown_rows: list[int] = []
    show_view = QueueScreen.show_view

    def record(self, view):  # type: ignore[no-untyped-def]
        shown_rows.append(len(view.rows))
        show_view(self, view)

    monkeypatch.setattr(QueueScreen, "show_view", record)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        assert not app.screen.query_one(ScoreNotice).display
    assert shown_rows and shown_rows[0] > 0  # the very first queue shown had customers in it
    assert gate.calls == 0  # nothing was left to refresh in the background
    assert score_status(engine, NOW).fresh


def test_notice_snapshot(snap_compare, make_app, gate) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[object]) -> None:
        await stale_queue(pilot)
        await wait_for(pilot, lambda: gate.calls == 1)
        # Everything settled but the held scoring run.
        await wait_for(
            pilot, lambda: all(w.group == "rescore" or not w.is_running for w in pilot.app.workers)
        )
        await pilot.pause()

    assert snap_compare(make_app(now=LATER), terminal_size=SMALL, run_before=run_before)
