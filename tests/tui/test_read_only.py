"""A database the workbench may read but not write: a clear error within seconds, no hang."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, event
from textual.notifications import Notification
from tui_helpers import NOW, SMALL, call_ready, demo_settings, queue_ready, wait_for

from workbench.services.claim import claim
from workbench.services.errors import ReadOnlyDatabase
from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.screens.queue import QueueScreen


def read_only(engine: Engine) -> None:
    """Every new connection refuses writes the way SQLite does for a read-only file."""

    def refuse_writes(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", refuse_writes)
    engine.dispose()


def test_claim_names_the_read_only_file(engine: Engine, db_path) -> None:  # type: ignore[no-untyped-def]
    read_only(engine)
    with pytest.raises(ReadOnlyDatabase) as caught:
        claim(engine, demo_settings(), "op01", NOW)
    assert caught.value.path == str(db_path)
    assert "read-only" in str(caught.value)


async def test_claim_on_a_read_only_database_says_so_at_once(make_app, engine, db_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        read_only(engine)
        started = time.monotonic()
        await pilot.press("n")
        await wait_for(pilot, lambda: not app.screen.busy, timeout=5.0)  # type: ignore[attr-defined]
        assert time.monotonic() - started < 5.0
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        status = str(screen.query_one("#queue-status").render())
        assert "読み取り専用" in status and str(db_path) in status
        assert "確保しています" not in status
        errors: list[Notification] = [n for n in app._notifications if n.severity == "error"]
        assert any(str(db_path) in n.message and "読み取り専用" in n.message for n in errors)


async def test_saving_on_a_read_only_database_stops_and_keeps_the_input(
    make_app, engine, db_path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await pilot.press("n")
        await wait_for(pilot, call_ready(app))
        read_only(engine)
        await pilot.press("d", "1", "enter")
        form = app.screen
        assert isinstance(form, DispositionScreen)
        await wait_for(pilot, lambda: not form.sending, timeout=5.0)
        status = str(form.query_one("#form-status").render())
        assert "読み取り専用" in status and str(db_path) in status
        assert app.screen is form and form.draft.outcome == "no_answer"
