"""The command palette's product commands: script success, switch operator, language."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import DataTable, Footer
from tui_helpers import SMALL, call_ready, queue_ready, wait_for

from workbench.talk.i18n import ui_language
from workbench.tui.screens.login import LoginScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.stats import StatsScreen


async def run_command(pilot, app, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    await pilot.pause(0.5)
    await pilot.press("enter")


def footer_text(screen) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(key.render()) for key in screen.query_one(Footer).query("FooterKey"))


async def test_script_success_lists_the_scripts_used(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await run_command(pilot, app, "台本の成果")
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        scripts = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert "b2c_listen_general" in scripts  # the seeded callbacks were scripted calls
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_switch_language_relabels_the_queue(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        assert "次のお客様" in footer_text(app.screen)
        await run_command(pilot, app, "English")
        await wait_for(pilot, lambda: queue_ready(app)() and app.session.tr.language == "en")
        assert "Next customer" in footer_text(app.screen)
        assert "Today: calls" in str(app.screen.query_one("#shift").render())
        assert ui_language() == "en"  # talk-script warnings follow the switch
        await run_command(pilot, app, "Language")  # its English label; back to Japanese
        await wait_for(pilot, lambda: queue_ready(app)() and app.session.tr.language == "ja")
        assert "次のお客様" in footer_text(app.screen)
        assert ui_language() == "ja"


async def test_switch_operator_opens_their_queue_but_not_mid_call(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await run_command(pilot, app, "担当者")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, LoginScreen)
                and app.screen.query_one("OptionList").option_count
            ),
        )
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, queue_ready(app))
        assert app.session.operator == "op03"
        assert "op03 高橋 美咲" in str(app.screen.query_one("#shift").render())

        await pilot.press("n")
        await wait_for(pilot, call_ready(app))
        call = app.screen
        await run_command(pilot, app, "担当者")
        await pilot.pause(0.2)
        assert app.screen is call and app.session.operator == "op03"
        assert any("通話中は切り替えできません" in n.message for n in app._notifications)
