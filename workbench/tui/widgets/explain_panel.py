"""Why the queue is empty or short: customers held back per calling rule, and when it reopens."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from workbench.services.explain import Explanation
from workbench.tui.session import Session


def explanation_text(why: Explanation, session: Session, empty: bool) -> Text:
    tr = session.tr
    text = Text()
    text.append(
        tr("queue.empty") if empty else tr("queue.short"), style="bold yellow" if empty else "bold"
    )
    text.append(
        "\n" + tr("queue.callable", n=why.callable_now, total=why.in_callable_states) + "\n",
        style="dim",
    )
    labels = [(tr.rule(code), count) for code, count in why.held_back.most_common()]
    width = max((cell_len(label) for label, _ in labels), default=0)
    for label, count in labels:
        text.append(f"  {label}{' ' * (width - cell_len(label))}  ")
        text.append(f"{count:>6,}\n", style="bold")
    if why.next_callable_at is not None:
        text.append(tr("queue.next_at", at=session.local(why.next_callable_at)), style="bold green")
    else:
        text.append(tr("queue.next_none"), style="dim")
    return text


class ExplainPanel(Static):
    def counting(self, session: Session) -> None:
        """Shown while the rules are counted over the whole base (seconds on a large one)."""
        self.display = True
        self.update(Text(session.tr("queue.explaining"), style="dim"))

    def show(self, why: Explanation | None, session: Session, empty: bool) -> None:
        self.display = why is not None
        if why is not None:
            self.update(explanation_text(why, session, empty))
