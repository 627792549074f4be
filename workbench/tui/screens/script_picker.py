"""Switch the talk script mid-call: the active scripts for this kind, ★ for this reason."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from workbench.talk.model import TalkScript
from workbench.tui.screens.base import SessionModal
from workbench.tui.session import Session


class ScriptPickerScreen(SessionModal[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="cancel")
    ]

    def __init__(
        self, session: Session, scripts: list[TalkScript], current: str | None, reason: str
    ) -> None:
        super().__init__(session)
        self.scripts = scripts
        self.current = current
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self.session.tr("script.pick"), id="picker-title")
            yield OptionList(
                *(
                    Option(
                        f"{'★' if self.reason in s.reasons else ' '} {s.id} — {s.title}", id=s.id
                    )
                    for s in self.scripts
                ),
                id="scripts",
            )
            yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [s.id for s in self.scripts]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
