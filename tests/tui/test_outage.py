"""A database outage while submitting a disposition: the form keeps its data and retries."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from sqlalchemy.exc import OperationalError
from textual.widgets import Input
from tui_helpers import NOW, SMALL, call_ready, start_call, ui_attempts, wait_for

from workbench.services import dispose as dispose_service
from workbench.tui.screens import disposition as form_module
from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.widgets.outcome_picker import OutcomePicker


def status_of(form: DispositionScreen) -> str:
    return str(form.query_one("#form-status").render())


async def test_outage_during_submit_keeps_the_form_and_the_retry_succeeds(
    make_app, engine, monkeypatch
) -> None:
    calls: list[object] = []
    retry_may_go = threading.Event()

    def flaky(engine, settings, disposition):  # type: ignore[no-untyped-def]
        calls.append(disposition)
        if len(calls) == 1:
            raise OperationalError(
                "INSERT INTO contact_attempts …", {}, sqlite3.OperationalError("disk I/O error")
            )
        retry_may_go.wait(10)
        return dispose_service.dispose(engine, settings, disposition)

    monkeypatch.setattr(form_module, "dispose", flaky)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press(
            "d", "5", *"18:00", "tab", "tab", "tab", *"奥様が対応", "enter"
        )  # time → … → note
        form = app.screen
        assert isinstance(form, DispositionScreen)
        await wait_for(pilot, lambda: "データベースに接続できません" in status_of(form))
        assert "ディスクの読み書きに失敗しました" in status_of(form) and "入力は保持" in status_of(
            form
        )
        # Still the form, with everything the operator typed.
        assert app.screen is form
        assert form.query_one(OutcomePicker).value == "callback"
        assert form.query_one("#callback", Input).value == "18:00"
        assert form.query_one("#note", Input).value == "奥様が対応"
        assert ui_attempts(engine, NOW) == []

        retry_may_go.set()
        await wait_for(pilot, call_ready(app, not_this=call))
    assert len(calls) == 2
    [row] = ui_attempts(engine, NOW)
    assert (row["outcome"], row["note"], row["operator"]) == ("callback", "奥様が対応", "op01")
    assert row["callback_at"] == NOW.replace(hour=18, minute=0)


async def test_database_file_gone_then_back(make_app, engine, db_path: Path) -> None:
    """A real outage: the database path leads nowhere while the operator submits."""
    app = make_app()
    away = db_path.with_name("away.db")
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", "1")

        engine.dispose()  # no pooled connection survives: the next one must open the path
        db_path.rename(away)
        db_path.symlink_to(db_path.parent / "missing-folder" / "workbench.db")
        await pilot.press("enter")
        form = app.screen
        await wait_for(pilot, lambda: "データベースに接続できません" in status_of(form))
        await wait_for(pilot, lambda: "2回目" in status_of(form))  # it keeps retrying
        assert app.screen is form and form.query_one(OutcomePicker).value == "no_answer"

        link = db_path.with_name("back.db")
        link.symlink_to(away)
        os.replace(link, db_path)  # atomically: the path leads to the database again
        await wait_for(pilot, call_ready(app, not_this=call))
    [row] = ui_attempts(engine, NOW)
    assert (row["outcome"], row["operator"], row["source"]) == ("no_answer", "op01", "ui")


async def test_escape_stops_retrying_and_keeps_the_data(make_app, engine, monkeypatch) -> None:
    def down(engine, settings, disposition):  # type: ignore[no-untyped-def]
        raise OperationalError(
            "SELECT 1", {}, sqlite3.OperationalError("unable to open database file")
        )

    monkeypatch.setattr(form_module, "dispose", down)
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await start_call(pilot, app)
        await pilot.press("d", "2", "enter")
        form = app.screen
        await wait_for(pilot, lambda: "接続できません" in status_of(form))
        await pilot.press("escape")
        # "再試行を中止しました", not the outage line's own "Esc で中止" hint: until the worker
        # has stopped, the form is still sending and ignores Enter.
        await wait_for(pilot, lambda: "再試行を中止しました" in status_of(form))
        assert app.screen is form and form.query_one(OutcomePicker).value == "busy"
        monkeypatch.setattr(form_module, "dispose", dispose_service.dispose)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DispositionScreen))
    [row] = ui_attempts(engine, NOW)
    assert row["outcome"] == "busy"
