"""The Textual application: small; screens live in `screens/`, styles in `app.tcss`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from textual.app import App
from textual.binding import Binding

from workbench.config import Settings
from workbench.tui.screens.attack_list import AttackListScreen


class WorkbenchApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "休眠顧客 掘り起こしワークベンチ"
    BINDINGS = [Binding("q", "quit", "終了", id="quit")]

    def __init__(self, engine: Engine, settings: Settings, operator: str | None, now: datetime | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.operator = operator
        self.now = now

    def on_mount(self) -> None:
        self.sub_title = f"オペレーター: {self.operator or '未設定'}"
        self.push_screen(AttackListScreen(self.engine, self.settings, self.now or datetime.now(UTC)))


def run_app(engine: Engine, settings: Settings, operator: str | None) -> None:
    WorkbenchApp(engine, settings, operator).run()
