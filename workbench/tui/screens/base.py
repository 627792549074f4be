"""What every workbench screen shares: the session, and footer labels in its language."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen, Screen

from workbench.tui.bindings import translate_bindings
from workbench.tui.session import Session

T = TypeVar("T")


class SessionScreen(Screen[T]):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        translate_bindings(self, session.tr)


class SessionModal(ModalScreen[T]):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        translate_bindings(self, session.tr)
