"""Asking once more before a step that cannot be undone (a permanent do-not-call entry)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Static

from workbench.tui.screens.base import SessionModal
from workbench.tui.session import Session


class ConfirmScreen(SessionModal[bool]):
    """y confirms, n or Esc goes back; Enter does not confirm, so a habit cannot do it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "Yes", id="confirm_yes"),
        Binding("n", "dismiss(False)", "No", id="confirm_no"),
        Binding("escape", "dismiss(False)", "Back", id="cancel"),
    ]

    def __init__(self, session: Session, message: str) -> None:
        super().__init__(session)
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.message, id="confirm-message")
            yield Footer()
