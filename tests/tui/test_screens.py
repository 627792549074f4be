"""Login, help, the command palette, the empty queue and English, driven by keys."""

from __future__ import annotations

from textual.command import CommandPalette
from tui_helpers import EVENING, LARGE, SMALL, call_ready, queue_ready, start_call, wait_for

from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.login import LoginScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.script_picker import ScriptPickerScreen


async def test_login_lists_operators_and_opens_their_queue(make_app) -> None:
    app = make_app(operator=None)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, LoginScreen)
                and app.screen.query_one("OptionList").option_count
            ),
        )
        assert app.screen.query_one("OptionList").option_count == 8
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, queue_ready(app))
        assert app.session.operator == "op03"
        assert "op03 高橋 美咲" in str(app.screen.query_one("#shift").render())


async def test_help_lists_every_screen_and_closes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        body = str(app.screen.query_one("#help-body Static").render())
        for label in (
            "次のお客様",
            "発信",
            "結果入力",
            "保存して次へ",
            "保存して休止",
            "分岐",
            "コマンドパレット",
        ):
            assert label in body
        assert body.index("キュー画面") < body.index("通話画面")  # the current screen first
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_command_palette_runs_the_screen_actions(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"発信")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is call and call.started_at is not None)
        assert app.clipboard == call.entry.phone

        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"台本切替")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScriptPickerScreen))


async def test_empty_queue_says_why_and_when(make_app) -> None:
    app = make_app(now=EVENING)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        panel = str(app.screen.query_one("#explain").render())
        assert "今すぐ架電できるお客様はいません" in panel
        assert "架電時間外" in panel and "11/26(木) 09:00" in panel
        await pilot.press("n")
        await wait_for(pilot, queue_ready(app))
        assert isinstance(app.screen, QueueScreen)


async def test_english_interface(make_app) -> None:
    app = make_app(language="en")
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, queue_ready(app))
        assert "Today: calls 2" in str(app.screen.query_one("#shift").render())
        words = [row.words for row in app.screen.rows]
        # The lapse reason first; a best time only for customers who have answered before,
        # the others say so, in English.
        assert all(
            " (heard)" in w.split(" · ")[0] or " (guessed)" in w.split(" · ")[0] for w in words
        )
        assert all(("· answers " in w) or ("best time to call not known yet" in w) for w in words)
        await pilot.press("n")
        await wait_for(pilot, call_ready(app))
        card = str(app.screen.query_one("#card-facts").render())
        assert "last order" in card and "P(alive)" in card


async def test_the_command_palette_speaks_japanese(make_app) -> None:
    """Textual's own palette entries (Keys, Maximize, Quit, Screenshot, Theme) are English only."""
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, queue_ready(app))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles == ["キー操作の一覧", "終了"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one("CommandInput").placeholder == "コマンドを検索…"
