"""Who is calling: pick a known operator (operators table) or type an id; answers the code."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy.exc import OperationalError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from workbench.tui.adapters.queue import OperatorInfo, list_operators
from workbench.tui.errors import db_message
from workbench.tui.screens.base import SessionScreen


class LoginScreen(SessionScreen[str]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit", id="quit")]

    def compose(self) -> ComposeResult:
        tr = self.session.tr
        yield Header()
        with Vertical(id="login"):
            yield Static(tr("login.title"), id="login-title")
            yield OptionList(id="operators")
            yield Input(placeholder=tr("login.placeholder"), id="operator-id", compact=True)
            yield Static(id="login-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#operator-id", Input).display = False
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            operators = list_operators(self.session.engine)
        except OperationalError as exc:
            self.app.call_from_thread(self.failed, db_message(self.session, exc))
            return
        self.app.call_from_thread(self.show, operators)

    def show(self, operators: list[OperatorInfo]) -> None:
        options = self.query_one(OptionList)
        options.add_options(Option(f"{op.code}  {op.name}", id=op.code) for op in operators)
        if operators:
            options.highlighted = 0
            options.focus()
            return
        options.display = False
        self.query_one("#login-status", Static).update(self.session.tr("login.none"))
        field = self.query_one("#operator-id", Input)
        field.display = True
        field.focus()

    def failed(self, message: str) -> None:
        self.query_one("#login-status", Static).update(message)
        self.show([])

    @on(OptionList.OptionSelected, "#operators")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    @on(Input.Submitted, "#operator-id")
    def typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
