"""The queue's notice that its ranking is from an older scoring run, and the run that refreshes it.

A full scoring run reads the whole base (minutes on a million customers), so the queue is
shown from the stored scores and this widget refreshes them in a worker meanwhile.  The
stored scores are safe to call from: the calling rules are checked live at every claim.
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from workbench.services.freshness import ScoreStatus
from workbench.services.scoring import ScoringSummary
from workbench.tui.adapters.queue import refresh_scores
from workbench.tui.session import Session


class ScoreNotice(Static):
    class Refreshed(Message):
        """New scores are in: the queue should be read again."""

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.running = False

    def on_mount(self) -> None:
        self.display = False

    def refresh_scores(self, stale: ScoreStatus) -> None:
        """Say so and start the scoring run, unless it runs already."""
        if self.running:
            return
        self.running = True
        s = self.session
        at = s.local(stale.scored_at) if stale.scored_at else "-"
        self.say(s.tr("score.refreshing", at=at))
        self.rescore()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rescore")
    def rescore(self) -> None:
        """The scoring run, in a daemon thread this worker waits for.

        A thread worker runs in the event loop's executor, which Python joins at exit:
        quitting would wait for the rest of the run.  An unfinished run is rolled back by
        the database, and the next start refreshes again.
        """
        worker = get_current_worker()
        done = threading.Event()
        outcome: list[ScoringSummary | None | Exception] = []

        def run() -> None:
            try:
                outcome.append(refresh_scores(self.session))
            except Exception as exc:  # shown in the notice; the stored scores stay usable
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="workbench-rescore", daemon=True).start()
        while not done.wait(0.2):
            if worker.is_cancelled:
                return
        self.app.call_from_thread(self.finished, outcome[0])

    def finished(self, outcome: ScoringSummary | None | Exception) -> None:
        self.running = False
        tr = self.session.tr
        if isinstance(outcome, Exception):
            detail = getattr(outcome, "orig", None) or outcome
            self.say(tr("score.failed", detail=detail), failed=True)
            return
        self.say("")
        self.notify(tr("score.refreshed"))
        self.post_message(self.Refreshed())

    def say(self, message: str, failed: bool = False) -> None:
        self.update(Text(message))
        self.set_class(failed, "-failed")
        self.display = bool(message)
