"""The palette's "script success": each script's calls, contacts and customers won back.

The same table as `workbench scripts stats` (one service, `script_stats`), read in a worker.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from sqlalchemy.exc import OperationalError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from workbench.services.script_stats import script_stats
from workbench.talk.stats import StatsRow
from workbench.tui.errors import db_message
from workbench.tui.screens.base import SessionModal

DRAWS = 2_000  # P(best) is not shown here: a few draws keep the read short


class StatsScreen(SessionModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="close"),
    ]

    def compose(self) -> ComposeResult:
        tr = self.session.tr
        with Vertical(id="stats"):
            yield Static(Text(tr("stats.title"), style="bold"), id="stats-title")
            yield DataTable(id="stats-table", cursor_type="row", zebra_stripes=True)
            yield Static(tr("stats.loading"), id="stats-status")
            yield Footer()

    def on_mount(self) -> None:
        tr = self.session.tr
        table: DataTable[str] = self.query_one(DataTable)
        for key in ("script", "attempts", "contacts", "wins", "rate", "interval"):
            table.add_column(tr(f"stats.col.{key}"), key=key)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def load(self) -> None:
        try:
            rows = script_stats(self.session.engine, "script", draws=DRAWS)
        except OperationalError as exc:
            self.app.call_from_thread(self.show_status, db_message(self.session, exc))
            return
        self.app.call_from_thread(self.show_rows, rows)

    def show_rows(self, rows: list[StatsRow]) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        for row in rows:
            rate = "-" if row.rate is None else f"{row.rate:.0%}"
            interval = "-" if row.rate is None else f"{row.wilson_low:.0%}–{row.wilson_high:.0%}"
            table.add_row(
                row.script_id or "-", str(row.attempts), str(row.contacts),
                str(row.reactivations), rate, interval,
            )  # fmt: skip
        self.show_status("" if rows else self.session.tr("stats.none"))

    def show_status(self, message: str) -> None:
        status = self.query_one("#stats-status", Static)
        status.update(message)
        status.display = bool(message)
