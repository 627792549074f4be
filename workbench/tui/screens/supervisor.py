"""The supervisor screen: four tabs over one period (scripts, reasons, funnel, trends).

Everything is read in one thread worker (`load`) through the services (`script_report`,
`supervisor.overview`, `reason_notes`, the reason fixes) and handed to the tabs as plain
values.  The keys that change things (f/u, p/x) live in `supervisor_actions`.  The same screen
opens inside the operator UI for supervisors and team leads (`embedded`: Esc goes back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from rich.text import Text
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from workbench.config import Settings
from workbench.domain.reason_fixes import ReasonFix
from workbench.messages.db_errors import db_problem
from workbench.services.reason_fixes import list_fixes
from workbench.services.script_stats import script_report
from workbench.services.supervisor import (
    UNKNOWN,
    Funnel,
    Overview,
    Period,
    ReasonNote,
    overview,
    reason_notes,
)
from workbench.talk.stats import ScriptGroup
from workbench.tui.bindings import translate_bindings
from workbench.tui.screens.supervisor_actions import SupervisorActions
from workbench.tui.supervisor_i18n import SupervisorText
from workbench.tui.widgets.supervisor_parts import (
    SCRIPT_COLUMNS,
    best_hours,
    heat_grid,
    pct,
    script_cells,
    sort_groups,
    sparkline,
    yen,
)
from workbench.tui.widgets.supervisor_trends import TrendCharts

TABS: tuple[str, ...] = ("scripts", "reasons", "funnel", "trends")
NOTES_PER_REASON = 8
DEFAULT_SORT = "p_best"


@dataclass(frozen=True)
class Figures:
    """What one load read: the script table, the rest of the screen, each reason's notes."""

    groups: list[ScriptGroup]
    overview: Overview
    notes: dict[str, list[ReasonNote]]
    fixes: list[ReasonFix] = field(default_factory=list)  # the reasons marked fixed


def read_figures(engine: Engine, period: Period) -> Figures:
    groups = script_report(engine, "reason", period.since, zone=period.zone)
    seen = overview(engine, period)
    notes = {
        r.reason: reason_notes(engine, r.reason, period, NOTES_PER_REASON)
        for r in seen.reasons.counts
    }
    return Figures(groups, seen, notes, list_fixes(engine))


# Keys shown only where they act: the action → the tab it needs.
TAB_ACTIONS = {"fix_reason": "reasons", "unfix_reason": "reasons", "pin_script": "scripts",
               "retire_script": "scripts"}  # fmt: skip


class SupervisorScreen(SupervisorActions):
    # The screen brings its styles, so it looks the same inside the operator UI.
    CSS_PATH = "../supervisor.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('scripts')", "Tabs", key_display="1-4", id="sv_tabs"),
        *(Binding(str(i + 2), f"tab('{t}')", show=False) for i, t in enumerate(TABS[1:])),
        Binding("s", "sort", "Sort", id="sv_sort"),
        Binding("r", "refresh", "Refresh", id="sv_refresh"),
        Binding("f", "fix_reason", "Mark fixed", id="sv_fix"),
        Binding("u", "unfix_reason", "Unmark fixed", id="sv_unfix"),
        Binding("p", "pin_script", "Pin", id="sv_pin"),
        Binding("x", "retire_script", "Retire/return", id="sv_retire"),
        Binding("escape", "close", "Back", id="sv_back"),
        Binding("q", "quit", "Quit", id="sv_quit"),
    ]

    def __init__(
        self,
        engine: Engine,
        tr: SupervisorText,
        period: Period,
        settings: Settings | None = None,
        actor: str | None = None,
        clock: Callable[[], datetime] | None = None,
        embedded: bool = False,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.tr = tr
        self.period = period
        self.settings = settings
        self.actor = actor
        self.clock = clock or (lambda: datetime.now(UTC))
        self.embedded = embedded  # inside the operator UI: Esc goes back, no quit key
        self.figures: Figures | None = None
        self.sort_column = DEFAULT_SORT
        self.descending = True
        translate_bindings(self, tr)

    def compose(self) -> ComposeResult:
        tr = self.tr
        yield Static(tr("sv.loading"), id="sv-summary")
        with TabbedContent(initial="scripts", id="sv-tabs"):
            with TabPane(tr("sv.tab.scripts"), id="scripts"):
                yield DataTable(id="sv-scripts", cursor_type="row", zebra_stripes=True)
                yield Static("", id="sv-sorted")
                with VerticalScroll(id="sv-breakdown-box", can_focus=False):  # many reasons scroll
                    yield Static("", id="sv-breakdown")
            with TabPane(tr("sv.tab.reasons"), id="reasons"):
                yield DataTable(id="sv-reasons", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="sv-reason-detail"):
                    yield Static("", id="sv-notes")
                    yield Static("", id="sv-top")
            with TabPane(tr("sv.tab.funnel"), id="funnel"):
                with VerticalScroll(id="sv-funnel"):
                    yield Static(Text(tr("sv.heatmap"), style="bold"), classes="sv-heading")
                    yield Static("", id="sv-heat")
                    yield Static("", id="sv-best")
                    yield Static(Text(tr("sv.by_operator"), style="bold"), classes="sv-heading")
                    yield DataTable(id="sv-operators", cursor_type="row", zebra_stripes=True)
                    yield Static(Text(tr("sv.by_segment"), style="bold"), classes="sv-heading")
                    yield DataTable(id="sv-segments", cursor_type="row", zebra_stripes=True)
            with TabPane(tr("sv.tab.trends"), id="trends"):
                yield TrendCharts(tr, id="sv-trends")
        yield Footer()

    def on_mount(self) -> None:
        tr = self.tr
        scripts: DataTable[str] = self.query_one("#sv-scripts", DataTable)
        for key in SCRIPT_COLUMNS:
            scripts.add_column(tr(f"sv.col.{key}"), key=key)
        reasons: DataTable[str] = self.query_one("#sv-reasons", DataTable)
        for key in ("reason", "heard", "customers", "trend", "fixed"):
            reasons.add_column(tr(f"sv.col.{key}"), key=key)
        funnel_columns = ("attempts", "contacts", "answer", "wins", "win_rate", "revenue")
        operators: DataTable[str] = self.query_one("#sv-operators", DataTable)
        segments: DataTable[str] = self.query_one("#sv-segments", DataTable)
        for table, first in ((operators, "operator"), (segments, "segment")):
            for key in (first, *funnel_columns):
                table.add_column(tr(f"sv.col.{key}"), key=key)
        scripts.focus()
        self.load()

    # -- reading -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="supervisor")
    def load(self) -> None:
        try:
            figures = read_figures(self.engine, self.period)
        except OperationalError as exc:
            message = self.tr("queue.db_error", detail=db_problem(exc))
            self.app.call_from_thread(self.query_one("#sv-summary", Static).update, message)
            return
        self.app.call_from_thread(self.show, figures)

    def show(self, figures: Figures) -> None:
        self.figures = figures
        seen, tr = figures.overview, self.tr
        zone = self.period.zone
        last_day = (self.period.until - timedelta(microseconds=1)).astimezone(zone)
        total = seen.total
        self.query_one("#sv-summary", Static).update(
            tr(
                "sv.period",
                since=f"{self.period.since.astimezone(zone):%Y-%m-%d}",
                until=f"{last_day:%Y-%m-%d}",
                dials=f"{total.dials:,}",
                talks=f"{total.conversations:,}",
                answer=pct(total.answer_rate),
                wins=f"{total.winbacks:,}",
                revenue=yen(total.revenue),
            )  # fmt: skip
        )
        self.fill_scripts()
        self.fill_reasons()
        self.fill_funnel()
        self.query_one(TrendCharts).show(seen.trend)

    # -- the script table ----------------------------------------------------------------
    def fill_scripts(self) -> None:
        if self.figures is None:
            return
        table: DataTable[str] = self.query_one("#sv-scripts", DataTable)
        kept = self.highlighted_key(table)
        table.clear()
        groups = sort_groups(self.figures.groups, self.sort_column, self.descending)
        for group in groups:
            key = f"{group.total.script_id}\0{group.total.version}"
            table.add_row(*script_cells(group.total, self.tr), key=key)
        self.keep_cursor(table, kept)
        if not groups:
            self.query_one("#sv-sorted", Static).update(self.tr("sv.none"))
            return
        direction = self.tr("sv.desc" if self.descending else "sv.asc")
        column = self.tr(f"sv.col.{self.sort_column}")
        self.query_one("#sv-sorted", Static).update(
            Text(self.tr("sv.sorted", column=column, direction=direction), style="dim")
        )
        self.show_breakdown(groups[0])

    def sort_by(self, column: str) -> None:
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column, self.descending = column, column != "script"
        self.fill_scripts()

    def action_sort(self) -> None:
        """The next column, each largest first (text columns A→Z)."""
        columns = list(SCRIPT_COLUMNS)
        self.sort_column = columns[(columns.index(self.sort_column) + 1) % len(columns)]
        self.descending = self.sort_column != "script"
        self.fill_scripts()

    @on(DataTable.HeaderSelected, "#sv-scripts")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(str(event.column_key.value))

    @on(DataTable.RowHighlighted, "#sv-scripts")
    def script_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.figures is None or event.row_key.value is None:
            return
        for group in self.figures.groups:
            if f"{group.total.script_id}\0{group.total.version}" == event.row_key.value:
                self.show_breakdown(group)

    def show_breakdown(self, group: ScriptGroup) -> None:
        tr = self.tr
        name = f"{group.total.script_id or '-'} {(group.total.version or '-')[:7]}"
        text = Text()
        text.append(tr("sv.breakdown", script=name) + "\n", style="bold")
        for row in group.breakdown:
            line = tr(
                "sv.breakdown_row", reason=tr.reason(row.reason) if row.reason else tr("sv.no_reason"),
                contacts=f"{row.contacts:,}", wins=f"{row.reactivations:,}", rate=pct(row.rate),
            )  # fmt: skip
            text.append("  " + line + "\n")
        self.query_one("#sv-breakdown", Static).update(text)

    # -- reasons -------------------------------------------------------------------------
    def fill_reasons(self) -> None:
        assert self.figures is not None
        tr, reasons = self.tr, self.figures.overview.reasons
        table: DataTable[str] = self.query_one("#sv-reasons", DataTable)
        kept = self.highlighted_key(table)
        table.clear()
        fixed = self.fixed_marks()
        for row in reasons.counts:
            table.add_row(
                tr.reason(row.reason), f"{row.heard:,}", f"{row.customers:,}",
                sparkline(row.weekly), fixed.get(row.reason, ""), key=row.reason,
            )  # fmt: skip
        self.keep_cursor(table, kept)
        top = Text()
        top.append(tr("sv.top_kind") + "\n", style="bold")
        for kind, pairs in reasons.by_kind.items():
            top.append(f"{tr.kind(kind)}: " + self.pairs(pairs) + "\n")
        top.append(tr("sv.top_category") + "\n", style="bold")
        for category, pairs in reasons.by_category.items():
            name = tr("sv.unknown") if category == UNKNOWN else tr.category(category)
            top.append(f"{name}: " + self.pairs(pairs) + "\n")
        self.query_one("#sv-top", Static).update(top)
        first = reasons.counts[0].reason if reasons.counts else None
        self.show_notes(
            kept if kept in fixed or any(r.reason == kept for r in reasons.counts) else first
        )

    @staticmethod
    def highlighted_key(table: DataTable[str]) -> str | None:
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    @staticmethod
    def keep_cursor(table: DataTable[str], key: str | None) -> None:
        """After a reload, the cursor stays on the row it was on (when it is still there)."""
        if key is not None and key in table.rows:
            table.move_cursor(row=table.get_row_index(key), animate=False)

    def fixes(self) -> list[ReasonFix]:
        return self.figures.fixes if self.figures is not None else []

    def fixed_marks(self) -> dict[str, str]:
        """reason → 「改善済 YYYY-MM-DD」 (with the kind when the mark is for one kind only)."""
        marks: dict[str, list[str]] = {}
        for f in self.fixes():
            mark = self.tr("sv.fixed_mark", day=f.fixed_on.isoformat())
            if f.kind != "any":
                mark += f" {self.tr.kind(f.kind)}"
            marks.setdefault(f.reason, []).append(mark)
        return {reason: " / ".join(found) for reason, found in marks.items()}

    def pairs(self, pairs: list[tuple[str, int]]) -> str:
        return " · ".join(f"{self.tr.reason(reason)} {n}" for reason, n in pairs)

    @on(DataTable.RowHighlighted, "#sv-reasons")
    def reason_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show_notes(event.row_key.value)

    def show_notes(self, reason: str | None) -> None:
        tr = self.tr
        if reason is None or self.figures is None:
            self.query_one("#sv-notes", Static).update(tr("sv.none"))
            return
        text = Text()
        text.append(tr("sv.notes", reason=tr.reason(reason)) + "\n", style="bold")
        notes = self.figures.notes.get(reason, [])
        for note in notes:
            at = note.at.astimezone(self.period.zone)
            text.append(f"{at:%m/%d} {note.customer_id} ", style="dim")
            text.append(note.note + "\n")
        if not notes:
            text.append(tr("sv.no_notes"), style="dim")
        self.query_one("#sv-notes", Static).update(text)

    # -- the funnel ----------------------------------------------------------------------
    def fill_funnel(self) -> None:
        assert self.figures is not None
        seen, tr = self.figures.overview, self.tr
        self.query_one("#sv-heat", Static).update(heat_grid(seen.heatmap, tr))
        best = best_hours(seen.heatmap, tr)
        self.query_one("#sv-best", Static).update(best)
        operators: DataTable[str] = self.query_one("#sv-operators", DataTable)
        segments: DataTable[str] = self.query_one("#sv-segments", DataTable)
        operators.clear()
        segments.clear()
        for row in seen.by_segment["operator"]:
            name = tr("sv.unknown") if row.key == "unknown" else row.key
            operators.add_row(name, *self.funnel_cells(row.funnel))
        for segment in ("kind", "state"):
            for row in seen.by_segment[segment]:
                segments.add_row(tr.segment(row.key), *self.funnel_cells(row.funnel))

    @staticmethod
    def funnel_cells(f: Funnel) -> tuple[str, ...]:
        return (
            f"{f.dials:,}", f"{f.conversations:,}", pct(f.answer_rate), f"{f.winbacks:,}",
            pct(f.win_rate), yen(f.revenue),
        )  # fmt: skip

    # -- keys ----------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        # The arrows move the rows the tab's keys act on (f/u on reasons, p/x on scripts).
        table = {"scripts": "#sv-scripts", "reasons": "#sv-reasons"}.get(tab)
        if table is not None:
            self.query_one(table, DataTable).focus()

    def action_refresh(self) -> None:
        self.load()

    def action_quit(self) -> None:
        self.app.exit()

    def action_close(self) -> None:
        if self.embedded:
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys only where they act: f/u on the reasons tab, s/p/x on the scripts tab, Esc
        inside the operator UI, q in `workbench supervisor` alone."""
        if action == "close":
            return self.embedded
        if action == "quit":
            return not self.embedded
        tab = TAB_ACTIONS.get(action)
        if tab is not None and self.is_mounted:
            return self.query_one(TabbedContent).active == tab
        return True

    @on(TabbedContent.TabActivated)
    def tab_changed(self) -> None:
        self.refresh_bindings()
