"""The supervisor screen's small dialogs: mark a reason fixed (day, kind, note) and choose the
reason a script is pinned for.  Each answers with `dismiss(value)`; None is a cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from workbench.tui.bindings import translate_bindings
from workbench.tui.supervisor_i18n import SupervisorText

FIX_KINDS: tuple[str, ...] = ("any", "b2c", "b2b")


@dataclass(frozen=True)
class FixRequest:
    fixed_on: date
    kind: str  # any | b2c | b2b
    note: str | None


class FixReasonModal(ModalScreen[FixRequest | None]):
    """「改善済みにする」: the day (today by default), the kind, a note; Enter saves."""

    CSS_PATH = "../supervisor.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="sv_cancel"),
        Binding("ctrl+s", "save", "Save", id="sv_save"),
    ]

    def __init__(self, tr: SupervisorText, reason: str, today: date) -> None:
        super().__init__()
        self.tr, self.reason, self.today = tr, reason, today
        translate_bindings(self, tr)

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(id="sv-fix", classes="sv-modal"):
            yield Static(Text(tr("sv.fix.title", reason=tr.reason(self.reason)), style="bold"))
            yield Label(tr("sv.fix.day"))
            yield Input(self.today.isoformat(), id="sv-fix-day")
            yield Label(tr("sv.fix.kind"))
            with RadioSet(id="sv-fix-kind"):
                for i, kind in enumerate(FIX_KINDS):
                    yield RadioButton(tr(f"sv.fix.kind_{kind}"), value=i == 0)
            yield Label(tr("sv.fix.note"))
            yield Input(id="sv-fix-note", placeholder=tr("sv.fix.note_hint"))
            yield Static("", id="sv-fix-error")
            yield Static(Text(tr("sv.fix.keys"), style="dim"))

    def on_mount(self) -> None:
        self.query_one("#sv-fix-day", Input).focus()

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#sv-fix-day", Input).value.strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.query_one("#sv-fix-error", Static).update(tr_error(self.tr, text))
            return
        index = self.query_one("#sv-fix-kind", RadioSet).pressed_index
        note = self.query_one("#sv-fix-note", Input).value.strip() or None
        self.dismiss(FixRequest(day, FIX_KINDS[max(index, 0)], note))


def tr_error(tr: SupervisorText, text: str) -> Text:
    return Text(tr("sv.fix.bad_day", value=text), style="bold red")


class PinReasonModal(ModalScreen[str | None]):
    """The reasons a script serves: the one chosen is what it is pinned for."""

    CSS_PATH = "../supervisor.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="sv_cancel"),
    ]

    def __init__(self, tr: SupervisorText, script_id: str, reasons: list[str]) -> None:
        super().__init__()
        self.tr, self.script_id, self.reasons = tr, script_id, reasons
        translate_bindings(self, tr)

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(id="sv-pin", classes="sv-modal"):
            yield Static(Text(tr("sv.pin.title", script=self.script_id), style="bold"))
            yield OptionList(
                *(Option(tr.reason(r), id=r) for r in self.reasons), id="sv-pin-reasons"
            )
            yield Static(Text(tr("sv.pin.keys"), style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
