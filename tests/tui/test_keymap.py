"""The operator's own keys from `[keys]` in workbench.toml, applied with App.set_keymap."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.widgets import Footer
from tui_helpers import NOW, SMALL, call_ready, queue_ready, wait_for

from workbench.config import load_settings
from workbench.tui.app import WorkbenchApp
from workbench.tui.dialer import ClipboardDialer
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.queue import QueueScreen


def app_with(engine: Engine, tmp_path: Path, keys: str) -> WorkbenchApp:
    config = tmp_path / "workbench.toml"
    config.write_text(f"[keys]\n{keys}\n", encoding="utf-8")
    settings = load_settings(path=config, env={})
    return WorkbenchApp(engine, settings, "op01", now=NOW, dialer=ClipboardDialer())


async def test_a_configured_key_replaces_the_default(engine: Engine, tmp_path: Path) -> None:
    app = app_with(engine, tmp_path, 'claim = "j"\ndial = "t"')
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        footer = " ".join(str(k.render()) for k in app.screen.query_one(Footer).query("FooterKey"))
        assert "j 次のお客様" in footer
        await pilot.press("n")  # no longer the claim key
        await pilot.pause(0.3)
        assert isinstance(app.screen, QueueScreen) and not app.screen.busy
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        body = str(app.screen.query_one("#help-body Static").render())
        assert " j " in body and " t " in body
        await pilot.press("escape")
        await pilot.press("j")
        await wait_for(pilot, call_ready(app))
        call = app.screen
        await pilot.press("t")
        assert call.started_at is not None  # dialled with the configured key


async def test_an_unknown_action_id_is_reported(engine: Engine, tmp_path: Path) -> None:
    app = app_with(engine, tmp_path, 'claim_next = "j"')
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("claim_next" in w and "claim" in w and "[keys]" in w for w in warnings)
