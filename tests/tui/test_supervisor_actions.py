"""The supervisor screen's changes through Textual's Pilot (f/u on the reasons tab, p/x on the
scripts tab: each writes its audit row), and the supervisor mode of the operator UI (F9 for
supervisors and team leads, absent for operators)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from textual.widgets import DataTable, OptionList
from tui_helpers import NOW, SMALL, demo_settings, queue_ready, settle, wait_for

from workbench.services.operators import register_operator
from workbench.services.reason_fixes import list_fixes
from workbench.services.script_admin import audit_entries, current_pins
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.supervisor import SupervisorScreen
from workbench.tui.screens.supervisor_modals import FixReasonModal, PinReasonModal
from workbench.tui.supervisor_app import SupervisorApp

SINCE = date(2024, 1, 1)


def _app(engine: Engine, actor: str | None = "lead") -> SupervisorApp:
    register_operator(engine, "lead", "主任", role="supervisor")
    return SupervisorApp(engine, demo_settings(), now=NOW, since=SINCE, actor=actor)


def _actions(engine: Engine) -> list[tuple[str, str, str | None]]:
    return [(e.actor, e.action, e.subject) for e in reversed(audit_entries(engine))]


async def test_f_marks_the_highlighted_reason_fixed_and_u_unmarks_it(engine: Engine) -> None:
    app = _app(engine)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        table: DataTable[str] = screen.query_one("#sv-reasons", DataTable)
        table.focus()
        await pilot.press("down")  # the second reason heard
        await pilot.pause()
        reason = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FixReasonModal))
        await pilot.press("enter")  # the day defaults to today; both kinds
        await wait_for(pilot, lambda: bool(audit_entries(engine)))
        await settle(pilot)
        (fix,) = list_fixes(engine)
        assert (fix.reason, fix.kind, fix.fixed_on, fix.marked_by) == (
            reason,
            "any",
            NOW.date(),
            "lead",
        )
        assert _actions(engine) == [("lead", "reason_fix", reason)]
        row = table.get_row(reason)
        assert str(row[-1]) == "改善済 2026-11-25"

        await pilot.press("u")
        await wait_for(pilot, lambda: len(audit_entries(engine)) == 2)
        await settle(pilot)
        assert list_fixes(engine) == []
        assert _actions(engine)[-1] == ("lead", "reason_unfix", reason)
        assert str(table.get_row(reason)[-1]) == ""


async def test_p_pins_the_highlighted_script_and_x_retires_and_returns_it(engine: Engine) -> None:
    app = _app(engine)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        table: DataTable[str] = screen.query_one("#sv-scripts", DataTable)
        keys = [str(k.value) for k in table.rows]
        # A script of the talkscripts folder (the demo's history also names scripts it has not).
        index = next(i for i, k in enumerate(keys) if k.startswith("b2c_listen_general\0"))
        table.move_cursor(row=index)
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PinReasonModal))
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "unknown"
        ]
        options.highlighted = 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(audit_entries(engine)))
        pins, _ = current_pins(engine)
        assert [(p.reason, p.kind, p.script_id, p.pinned_by) for p in pins] == [
            ("unknown", "any", "b2c_listen_general", "lead")
        ]
        await settle(pilot)
        table.move_cursor(row=[str(k.value) for k in table.rows].index(keys[index]))
        await pilot.press("x")
        await wait_for(pilot, lambda: len(audit_entries(engine)) == 2)
        assert [sid for sid, _, _ in current_pins(engine)[1]] == ["b2c_listen_general"]
        await settle(pilot)
        table.move_cursor(row=[str(k.value) for k in table.rows].index(keys[index]))
        await pilot.press("x")
        await wait_for(pilot, lambda: len(audit_entries(engine)) == 3)
        assert current_pins(engine)[1] == []
    assert _actions(engine) == [
        ("lead", "pin", "b2c_listen_general"),
        ("lead", "retire", "b2c_listen_general"),
        ("lead", "unretire", "b2c_listen_general"),
    ]


async def test_without_an_operator_the_keys_say_so_and_change_nothing(engine: Engine) -> None:
    app = _app(engine, actor=None)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.press("x")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("f")
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)  # no dialog opened
        said = [n.message for n in app._notifications]
        assert said and all("--by" in m for m in said), said
    assert audit_entries(engine) == [] and list_fixes(engine) == []


async def test_a_supervisor_opens_the_supervisor_screen_in_the_operator_ui(
    engine: Engine, make_app
) -> None:  # type: ignore[no-untyped-def]
    register_operator(engine, "lead", "主任", role="team_lead")
    app = make_app(operator="lead")
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await wait_for(pilot, lambda: app.supervises)
        assert "f9" in app.screen.active_bindings
        await pilot.press("question_mark")
        await settle(pilot)
        assert "監督者画面" in str(app.screen.query("Static").last().render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen) and screen.figures is not None
        assert "escape" in screen.active_bindings and "q" not in screen.active_bindings
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_an_operator_has_no_supervisor_mode(engine: Engine, make_app) -> None:  # type: ignore[no-untyped-def]
    register_operator(engine, "lead", "主任", role="supervisor")
    register_operator(engine, "op01", "オペレーター")
    app = make_app(operator="op01")
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await settle(pilot)
        assert not app.supervises
        assert "f9" not in app.screen.active_bindings
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        help_text = str(app.screen.query("Static").last().render())
        assert "監督者画面" not in help_text
