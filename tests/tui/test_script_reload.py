"""A team lead edits the talk scripts during a shift: the operator hears of a broken edit
(file and line) and sees a valid one, in the open call when the conversation allows."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tui_helpers import NOW, SMALL, call_ready, queue_ready, wait_for

from workbench.config import Settings, load_settings
from workbench.tui.app import WorkbenchApp
from workbench.tui.dialer import ClipboardDialer
from workbench.tui.screens.call import CallScreen
from workbench.tui.widgets.script_panel import ScriptPanel

REPO = Path(__file__).parents[2]


@pytest.fixture()
def scripts(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "talkscripts", tmp_path / "talkscripts")
    return tmp_path / "talkscripts"


def settings_for(scripts: Path, language: str = "ja") -> Settings:
    """The defaults with the scripts' folder and the language: the app takes both from here."""
    defaults = load_settings(path=None, env={})
    return dataclasses.replace(defaults, language=language, talkscripts_dir=str(scripts))


def _write(path: Path, text: str) -> None:
    stat = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def notices(app: WorkbenchApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_broken_then_fixed_script_during_a_call(engine: Engine, scripts: Path) -> None:
    app = WorkbenchApp(engine, settings_for(scripts), "op01", now=NOW, dialer=ClipboardDialer())
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await pilot.press("n")
        await wait_for(pilot, call_ready(app))
        call = app.screen
        assert isinstance(call, CallScreen) and call.script is not None
        path = call.script.path
        good = path.read_text(encoding="utf-8")
        lines = good.splitlines()
        index = lines.index(next(line for line in lines if line.startswith("## opening"))) + 1
        broken = list(lines)
        broken[index] += "{{ company }"
        _write(path, "\n".join(broken) + "\n")
        app.check_scripts()
        where = f"{path.name}:{index + 1}:"
        await wait_for(pilot, lambda: any(where in n for n in notices(app)))
        warning = next(n for n in app._notifications if where in n.message)
        assert warning.severity == "warning" and "前回の正常な版" in warning.message
        assert warning.title == "台本の読み込みエラー"
        version = call.script.version

        fixed = list(lines)
        fixed[index] += "（本日二度目のご案内です）"
        _write(path, "\n".join(fixed) + "\n")
        app.check_scripts()
        await wait_for(pilot, lambda: any("表示中の内容を新しい版" in n for n in notices(app)))
        assert call.script.version != version
        shown = str(call.query_one(ScriptPanel).query_one("#script-text").render())
        assert "本日二度目のご案内です" in shown
        # told once: another look finds nothing new
        count = len(notices(app))
        app.check_scripts()
        # Until every worker has finished or been replaced: an exclusive worker started
        # while the look is running cancels the older one, which wait_for_complete raises.
        await wait_for(pilot, lambda: not any(w.is_running for w in app.workers))
        await pilot.pause()
        assert len(notices(app)) == count


async def test_a_broken_edit_is_told_in_the_configured_language(
    engine: Engine, scripts: Path
) -> None:
    """An English shift hears of a broken edit in English: the app hands its Settings'
    language to the talk-script library's messages."""
    app = WorkbenchApp(engine, settings_for(scripts, "en"), "op01", now=NOW,
                       dialer=ClipboardDialer())  # fmt: skip
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        path = scripts / "en" / "b2c_listen_general.md"
        lines = path.read_text(encoding="utf-8").splitlines()
        index = lines.index(next(line for line in lines if line.startswith("## opening"))) + 1
        lines[index] += "{{ company }"
        _write(path, "\n".join(lines) + "\n")
        app.check_scripts()
        where = f"{path.name}:{index + 1}:"
        await wait_for(pilot, lambda: any(where in n for n in notices(app)))
        warning = next(n for n in app._notifications if where in n.message)
        assert "still serving the last good version" in warning.message, warning.message
        assert "前回の正常な版" not in warning.message
