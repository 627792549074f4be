"""Save & next claims the next customer while the call view closes; whichever finishes first,
the claim or the closing, exactly one next call view opens, for one leased customer."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from tui_helpers import NOW, SMALL, call_ready, queue_ready, settle, ui_attempts, wait_for

from workbench.store.models import Lease
from workbench.tui.screens import queue as queue_screen
from workbench.tui.screens.call import CallScreen
from workbench.tui.screens.queue import QueueScreen


def live_leases(engine: Engine, operator: str, at: datetime) -> int:
    leases = Lease.__table__
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).where(leases.c.operator == operator, leases.c.expires_at > at)
        ).scalar_one()


async def first_call(app, pilot) -> CallScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, queue_ready(app))
    await pilot.press("n")
    await wait_for(pilot, call_ready(app))
    return app.screen  # type: ignore[no-any-return]


async def save_and_next(app, pilot, first: CallScreen) -> CallScreen:  # type: ignore[no-untyped-def]
    await pilot.press("d", "1", "enter")
    await wait_for(pilot, call_ready(app, not_this=first))
    await settle(pilot)
    return app.screen  # type: ignore[no-any-return]


def assert_one_next_call(app, engine: Engine, first: CallScreen, second: CallScreen) -> None:  # type: ignore[no-untyped-def]
    assert second.entry.customer_id != first.entry.customer_id
    assert [type(s) for s in app.screen_stack] == [QueueScreen, CallScreen]  # the operator mode
    assert live_leases(engine, "op01", NOW) == 1
    assert [r["external_id"] for r in ui_attempts(engine, NOW)] == [first.entry.external_id]


async def test_the_claim_finishes_after_the_call_view_closed(make_app, engine, monkeypatch) -> None:
    gate = threading.Event()
    load = queue_screen.load_call_view
    closed: list[bool] = []

    def held(session, entry):  # type: ignore[no-untyped-def]
        if not gate.is_set():
            assert gate.wait(15)
        return load(session, entry)

    after_call = QueueScreen.after_call

    def opened_gate(self, result):  # type: ignore[no-untyped-def]
        after_call(self, result)
        closed.append(self.busy)  # still claiming when the old view has closed
        gate.set()

    monkeypatch.setattr(queue_screen, "load_call_view", held)
    monkeypatch.setattr(QueueScreen, "after_call", opened_gate)
    gate.set()  # the first claim is not held
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        first = await first_call(app, pilot)
        gate.clear()
        second = await save_and_next(app, pilot, first)
        assert closed == [True]
        assert_one_next_call(app, engine, first, second)


async def test_the_claim_finishes_before_the_call_view_closed(
    make_app, engine, monkeypatch
) -> None:
    after_call = QueueScreen.after_call
    claimed_first: list[bool] = []

    def late(self, result):  # type: ignore[no-untyped-def]
        if self.ahead is None and self.busy:  # hold the closing until the claim is in
            self.set_timer(0.02, lambda: late(self, result))
            return
        claimed_first.append(self.ahead is not None)
        after_call(self, result)

    monkeypatch.setattr(QueueScreen, "after_call", late)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        first = await first_call(app, pilot)
        second = await save_and_next(app, pilot, first)
        assert claimed_first == [True]
        assert_one_next_call(app, engine, first, second)


@pytest.mark.parametrize("keys", [("d", "1", "ctrl+s"), ("x",)], ids=["pause", "release"])
async def test_pausing_or_releasing_claims_nothing_ahead(make_app, engine, keys) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await first_call(app, pilot)
        await pilot.press(*keys)
        await wait_for(pilot, queue_ready(app))
        assert isinstance(app.screen, QueueScreen) and app.screen.ahead is None
    assert live_leases(engine, "op01", NOW) == 0


async def test_quitting_mid_call_gives_the_customer_back(make_app, engine) -> None:  # type: ignore[no-untyped-def]
    """The lease is released by a worker thread as the app quits, not left to expire."""
    app = make_app()
    async with app.run_test() as pilot:
        await first_call(app, pilot)
        assert live_leases(engine, "op01", NOW) == 1
        await app.action_quit()
        await settle(pilot)
    assert live_leases(engine, "op01", NOW) == 0
    assert ui_attempts(engine, NOW) == []
