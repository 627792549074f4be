"""The disposition form: outcome on one key, then only what that outcome needs.

`d` `1` `Enter` records a no-answer and claims the next customer; `d` `6` `4` (note)
`Enter` a "not interested" because of the price: after that outcome the reason picker has
the focus and a number key picks the reason, then the note has it.  Enter saves from
every field (a priority binding, so the footer always shows it).  Invalid input is
marked inline and never sent; everything valid goes through `services.dispose`.  When
the database is unreachable the form keeps its data and retries with backoff.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from sqlalchemy.exc import OperationalError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, Static
from textual.worker import get_current_worker

from workbench.messages.db_errors import db_problem
from workbench.services.calling import calling_policy
from workbench.services.dispose import Disposition, DispositionError, DispositionResult, dispose
from workbench.services.queue import QueueEntry
from workbench.talk.model import TalkScript
from workbench.tui.adapters.form import Checked, Draft, check
from workbench.tui.errors import read_only_message
from workbench.tui.screens.base import SessionModal
from workbench.tui.screens.confirm import ConfirmScreen
from workbench.tui.session import Session
from workbench.tui.widgets.outcome_picker import KEYS, OutcomePicker, ReasonPicker

# Outcomes after which the customer usually says why: the reason picker takes the focus.
REASON_OUTCOMES = frozenset({"not_interested", "no_decision"})


@dataclass(frozen=True)
class CallFacts:
    """The call being recorded, handed down by the call view."""

    entry: QueueEntry
    zones: tuple[str, ...]
    zone: ZoneInfo
    script: TalkScript | None
    at: datetime
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class Saved:
    result: DispositionResult
    next: bool


class DispositionScreen(SessionModal[Saved | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save(True)", "Save & next", id="save_next", priority=True),
        Binding("ctrl+s", "save(False)", "Save & pause", id="save_pause"),
        Binding("escape", "cancel", "Back", id="cancel"),
        Binding("1", "outcome('1')", "Outcome", id="outcome_1", key_display="0-9 -"),
        *[
            Binding(k, f"outcome('{k}')", "Outcome", id=f"outcome_{k}", show=False)
            for k in KEYS[1:]
        ],
        Binding("minus", "outcome('-')", "Outcome", id="outcome_minus", show=False),
    ]

    def __init__(self, session: Session, call: CallFacts, draft: Draft) -> None:
        super().__init__(session)
        self.call = call
        self.draft = draft
        self.sending = False  # a dispose() call or its retry loop is running
        self.dnc_confirmed = False  # the operator said yes to a permanent do-not-call entry

    def compose(self) -> ComposeResult:
        tr, d = self.session.tr, self.draft
        with Vertical(id="form"):
            yield Static(
                Text(tr("form.title", name=self.call.entry.name), style="bold"), id="form-title"
            )
            yield OutcomePicker(tr, d.outcome, id="outcome")
            yield Static(id="error-outcome", classes="field-error -empty")
            with Horizontal(classes="field-row", id="row-callback"):
                yield Label(tr("form.callback"), classes="field-label")
                yield Input(
                    d.callback,
                    placeholder=tr("form.callback_hint", zone=self.call.zone.key),
                    id="callback",
                    compact=True,
                )
            yield Static(id="error-callback", classes="field-error -empty")
            with Horizontal(classes="field-row", id="row-amount"):
                yield Label(tr("form.amount"), classes="field-label")
                yield Input(d.amount, placeholder=tr("form.amount_hint"), id="amount", compact=True)
            yield Static(id="error-amount", classes="field-error -empty")
            with Horizontal(classes="field-row", id="row-reason"):
                yield Label(tr("form.reason"), classes="field-label")
                yield ReasonPicker(tr, d.reason, id="reason")
            with Horizontal(classes="field-row"):
                yield Label(tr("form.note"), classes="field-label")
                yield Input(d.note, id="note", compact=True)
            yield Static(id="form-warning", classes="-empty")
            yield Static(id="form-status", classes="-empty")
            yield Footer()

    def on_mount(self) -> None:
        self.query_one(OutcomePicker).focus()
        self.mark_rows(self.draft.outcome)
        self.validate(show_missing=False)

    # -- input -----------------------------------------------------------------------
    def action_outcome(self, key: str) -> None:
        self.query_one(OutcomePicker).choose_key(key)

    def mark_rows(self, outcome: str | None) -> None:
        """Dim the fields this outcome does not use (they stay editable: errors say why)."""
        self.query_one("#row-callback").set_class(outcome != "callback", "-idle")
        self.query_one("#row-amount").set_class(outcome != "reactivated", "-idle")
        self.query_one("#row-reason").set_class(outcome not in REASON_OUTCOMES, "-idle")

    @on(OutcomePicker.Changed)
    def outcome_changed(self, event: OutcomePicker.Changed) -> None:
        self.draft.outcome = event.value
        self.mark_rows(event.value)
        if event.value == "callback" and not self.draft.callback:
            self.query_one("#callback", Input).focus()
        elif event.value == "reactivated" and not self.draft.amount:
            self.query_one("#amount", Input).focus()
        elif event.value in REASON_OUTCOMES and not self.draft.reason:
            self.query_one(ReasonPicker).focus()
        self.validate(show_missing=False)

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        if event.input.id in ("callback", "amount", "note"):
            setattr(self.draft, event.input.id, event.value)
            self.validate(show_missing=False)

    @on(ReasonPicker.Changed)
    def reason_changed(self, event: ReasonPicker.Changed) -> None:
        self.draft.reason = event.value
        if event.value is not None and event.picker.has_focus:
            self.query_one("#note", Input).focus()  # the reason is picked: the note is next

    def validate(self, show_missing: bool = True) -> Checked:
        """Mark each field; a missing outcome or callback time is only flagged on submit."""
        now = self.session.now()
        checked = check(self.draft, now, self.call.zone, self.call.zones,
                        calling_policy(self.session.settings), self.session.tr)  # fmt: skip
        d = self.draft
        missing = {
            "outcome": d.outcome is None,
            "callback": not d.callback.strip(),
            "amount": False,
        }
        for name in ("outcome", "callback", "amount"):
            message = checked.errors.get(name, "")
            if missing[name] and not show_missing:
                message = ""  # not an error yet, only unfinished
            show(self.query_one(f"#error-{name}", Static), message, "bold red")
        show(self.query_one("#form-warning", Static), "\n".join(checked.warnings), "bold yellow")
        return checked

    # -- sending ---------------------------------------------------------------------
    def action_save(self, next_customer: bool) -> None:
        if self.sending:
            return
        # Enter is a priority binding: it can overtake the fields' pending Changed messages.
        for name in ("callback", "amount", "note"):
            setattr(self.draft, name, self.query_one(f"#{name}", Input).value)
        checked = self.validate()
        if not checked.ok:
            self.set_status(self.session.tr("form.fix"), "bold red")
            self.focus_first_error(checked)
            return
        if self.draft.outcome == "do_not_call" and not self.dnc_confirmed:
            # A permanent suppression, one key away from the others: ask once more.
            def answered(yes: bool | None) -> None:
                if yes:
                    self.dnc_confirmed = True
                    self.action_save(next_customer)

            self.app.push_screen(
                ConfirmScreen(self.session, self.session.tr("confirm.dnc")), callback=answered
            )
            return
        self.sending = True
        self.set_status(self.session.tr("form.saving"), "dim")
        self.send(self.disposition(checked), next_customer)

    def disposition(self, checked: Checked) -> Disposition:
        c, d = self.call, self.draft
        return Disposition(
            customer_id=c.entry.external_id, outcome=d.outcome or "", at=c.at, operator=self.session.operator,
            script=c.script.id if c.script else None, script_version=c.script.version if c.script else None,
            reason=d.reason, amount=checked.amount, callback_at=checked.callback_at, note=d.note.strip() or None,
            started_at=c.started_at, ended_at=c.ended_at, source="ui",
        )  # fmt: skip

    @work(thread=True, exclusive=True, exit_on_error=False, group="dispose")
    def send(self, disposition: Disposition, next_customer: bool) -> None:
        s, worker = self.session, get_current_worker()
        attempt = 0
        while True:
            try:
                result = dispose(s.engine, s.settings, disposition)
            except DispositionError as exc:
                self.app.call_from_thread(self.rejected, exc)
                return
            except OperationalError as exc:
                read_only = read_only_message(s, exc)
                if read_only is not None:  # waiting will not help: say so and keep the input
                    self.app.call_from_thread(self.refused, read_only)
                    return
                delay = s.retry_delays[min(attempt, len(s.retry_delays) - 1)]
                attempt += 1
                self.app.call_from_thread(self.outage, db_problem(exc), delay, attempt)
                deadline = time.monotonic() + delay
                while time.monotonic() < deadline and not worker.is_cancelled:
                    time.sleep(min(0.05, delay))
                if worker.is_cancelled:
                    self.app.call_from_thread(self.stopped)
                    return
                continue
            # Saved, even if the operator pressed Esc meanwhile: the form must not be resent.
            self.app.call_from_thread(self.dismiss, Saved(result, next_customer))
            return

    def outage(self, detail: str, delay: float, attempt: int) -> None:
        self.set_status(
            self.session.tr("form.outage", detail=detail, delay=delay, attempt=attempt),
            "bold white on red",
        )

    def refused(self, message: str) -> None:
        self.sending = False
        self.set_status(message, "bold white on red")
        self.notify(message, severity="error", timeout=15)

    def stopped(self) -> None:
        self.sending = False
        self.set_status(self.session.tr("form.stopped"), "bold yellow")

    def rejected(self, exc: DispositionError) -> None:
        self.sending = False
        message = str(exc)
        target = {"callback_at": "callback", "amount": "amount", "outcome": "outcome"}.get(
            exc.field
        )
        if target:
            show(self.query_one(f"#error-{target}", Static), message, "bold red")
        self.set_status(message, "bold red")

    def set_status(self, message: str, style: str) -> None:
        show(self.query_one("#form-status", Static), message, style)

    def focus_first_error(self, checked: Checked) -> None:
        for name in ("outcome", "callback", "amount"):
            if name in checked.errors:
                self.query_one(f"#{name}").focus()
                return

    def action_cancel(self) -> None:
        if self.sending:
            self.workers.cancel_group(self, "dispose")
            return
        self.dismiss(None)


def show(widget: Static, message: str, style: str) -> None:
    """Update a message line; an empty one takes no room."""
    widget.update(Text(message, style=style))
    widget.set_class(not message, "-empty")
