"""The talk script for this customer, one section at a time, with numbered branches.

The screen owns the keys; this widget keeps the rendered sections and the path the
conversation took (attributes down: `go`, `back`, `load`).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from workbench.talk.model import TalkScript
from workbench.talk.render import RenderedSection
from workbench.tui.i18n import Catalogue


class ScriptPanel(VerticalScroll):
    def __init__(self, tr: Catalogue, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tr = tr
        self.script: TalkScript | None = None
        self.sections: dict[str, RenderedSection] = {}
        self.path: list[str] = []
        self.loaded = False  # the call's script (or its absence) has been drawn
        self.can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(id="script-header")
        yield Static(id="script-path")
        yield Static(id="script-text")
        yield Static(id="script-branches")

    def load(self, script: TalkScript | None, sections: list[RenderedSection]) -> None:
        self.script = script
        self.sections = {s.id: s for s in sections}
        self.path = [sections[0].id] if sections else []
        self.loaded = True
        self.refresh_section()

    def replace(self, script: TalkScript, sections: list[RenderedSection]) -> bool:
        """A new version of the same script, keeping the path; False (nothing changes) when a
        section on the path is gone from it."""
        by_id = {s.id: s for s in sections}
        if not sections or any(step not in by_id for step in self.path):
            return False
        self.script, self.sections = script, by_id
        self.path = self.path or [sections[0].id]
        self.refresh_section()
        return True

    @property
    def current(self) -> RenderedSection | None:
        return self.sections.get(self.path[-1]) if self.path else None

    @property
    def visited(self) -> list[str]:
        return list(self.path)

    def go(self, number: int) -> bool:
        """Follow branch `number` (1-based) of the current section; False if there is none."""
        section = self.current
        if section is None or not 1 <= number <= len(section.branches):
            return False
        self.path.append(section.branches[number - 1].target)
        self.refresh_section()
        return True

    def back(self) -> bool:
        if len(self.path) <= 1:
            return False
        self.path.pop()
        self.refresh_section()
        return True

    def refresh_section(self) -> None:
        tr = self.tr
        header = self.query_one("#script-header", Static)
        text = self.query_one("#script-text", Static)
        branches = self.query_one("#script-branches", Static)
        path = self.query_one("#script-path", Static)
        section = self.current
        if self.script is None or section is None:
            header.update(Text(tr("script.none"), style="bold yellow"))
            for widget in (path, text, branches):
                widget.update("")
            return
        header.update(
            Text(tr("script.header", script=self.script.id, title=self.script.title), style="bold")
        )
        path.update(
            Text(
                " › ".join(self.sections[s].title if s in self.sections else s for s in self.path),
                style="dim",
            )
        )
        text.update(section_text(section, tr))
        branches.update(branch_text(section, tr))
        self.scroll_home(animate=False)


def section_text(section: RenderedSection, tr: Catalogue) -> Text:
    text = Text()
    text.append(f"■ {section.title}\n", style="bold cyan")
    if section.error:
        text.append(tr("script.error", error=section.error) + "\n", style="bold red")
        body = section.raw
    else:
        body = section.text
    for line in body.splitlines():
        if line.startswith(">"):
            text.append(line.lstrip("> ").rstrip() + "\n", style="italic yellow")
        else:
            text.append(line + "\n")
    text.rstrip()
    return text


def branch_text(section: RenderedSection, tr: Catalogue) -> Text:
    if not section.branches:
        return Text(tr("script.end"), style="dim")
    text = Text(tr("script.branches") + "\n", style="dim")
    for number, branch in enumerate(section.branches, start=1):
        text.append(f" {number} ", style="bold reverse")
        text.append(f" {branch.label} ")
        text.append(f"→ {branch.target}", style="dim")
        if number < len(section.branches):
            text.append("\n")
    return text
