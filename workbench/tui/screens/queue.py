"""The operator's queue: who is next and why, the shift's counts, and why it is short.

`n` claims the next customer and opens the call view; when the call view closes with a
saved disposition, the next customer is claimed at once unless the operator paused.

The queue is shown as soon as it is read.  What reads the whole base comes after, in
workers of its own: the shift's counts, why the queue is short, and stale scores'
refresh (`ScoreNotice` says so meanwhile; the queue is read again when they are in).
"""

from __future__ import annotations

import time
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from sqlalchemy.exc import OperationalError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from workbench.services.claim import claim
from workbench.services.queue import QueueEntry
from workbench.tui.adapters.customer import CallView, load_call_view
from workbench.tui.adapters.queue import (
    QueueRow,
    QueueView,
    ShiftCounts,
    load_explanation,
    load_shift_counts,
)
from workbench.tui.adapters.queue import load_queue_view as load_view
from workbench.tui.bindings import translate_bindings
from workbench.tui.errors import db_message
from workbench.tui.screens.base import SessionScreen
from workbench.tui.screens.call import CallResult, CallScreen
from workbench.tui.widgets.explain_panel import ExplainPanel
from workbench.tui.widgets.score_notice import ScoreNotice

REFRESH_SECONDS = 60
# A periodic refresh counts the held-back customers again at most this often (seconds):
# on a million customers the count takes many seconds of a worker thread.
EXPLAIN_EVERY = 300.0
COLUMNS = ("mark", "score", "customer", "state", "local", "callback", "reason")


class QueueScreen(SessionScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "claim", "Next customer", id="claim"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("w", "why", "Why short", id="why"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    class Ready(Message):
        """The first queue is on screen: start-up is over."""

    shown = False  # the first queue has been shown
    explained_at = float("-inf")  # time.monotonic() of the last count of why the queue is short
    explain_due = False  # the operator asked why (or nobody was left): count again now
    explained_empty = False  # the last count was for an empty queue
    reload_on_return = False  # new scores came in while another screen was on top
    in_call = False  # a call view is open over the queue (until `after_call`)
    ahead: tuple[QueueEntry | None, CallView | None] | None = None  # claimed before `after_call`

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="shift")
        yield ScoreNotice(self.session, id="queue-notice")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static(id="queue-detail")
        yield ExplainPanel(id="explain")
        yield Static(id="queue-status")
        yield Footer()

    def on_mount(self) -> None:
        tr = self.session.tr
        self.set_columns([])
        self.query_one(ExplainPanel).display = False
        self.rows: list[QueueRow] = []
        self.busy = False
        self.force_explain = False
        self.paused = False
        self.status(tr("queue.loading"))
        self.show_shift(None)
        self.reload()
        if not self.session.fixed_time:
            self.set_interval(REFRESH_SECONDS, self.refresh_if_idle)

    def start_over(self) -> None:
        """The session changed hands or language: relabel the keys and read everything again."""
        translate_bindings(self, self.session.tr)
        self.refresh_bindings()
        self.rows = []
        self.set_columns([])
        self.show_shift(None)
        self.explain_due = True
        self.status(self.session.tr("queue.loading"))
        self.reload()

    @property
    def in_front(self) -> bool:
        """`is_current` also holds under another full screen (it may show through)."""
        return self.app.screen is self

    # -- loading ---------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.reload()

    def refresh_if_idle(self) -> None:
        """Windows open and gaps expire as the shift goes on: re-read while the queue is shown."""
        if self.in_front and not self.busy:
            self.reload()

    def action_why(self) -> None:
        self.force_explain = self.explain_due = True
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def reload(self) -> None:
        """The queue first; then the shift's counts, which read every attempt."""
        try:
            view = load_view(self.session)
            self.app.call_from_thread(self.show_view, view)
            counts = load_shift_counts(self.session)
        except OperationalError as exc:
            self.app.call_from_thread(self.status, db_message(self.session, exc), True)
            return
        self.app.call_from_thread(self.show_shift, counts)

    def show_view(self, view: QueueView) -> None:
        s = self.session
        s.scored = True
        if view.operator == s.operator:  # not a read begun before the operator changed
            s.operator_name = view.operator_name
        self.rows = view.rows
        cells = [self.cells(row) for row in view.rows]
        table = self.set_columns(cells)
        for number, row_cells in enumerate(cells):
            table.add_row(*row_cells, key=str(number))
        self.show_explanation(view)
        self.show_rows(not self.in_call)
        self.show_detail(0)
        self.status(self.session.tr("queue.paused") if self.paused else "")
        if view.rows and not self.in_call:
            table.focus()
        if view.stale is not None:
            self.query_one(ScoreNotice).refresh_scores(view.stale)
        if not self.shown:
            self.shown = True
            self.post_message(self.Ready())

    def show_explanation(self, view: QueueView) -> None:
        """Why the queue is short, counted again only when it may have changed much."""
        panel, empty = self.query_one(ExplainPanel), not view.rows
        if not (view.short or self.force_explain):
            panel.show(None, self.session, empty=False)
            return
        if (self.explain_due or not panel.display or empty != self.explained_empty
                or time.monotonic() - self.explained_at > EXPLAIN_EVERY):  # fmt: skip
            self.explain_due = False
            self.explained_at, self.explained_empty = time.monotonic(), empty
            panel.counting(self.session)
            self.explain_queue(empty)

    @work(thread=True, exclusive=True, exit_on_error=False, group="explain")
    def explain_queue(self, empty: bool) -> None:
        try:
            why = load_explanation(self.session)
        except OperationalError as exc:
            self.app.call_from_thread(self.status, db_message(self.session, exc), True)
            return
        self.app.call_from_thread(self.query_one(ExplainPanel).show, why, self.session, empty)

    # -- stale scores ------------------------------------------------------------------
    @on(ScoreNotice.Refreshed)
    def scores_refreshed(self) -> None:
        if self.in_front and not self.busy:
            self.reload()
        else:
            self.reload_on_return = True

    def on_screen_resume(self) -> None:
        """Back from help or the palette (a call's end is handled by `after_call`)."""
        if self.reload_on_return and not self.busy and not self.in_call:
            self.reload_on_return = False
            self.reload()

    def set_columns(self, rows: list[list[Text | str]]) -> DataTable[Text | str]:
        """Empty the table and size each column to its widest cell.

        Fixed widths, not DataTable's measuring when idle: rows drawn before that
        measurement stay cached at the header's width (seen in Textual 8.2).
        """
        tr = self.session.tr
        table: DataTable[Text | str] = self.query_one(DataTable)
        table.clear(columns=True)
        for index, key in enumerate(COLUMNS):
            label = tr(f"queue.col.{key}") if key != "mark" else ""
            width = max([cell_len(label), *(cell_len(_plain(row[index])) for row in rows)])
            table.add_column(label, key=key, width=width)
        return table

    def cells(self, row: QueueRow) -> list[Text | str]:
        s, e = self.session, row.entry
        mark, promised = Text(""), Text("")
        if e.callback_at is not None and e.callback_due:
            style = "bold white on red" if e.callback_overdue else "bold black on yellow"
            # The mark says overdue or due; the column only the time, so 80 columns keep
            # room for the reason (the full words are on the line below the table).
            mark, promised = (
                Text("‼" if e.callback_overdue else "⏰", style=style),
                Text(s.hhmm(e.callback_at, _zone(e)), style=style),
            )
        name = Text(e.name, style="bold" if e.callback_due else "")
        score = Text(f"{e.score:,.0f}", justify="right")
        return [
            mark,
            score,
            name,
            s.tr.state(e.state),
            s.hhmm(e.local_time, _zone(e)),
            promised,
            row.words,
        ]

    def show_shift(self, counts: ShiftCounts | None) -> None:
        s = self.session
        who = f"{s.operator or '-'} {s.operator_name}".strip()
        self.app.sub_title = who
        text = Text()
        text.append(f" {who} ", style="bold reverse")
        text.append(f"  {s.local(s.now())}  ")
        if counts is not None:  # not read yet
            text.append(
                s.tr("queue.shift", calls=counts.calls, contacts=counts.contacts, wins=counts.wins),
                style="bold",
            )
        self.query_one("#shift", Static).update(text)

    @on(DataTable.RowHighlighted, "#queue")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(event.cursor_row)

    def show_detail(self, index: int) -> None:
        detail = self.query_one("#queue-detail", Static)
        if not 0 <= index < len(self.rows):
            detail.update("")
            return
        entry = self.rows[index].entry
        text = Text()
        text.append(f"{entry.name} ", style="bold")
        text.append(f"{entry.external_id} · ", style="dim")
        if entry.callback_at is not None and entry.callback_due:
            s = self.session
            key = "why.overdue" if entry.callback_overdue else "why.callback"
            text.append(s.tr(key, at=s.hhmm(entry.callback_at, _zone(entry))), style="bold")
            text.append(" · ")
        text.append(self.rows[index].words)
        detail.update(text)

    def status(self, message: str, error: bool = False) -> None:
        widget = self.query_one("#queue-status", Static)
        widget.update(Text(message, style="bold red" if error else "dim"))
        widget.display = bool(message)

    # -- the shift loop ---------------------------------------------------------------
    def action_claim(self) -> None:
        if self.busy or not self.session.operator:
            return
        self.busy = True
        self.paused = False
        self.status(self.session.tr("queue.claiming"))
        self.claim_next()

    def claim_ahead(self) -> None:
        """Saved, next customer: claim while the call view closes; `after_call` opens it."""
        if self.busy or self.ahead is not None or not self.session.operator:
            return
        self.busy = True
        self.paused = False
        self.claim_next()

    @work(thread=True, exclusive=True, exit_on_error=False, group="claim")
    def claim_next(self) -> None:
        """Claim, then load the call view's data in the same thread: one hop to the screen."""
        s = self.session
        try:
            entry = claim(s.engine, s.settings, s.operator or "", s.now(), s.rng)
        except OperationalError as exc:
            self.app.call_from_thread(self.claim_failed, db_message(s, exc))
            return
        except Exception as exc:  # a bug: say so instead of claiming forever
            self.app.call_from_thread(self.claim_failed, s.tr("queue.failed", detail=exc))
            raise
        view = None
        if entry is not None:
            try:
                view = load_call_view(s, entry)
            except OperationalError:
                pass  # the customer is ours: the call view loads again and says what is wrong
        self.app.call_from_thread(self.claimed, entry, view)

    def claim_failed(self, message: str) -> None:
        self.busy = False
        self.status(message, True)
        self.notify(message, severity="error", timeout=15)

    def claimed(self, entry: QueueEntry | None, view: CallView | None = None) -> None:
        self.busy = False
        if self.in_call:  # claimed ahead: the last call view has not closed yet
            self.ahead = (entry, view)
            return
        self.status("")
        if entry is None:
            self.notify(self.session.tr("queue.nothing"), severity="warning")
            self.force_explain = self.explain_due = True
            self.reload()
            return
        self.in_call = True
        self.show_rows(False)
        call = CallScreen(self.session, entry, view, claim_ahead=self.claim_ahead)
        self.app.push_screen(call, callback=self.after_call)

    def show_rows(self, shown: bool) -> None:
        """Hidden while a call is on top: between two calls the table would be drawn once,
        for a moment and out of date, at the cost of rendering every row."""
        self.query_one(DataTable).display = shown and bool(self.rows)
        self.query_one("#queue-detail", Static).display = shown and bool(self.rows)

    def after_call(self, result: CallResult | None) -> None:
        tr = self.session.tr
        self.in_call = False
        if result is not None and result.saved is not None:
            saved = result.saved
            if saved.callback_at is not None:
                at = self.session.local(saved.callback_at, result.zone)
                text = tr("form.saved_callback", name=result.name, at=at)
            else:
                text = tr("form.saved", name=result.name, outcome=tr.outcome(saved.outcome))
            self.notify(text)
            for warning in result.saved.warnings:
                self.notify(warning, severity="warning")
        elif result is not None and result.released:
            self.notify(tr("call.released", name=result.name))
        self.force_explain = False
        if result is not None and result.next:  # the queue is re-read when the next call ends
            if self.ahead is not None:
                ahead, self.ahead = self.ahead, None
                self.claimed(*ahead)
            elif not self.busy:
                self.action_claim()
            else:
                self.status(tr("queue.claiming"))  # claimed ahead, still under way
            return
        self.paused = True
        self.reload_on_return = False
        self.show_rows(True)
        self.reload()


def _plain(cell: Text | str) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _zone(entry: QueueEntry) -> ZoneInfo | None:
    zone = entry.local_time.tzinfo
    return zone if isinstance(zone, ZoneInfo) else None
