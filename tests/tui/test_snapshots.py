"""Every screen at 80×24 and 160×48 with a fixed clock and the seeded demo data.

Update the SVGs after an intended change with
`pytest tests/tui/test_snapshots.py --snapshot-update` and look at them before committing.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import EVENING, LARGE, SMALL, call_ready, queue_ready, settle, wait_for

from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.login import LoginScreen

SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x48"])


async def steady(pilot: Pilot[object]) -> None:
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
    await pilot.pause()


async def on_queue(pilot: Pilot[object]) -> None:
    await wait_for(pilot, queue_ready(pilot.app))
    await steady(pilot)


async def on_call(pilot: Pilot[object]) -> None:
    await on_queue(pilot)
    await pilot.press("n")
    await wait_for(pilot, call_ready(pilot.app))
    await steady(pilot)


async def on_form(pilot: Pilot[object]) -> None:
    await on_call(pilot)
    await pilot.press("c", "d", "1")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DispositionScreen))
    await steady(pilot)


async def on_form_error(pilot: Pilot[object]) -> None:
    await on_call(pilot)
    await pilot.press("d", "5", *"09:00", "tab", *"500", "enter")
    await steady(pilot)


async def on_help(pilot: Pilot[object]) -> None:
    await on_queue(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    await steady(pilot)


async def on_login(pilot: Pilot[object]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LoginScreen))
    await steady(pilot)


@SIZES
def test_login(snap_compare, make_app, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(operator=None), terminal_size=size, run_before=on_login)


@SIZES
def test_queue(snap_compare, make_app, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=size, run_before=on_queue)


@SIZES
def test_call_view(snap_compare, make_app, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=size, run_before=on_call)


@SIZES
def test_disposition_form(snap_compare, make_app, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=size, run_before=on_form)


@SIZES
def test_empty_queue_explanation(snap_compare, make_app, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(now=EVENING), terminal_size=size, run_before=on_queue)


@SIZES
def test_help(snap_compare, make_app, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=size, run_before=on_help)


def test_disposition_form_validation(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=on_form_error)


@pytest.mark.parametrize("screen", ["queue", "call"])
def test_english(snap_compare, make_app, screen: str) -> None:  # type: ignore[no-untyped-def]
    run_before = on_queue if screen == "queue" else on_call
    assert snap_compare(make_app(language="en"), terminal_size=SMALL, run_before=run_before)
