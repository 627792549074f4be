"""Telling the operator what the script library's reloads found: a broken edit (file and
line; the last good version stays in use) or a new version, shown at once where safe."""

from __future__ import annotations

from typing import Any

from textual.app import App

from workbench.talk.library import LibraryNews
from workbench.tui.i18n import Catalogue
from workbench.tui.screens.call import CallScreen

NOTICE_SECONDS = 20


def warn(app: App[Any], tr: Catalogue, warnings: tuple[str, ...] | list[str]) -> None:
    for warning in warnings:
        app.notify(warning, title=tr("scripts.broken"), severity="warning", timeout=NOTICE_SECONDS)


def announce(app: App[Any], tr: Catalogue, news: LibraryNews) -> None:
    """Warnings first; then each updated script, swapped into the open call when it is safe."""
    warn(app, tr, news.warnings)
    if not news.updated:
        return
    calls = [s for s in app.screen_stack if isinstance(s, CallScreen)]
    waiting = list(news.updated)
    for call in calls:
        outcome = call.scripts_updated(news.updated)
        if outcome is None:
            continue
        script = call.script.id if call.script else ""
        key = "scripts.applied" if outcome else "scripts.next_call"
        app.notify(tr(key, script=script), timeout=NOTICE_SECONDS)
        waiting = [sid for sid in waiting if sid != script]
    if waiting:
        app.notify(tr("scripts.updated", scripts=", ".join(waiting)), timeout=NOTICE_SECONDS)
