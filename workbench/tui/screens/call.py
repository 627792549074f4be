"""The call view for the claimed customer: card, talk script, dial, disposition.

Dismisses with a `CallResult`: a saved disposition (and whether to claim the next
customer), or a release of the lease back to the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from sqlalchemy.exc import OperationalError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from workbench.services.claim import release_claim
from workbench.services.dispose import DispositionResult
from workbench.services.queue import QueueEntry
from workbench.services.talk_choice import library_for
from workbench.talk.model import TalkScript
from workbench.talk.render import RenderedSection, render_script
from workbench.tui.adapters.customer import CallData, CallView, load_call_view
from workbench.tui.adapters.form import Draft
from workbench.tui.dialer import DialError
from workbench.tui.errors import db_message
from workbench.tui.screens.base import SessionScreen
from workbench.tui.screens.disposition import CallFacts, DispositionScreen, Saved
from workbench.tui.screens.script_picker import ScriptPickerScreen
from workbench.tui.session import Session
from workbench.tui.widgets.customer_card import CLOCK_SECONDS, CustomerCard
from workbench.tui.widgets.dial_panel import DialPanel
from workbench.tui.widgets.script_panel import ScriptPanel


@dataclass(frozen=True)
class CallResult:
    name: str
    saved: DispositionResult | None = None
    next: bool = False
    released: bool = False
    zone: ZoneInfo | None = None  # the customer's, for times in messages


class CallScreen(SessionScreen[CallResult]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "dial", "Dial", id="dial"),
        Binding("e", "hangup", "End call", id="hangup"),
        Binding("d", "dispose", "Disposition", id="dispose"),
        # In the help screen and the palette, not the footer: 80 columns hold the rest whole.
        Binding("s", "switch_script", "Switch script", id="switch_script", show=False),
        Binding("backspace", "back", "Back", id="back", show=False),
        Binding("x", "release", "Release", id="release"),
        Binding("1", "branch(1)", "Branch", id="branch_1", key_display="1-9"),
        *[
            Binding(str(n), f"branch({n})", "Branch", id=f"branch_{n}", show=False)
            for n in range(2, 10)
        ],
    ]

    class Opened(Message):
        """The customer's card is on screen: the operator reads it now."""

    def __init__(self, session: Session, entry: QueueEntry, view: CallView | None = None,
                 claim_ahead: Callable[[], None] | None = None) -> None:  # fmt: skip
        """`view` is the call's data when the claiming worker loaded it already;
        `claim_ahead` starts claiming the next customer while this view closes."""
        super().__init__(session)
        self.entry = entry
        self.preloaded = view
        self.claim_ahead = claim_ahead
        self.data: CallData | None = view.data if view else None
        self.script: TalkScript | None = None
        self.draft = Draft()
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.done = False
        self.shown_local = ""  # the local time on the status line

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="call-status")
        yield DialPanel(id="dial")
        with Horizontal(id="call-body"):
            if self.preloaded is not None:
                yield from self.body(self.preloaded.data)
            else:
                yield Static(self.session.tr("call.loading"), id="call-loading")
        yield Footer()

    def body(self, data: CallData) -> list[Widget]:
        card = CustomerCard(data, self.session, id="card")
        return [card, ScriptPanel(self.session.tr, id="script")]

    def on_mount(self) -> None:
        self.show_status()
        self.set_interval(CLOCK_SECONDS, self.tick)
        if self.preloaded is not None:
            self.ready(self.preloaded)
        else:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="call")
    def load(self) -> None:
        s = self.session
        try:
            view = load_call_view(s, self.entry)
        except OperationalError as exc:
            self.app.call_from_thread(self.notify, db_message(s, exc), severity="error")
            return
        self.app.call_from_thread(self.show_view, view)

    def show_view(self, view: CallView) -> None:
        self.data = view.data
        body = self.query_one("#call-body", Horizontal)
        body.remove_children()
        body.mount(*self.body(view.data))
        self.ready(view)

    def ready(self, view: CallView) -> None:
        """The card is in place: the script follows once it is drawn."""
        self.call_after_refresh(self.show_script, view.script, view.sections)
        self.post_message(self.Opened())
        tr = self.session.tr
        for warning in view.warnings:
            self.notify(warning, title=tr("scripts.broken"), severity="warning", timeout=20)
        if view.updated:
            self.notify(tr("scripts.shown", scripts=", ".join(view.updated)), timeout=20)

    def show_script(self, script: TalkScript | None, sections: list[RenderedSection]) -> None:
        self.script = script
        self.query_one(ScriptPanel).load(script, sections)
        self.show_status()

    def tick(self) -> None:
        """The status line's local time follows the clock (redrawn when the minute turns)."""
        if self.local_now() != self.shown_local:
            self.show_status()

    def local_now(self) -> str:
        return self.session.hhmm(self.session.now(), self.data.zone if self.data else None)

    def show_status(self) -> None:
        s, e = self.session, self.entry
        self.shown_local = self.local_now()
        tr = s.tr
        text = Text()
        text.append(f" {e.external_id} ", style="bold reverse")
        text.append(f" {e.name} ", style="bold")
        text.append(f"· {tr('queue.col.local')} {self.shown_local} · ")
        if self.started_at and self.ended_at:
            text.append(tr("call.ended", start=s.hhmm(self.started_at), end=s.hhmm(self.ended_at)))
        elif self.started_at:
            text.append(tr("call.dialled", at=s.hhmm(self.started_at)), style="bold green")
        else:
            text.append(tr("call.not_dialled"), style="dim")
        if e.callback_due and e.callback_at:
            key = "why.overdue" if e.callback_overdue else "why.callback"
            text.append(" · ")
            text.append(
                f" {tr(key, at=s.hhmm(e.callback_at))} ",
                style="bold white on red" if e.callback_overdue else "bold yellow",
            )
        self.query_one("#call-status", Static).update(text)

    # -- the call -------------------------------------------------------------------
    def action_dial(self) -> None:
        if self.data is None or not self.data.e164:
            return
        s, d = self.session, self.data
        self.started_at, self.ended_at = s.now(), None
        if s.dialer.copies:
            self.app.copy_to_clipboard(d.e164)
            info = s.tr("call.copied", number=d.e164)
        else:
            info = f"{d.e164} · {s.dialer.name}"
            self.run_dialer(d.e164, d.national)
        self.query_one(DialPanel).show(d.national, info)
        self.show_status()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dial")
    def run_dialer(self, e164: str, national: str) -> None:
        try:
            self.session.dialer.dial(e164, national)
        except DialError as exc:
            self.app.call_from_thread(
                self.notify, self.session.tr("call.dial_failed", detail=exc), severity="error"
            )

    def action_hangup(self) -> None:
        if self.started_at is not None and self.ended_at is None:
            self.ended_at = self.session.now()
            self.show_status()

    def action_branch(self, number: int) -> None:
        if self.data is not None and self.query_one(ScriptPanel).go(number):
            self.query_one(ScriptPanel).focus()

    def action_back(self) -> None:
        if self.data is not None:
            self.query_one(ScriptPanel).back()

    def action_switch_script(self) -> None:
        if self.data is None:
            return
        scripts = [
            s
            for s in library_for(self.session.settings).active()
            if s.kind in (self.entry.kind, "any")
        ]
        picker = ScriptPickerScreen(
            self.session, scripts, self.script.id if self.script else None, self.entry.reason
        )
        self.app.push_screen(picker, callback=self.script_chosen)

    def scripts_updated(self, ids: tuple[str, ...]) -> bool | None:
        """Scripts were edited: None when this call's script is not one of them; True when its
        new version is shown (the conversation keeps its place), False when the sections the
        operator went through changed, so the new version waits for the next customer."""
        if self.script is None or self.data is None or self.script.id not in ids:
            return None
        script = library_for(self.session.settings).get(self.script.id)
        if script is None or self.done:
            return False
        if not self.query_one(ScriptPanel).replace(
            script, render_script(script, self.data.context)
        ):
            return False
        self.script = script
        return True

    def script_chosen(self, script_id: str | None) -> None:
        if script_id is None or self.data is None:
            return
        script = library_for(self.session.settings).get(script_id)
        if script is not None:
            self.show_script(script, render_script(script, self.data.context))

    def action_dispose(self) -> None:
        if self.data is None or self.done:
            return
        now = self.session.now()
        if self.started_at is not None and self.ended_at is None:
            self.ended_at = now
            self.show_status()
        facts = CallFacts(
            entry=self.entry, zones=self.data.zones, zone=self.data.zone, script=self.script,
            at=self.started_at or now, started_at=self.started_at, ended_at=self.ended_at,
        )  # fmt: skip
        self.app.push_screen(
            DispositionScreen(self.session, facts, self.draft), callback=self.disposed
        )

    def disposed(self, saved: Saved | None) -> None:
        if saved is None:
            return  # the draft stays for the next opening
        self.done = True
        if saved.next and self.claim_ahead is not None:
            self.claim_ahead()  # the claim runs while the screens close (tens of ms)
        self.dismiss(
            CallResult(
                self.entry.name,
                saved=saved.result,
                next=saved.next,
                zone=zone if isinstance(zone := self.entry.local_time.tzinfo, ZoneInfo) else None,
            )
        )

    def action_release(self) -> None:
        if not self.done:
            self.release_lease()

    @work(thread=True, exclusive=True, exit_on_error=False, group="release")
    def release_lease(self) -> None:
        try:
            self.release_now()
        except OperationalError as exc:
            self.app.call_from_thread(
                self.notify, db_message(self.session, exc), severity="error", timeout=15
            )
            return
        self.app.call_from_thread(self.released)

    def released(self) -> None:
        self.done = True
        self.dismiss(CallResult(self.entry.name, released=True))

    def release_now(self) -> None:
        """Give the customer back to the queue, in a worker thread (also when the App quits
        mid-call); the caller marks the call done on the event loop."""
        if not self.done:
            release_claim(self.session.engine, self.entry.customer_id)
