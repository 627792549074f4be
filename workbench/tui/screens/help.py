"""`?`: every key of the shift loop, grouped by screen (the current one first), in the operator's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from workbench.tui.bindings import display_key
from workbench.tui.i18n import Catalogue
from workbench.tui.keymap import shown_key
from workbench.tui.screens.base import SessionModal
from workbench.tui.screens.call import CallScreen
from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.session import Session

SECTIONS: tuple[tuple[str, type[Screen[Any]]], ...] = (
    ("help.queue", QueueScreen),
    ("help.call", CallScreen),
    ("help.form", DispositionScreen),
)
GLOBAL: tuple[tuple[str, str], ...] = (
    ("?", "key.help"),
    ("ctrl+p", "help.palette"),
    ("ctrl+q", "key.quit"),
)


def key_rows(
    bindings: list[Binding], tr: Catalogue, keymap: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(keys, label) for each binding with a label of its own (footer or not), by its id.

    The number keys' siblings (`branch_2`…) have none: their first binding stands for them.
    """
    rows = []
    for binding in bindings:
        if binding.id and tr.has(f"key.{binding.id}"):
            mine = shown_key(binding, keymap or {})
            keys = mine if mine is not None else display_key(binding, binding.key)
            rows.append((keys, tr(f"key.{binding.id}")))
    return rows


def sections(
    current: type | None,
    tr: Catalogue,
    keymap: Mapping[str, str] | None = None,
    supervises: bool = False,
) -> list[tuple[str, list[tuple[str, str]]]]:
    ordered = sorted(SECTIONS, key=lambda item: item[1] is not current)
    out = [
        (tr(title), key_rows(list(Binding.make_bindings(screen.BINDINGS)), tr, keymap))
        for title, screen in ordered
    ]
    shared = [(key, tr(label)) for key, label in GLOBAL]
    if supervises:  # supervisors and team leads only
        shared.append(((keymap or {}).get("supervisor", "F9"), tr("key.supervisor")))
    out.append((tr("help.global"), shared))
    return out


def help_text(groups: list[tuple[str, list[tuple[str, str]]]], intro: str) -> Text:
    width = max(cell_len(key) for _, rows in groups for key, _ in rows)
    text = Text(intro)
    for title, rows in groups:
        text.append(f"\n\n{title}", style="bold underline")
        for keys, label in rows:
            text.append("\n")
            text.append(f" {keys}{' ' * (width - cell_len(keys))} ", style="bold reverse")
            text.append(f" {label}")
    return text


class HelpScreen(SessionModal[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="close"),
        Binding("question_mark", "dismiss(None)", "Close", id="close_help", show=False),
    ]

    def __init__(
        self, session: Session, current: type | None = None, supervises: bool = False
    ) -> None:
        super().__init__(session)
        self.current = current
        self.supervises = supervises

    def compose(self) -> ComposeResult:
        tr = self.session.tr
        with Vertical(id="help"):
            yield Static(Text(tr("help.title"), style="bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                groups = sections(self.current, tr, self.session.keymap, self.supervises)
                yield Static(help_text(groups, tr("help.intro")))
            yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
