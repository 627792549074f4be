"""The attack list: customers by lifecycle state, most valuable first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from workbench.config import Settings
from workbench.services.customers import CustomerSummary, attack_list

STATE_LABELS = {
    "dormant": "休眠",
    "at_risk": "離脱予備軍",
    "active": "稼働",
    "churned": "離反",
    "prospect": "見込み",
}


class AttackListScreen(Screen[None]):
    BINDINGS = [
        Binding("d", "state('dormant')", "休眠", id="state_dormant"),
        Binding("r", "state('at_risk')", "離脱予備軍", id="state_at_risk"),
        Binding("a", "state('active')", "稼働", id="state_active"),
        Binding("c", "state('churned')", "離反", id="state_churned"),
    ]

    def __init__(self, engine: Engine, settings: Settings, at: datetime) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.at = at
        self.state = "dormant"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="state-bar")
        yield DataTable(id="customers", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("顧客ID", "氏名・会社", "区分", "経過日数", "購入回数", "累計金額", "RFM")
        self.action_state("dormant")

    def action_state(self, state: str) -> None:
        self.state = state
        self.query_one("#state-bar", Static).update(f"{STATE_LABELS[state]}: 読み込み中…")
        self.load(state)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, state: str) -> None:
        rows = attack_list(self.engine, self.settings, self.at, state, limit=500)
        self.app.call_from_thread(self.show, state, rows)

    def show(self, state: str, rows: list[CustomerSummary]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for c in rows:
            name = f"{c.company} {c.name}" if c.company else c.name
            rfm = f"{c.recency}{c.frequency}{c.monetary_score}" if c.recency else "-"
            days = "" if c.days_since_last_order is None else str(c.days_since_last_order)
            table.add_row(c.external_id, name, c.kind.upper(), days, str(c.n_orders), f"¥{c.monetary:,}", rfm)
        self.query_one("#state-bar", Static).update(f"{STATE_LABELS[state]}: {len(rows)} 件")
