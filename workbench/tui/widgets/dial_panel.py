"""The number being dialled, large enough to read across a desk or type into a handset."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Digits, Static


class DialPanel(Horizontal):
    DEFAULT_CSS = """
    DialPanel { height: auto; display: none; }
    DialPanel.-dialled { display: block; }
    DialPanel Digits { width: auto; }
    DialPanel #dial-info { width: 1fr; padding: 0 2; content-align: left middle; height: 3; }
    """

    def compose(self) -> ComposeResult:
        yield Digits("", id="dial-digits")
        yield Static(id="dial-info")

    def show(self, national: str, info: str) -> None:
        self.query_one(Digits).update(national)
        self.query_one("#dial-info", Static).update(info)
        self.add_class("-dialled")
